"""Django admin for SMS: messages are read-only, nothing shows provider credentials."""

import pytest
from django.urls import reverse

from sms.models import ConsentEvent, Message, OptOut, PolicyChange, SmsPolicy, SmsTemplate, Thread
from tests.factories import UserFactory
from tests.fakes.fixtures import TWILIO_TOKEN
from tests.helpers.providers import CANDIDATE_PHONE


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model", [Thread, Message, OptOut, SmsTemplate, ConsentEvent, SmsPolicy, PolicyChange]
)
def test_each_sms_model_has_a_working_changelist(staff_client, model):
    url = reverse(f"admin:sms_{model._meta.model_name}_changelist")
    assert staff_client.get(url).status_code == 200


def test_messages_are_read_only_and_never_show_credentials(staff_client, active_twilio, candidate):
    thread = Thread.objects.create(candidate=candidate, phone_number=CANDIDATE_PHONE)
    message = Message.objects.create(
        thread=thread, direction="outbound", status="sent", body="Hello", provider="twilio"
    )
    assert staff_client.get(reverse("admin:sms_message_add")).status_code == 403
    page = staff_client.get(reverse("admin:sms_message_change", args=[message.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hello" in html
    assert 'name="body"' not in html  # shown, not editable
    assert TWILIO_TOKEN not in html
    deleted = staff_client.post(reverse("admin:sms_message_delete", args=[message.pk]))
    assert deleted.status_code == 403
    assert Message.objects.filter(pk=message.pk).exists()


def test_opt_outs_the_ledger_and_the_policy_cannot_be_changed_in_the_admin(staff_client, db):
    """Only the number's own START lifts an opt-out, every consent change reaches the ledger,
    and policy changes are audited on the SMS Settings page: none of it is editable here."""
    from sms.optouts import set_opt_out

    event = set_opt_out(CANDIDATE_PHONE, opted_out=True, source="keyword", detail="STOP")
    opt_out = OptOut.objects.get()
    for model, pk in ((OptOut, opt_out.pk), (ConsentEvent, event.pk), (SmsPolicy, 1)):
        name = model._meta.model_name
        assert staff_client.get(reverse(f"admin:sms_{name}_add")).status_code == 403
        change = staff_client.post(reverse(f"admin:sms_{name}_change", args=[pk]), {})
        assert change.status_code == 403
        delete = staff_client.post(reverse(f"admin:sms_{name}_delete", args=[pk]))
        assert delete.status_code == 403
    assert OptOut.objects.get().opted_out and ConsentEvent.objects.filter(pk=event.pk).exists()
