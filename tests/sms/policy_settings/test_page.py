"""Administration → SMS Settings: administrators only, every setting validated, every change
audited, and a saved setting is the one the next send obeys."""

from datetime import time

import pytest
from django.urls import reverse

from sms.models import PolicyChange, SmsPolicy
from sms.policy import current_policy

URL = reverse("sms:policy_settings")


def form_data(**changes):
    data = {
        "quiet_hours_enabled": "on",
        "send_from": "08:00",
        "send_until": "20:00",
        "company_time_zone": "",
        "bulk_cap_per_day": "3",
        "confirm_opt_outs": "on",
        "opt_out_confirmation": SmsPolicy().opt_out_confirmation,
        "opt_out_confirmation_fr": SmsPolicy().opt_out_confirmation_fr,
        "help_reply": SmsPolicy().help_reply,
        "help_reply_fr": SmsPolicy().help_reply_fr,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for method in ("get", "post"):
        response = getattr(client, method)(URL)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["recruiter_client", "outsider_client"])
def test_only_administrators_may_change_the_settings(db, request, persona):
    client = request.getfixturevalue(persona)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(require_consent="on")).status_code == 403
    assert client.get(reverse("sms:consent_ledger_export")).status_code == 403
    assert not current_policy().require_consent
    assert not PolicyChange.objects.exists()


def test_the_page_shows_the_defaults_and_the_menu_links_it(administrator_client):
    html = administrator_client.get(URL).content.decode()
    assert '<a href="/administration/sms-settings/">SMS Settings</a>' in html
    assert 'name="send_from" value="08:00"' in html
    assert 'name="send_until" value="20:00"' in html
    assert 'name="bulk_cap_per_day" value="3"' in html
    assert "Reply START to resubscribe." in html
    assert "1 SMS message (GSM-7)" in html


CHANGED = {"send_until": "21:00", "require_consent": "on", "company_time_zone": "America/Toronto"}


def test_a_change_is_saved_audited_and_obeyed_at_once(administrator_client, administrator):
    response = administrator_client.post(URL, form_data(**CHANGED))
    assert response.status_code == 302
    policy = current_policy()
    assert (policy.send_until, policy.require_consent, policy.company_time_zone) == (
        time(21, 0),
        True,
        "America/Toronto",
    )
    change = PolicyChange.objects.get()
    assert change.changed_by == administrator
    assert {"setting": "Send until", "from": "20:00", "to": "21:00"} in change.changes
    assert {
        "setting": "Require consent before the first SMS",
        "from": "off",
        "to": "on",
    } in change.changes
    page = administrator_client.get(URL).content.decode()
    assert "SMS settings saved." in page and "<strong>Send until</strong>: 20:00 → 21:00" in page
    # Saving the same form again records nothing.
    administrator_client.post(URL, form_data(**CHANGED))
    assert PolicyChange.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"send_from": "20:00", "send_until": "08:00"}, "send_until", "Choose a time after"),
        ({"bulk_cap_per_day": "0"}, "bulk_cap_per_day", "greater than or equal to 1"),
        ({"company_time_zone": "Mars/Olympus"}, "company_time_zone", "Select a valid choice"),
        ({"opt_out_confirmation": "You are out."}, "opt_out_confirmation", "how to resubscribe"),
        ({"help_reply": "Call us {{first_name}} STOP"}, "help_reply", "Only {{company_name}}"),
        ({"help_reply_fr": "Aide: appelez-nous."}, "help_reply_fr", "how to opt out"),
        ({"send_from": "8h"}, "send_from", "Enter a valid time"),
    ],
)
def test_bad_settings_are_refused_with_the_reason_and_nothing_is_saved(
    administrator_client, changes, field, error
):
    response = administrator_client.post(URL, form_data(**changes))
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors[field])
    assert "nothing was saved" in response.content.decode()
    assert not PolicyChange.objects.exists()


def test_the_database_refuses_an_empty_window_and_a_second_policy(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SmsPolicy.objects.filter(pk=1).update(send_from=time(21, 0), send_until=time(8, 0))
    with pytest.raises(IntegrityError), transaction.atomic():
        SmsPolicy.objects.create(pk=2)
