"""Send test SMS on each provider card: through the active provider's real pipeline, audited
without secrets, with the outcome on the card."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from integrations.models import AuditEntry, Integration
from sms.models import Message, MessageStatus
from sms.provider_test.services import TEST_MESSAGE_BODY
from tests.fakes.fixtures import TWILIO_TOKEN

HTMX = {"HX-Request": "true"}


def url(kind):
    return reverse("integrations:test_sms", args=[kind])


def card(html, kind):
    match = re.search(rf'<article[^>]*id="integration-{kind}".*?</article>', html, re.S)
    assert match, f"no {kind} card"
    return match.group(0)


def test_every_card_has_the_form(administrator_client, twilio_row, clicksend_row):
    html = administrator_client.get(reverse("integrations:list")).content.decode()
    for kind in ("twilio", "clicksend"):
        section = card(html, kind)
        assert "Send test SMS</button>" in section
        assert f'hx-post="{url(kind)}"' in section
        assert f'<label for="test-sms-to-{kind}"' in section
    assert "activate Twilio first to test it" in card(html, "twilio")


def test_it_sends_through_the_active_provider_and_shows_the_outcome(
    administrator_client, active_twilio, fake_provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = administrator_client.post(url("twilio"), {"to": "+61 411 111 111"}, headers=HTMX)
    message = Message.objects.get()
    assert (message.is_test, message.body, message.to_number) == (
        True,
        TEST_MESSAGE_BODY,
        "+61411111111",
    )
    assert fake_provider.sends_to("+61411111111") == 1
    assert fake_provider.requests_for("twilio.send")[0].form["Body"] == [TEST_MESSAGE_BODY]

    # The section comes back with the outcome; the page shows it on the card too.
    section = response.content.decode()
    assert section.strip().startswith('<section class="integration-test-sms" id="test-sms-twilio"')
    assert "Latest test" in section and "+61 411 111 111" in section
    message.refresh_from_db()
    html = administrator_client.get(reverse("integrations:list")).content.decode()
    assert 'data-testid="test-sms-status">Sent<' in card(html, "twilio")
    assert "Latest test" not in card(html, "clicksend")


def test_it_is_audited_without_secrets(administrator_client, administrator, active_twilio):
    administrator_client.post(url("twilio"), {"to": "+61411111111"})
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TEST_SMS_SENT)
    assert (entry.integration, entry.actor, entry.detail) == (
        active_twilio,
        administrator,
        "To +61 411 111 111",
    )
    html = administrator_client.get(reverse("integrations:list")).content.decode()
    assert "Test SMS sent" in html
    assert TWILIO_TOKEN not in html


def test_from_an_inactive_providers_card_it_says_activate_first(
    administrator_client, active_twilio, clicksend_row
):
    response = administrator_client.post(url("clicksend"), {"to": "+61411111111"}, headers=HTMX)
    html = response.content.decode()
    assert (
        "Activate ClickSend first: test messages go through the active provider. "
        "Twilio is the active provider now." in html
    )
    assert 'aria-invalid="true"' in html and 'value="+61411111111"' in html  # the number is kept
    assert not Message.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.TEST_SMS_SENT).exists()


def test_with_no_active_provider_it_says_so(administrator_client, twilio_row):
    html = administrator_client.post(url("twilio"), {"to": "+61411111111"}, headers=HTMX).content
    assert b"Activate Twilio first" in html
    assert not Message.objects.exists()


def test_an_invalid_number_is_refused(administrator_client, active_twilio):
    html = administrator_client.post(url("twilio"), {"to": "12"}, headers=HTMX).content.decode()
    assert "Enter a valid phone number, including the country code." in html
    assert not Message.objects.exists()


def test_without_javascript_it_redirects_back_to_the_card(administrator_client, active_twilio):
    response = administrator_client.post(url("twilio"), {"to": "+61411111111"}, follow=True)
    assert response.redirect_chain == [(reverse("integrations:list") + "#integration-twilio", 302)]
    assert "Test SMS to +61 411 111 111 queued through Twilio." in response.content.decode()


def test_without_javascript_an_error_is_a_page_with_the_form(administrator_client, active_twilio):
    response = administrator_client.post(url("twilio"), {"to": "nope"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert "Send test SMS with Twilio" in html and "Enter a valid phone number" in html


def test_the_outcome_polls_while_the_message_is_in_flight(
    administrator_client, active_twilio, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the send task has not run yet
        administrator_client.post(url("twilio"), {"to": "+61411111111"}, headers=HTMX)
    poll = administrator_client.get(url("twilio"), headers=HTMX).content.decode()
    assert 'hx-trigger="every 2s"' in poll and ">Queued<" in poll

    Message.objects.update(status=MessageStatus.FAILED, error_message="Carrier said no.")
    done = administrator_client.get(url("twilio"), headers=HTMX).content.decode()
    assert "hx-trigger" not in done
    assert ">Failed<" in done and "Carrier said no." in done


def test_a_queued_test_belongs_to_the_active_card_until_a_provider_claims_it(
    administrator_client, active_twilio, clicksend_row, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        administrator_client.post(url("twilio"), {"to": "+61411111111"})
    assert Message.objects.get().provider == ""
    html = administrator_client.get(reverse("integrations:list")).content.decode()
    assert ">Queued<" in card(html, "twilio")
    assert "Latest test" not in card(html, "clicksend")


def test_only_administrators_may_send_tests(recruiter_client, active_twilio):
    assert recruiter_client.post(url("twilio"), {"to": "+61411111111"}).status_code == 403
    assert recruiter_client.get(url("twilio")).status_code == 403
    assert not Message.objects.exists()


def test_the_page_still_takes_a_fixed_number_of_queries(
    administrator_client,
    active_twilio,
    clicksend_row,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    for number in ("+61411111111", "+61422222222", "+61433333333"):
        with django_capture_on_commit_callbacks(execute=True):
            administrator_client.post(url("twilio"), {"to": number})
    Integration.objects.filter(kind="twilio").update(is_active=False)
    # 8 before test messages, +1 for every card's latest, +3 for every card's health
    with django_assert_max_num_queries(12):
        html = administrator_client.get(reverse("integrations:list")).content.decode()
    assert "+61 433 333 333" in card(html, "twilio")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_administrator_sends_a_test_sms_from_the_card(
    page, login, screenshot, administrator, active_twilio, clicksend_row, fake_provider
):
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    login(administrator)
    page.goto("/administration/integrations/")
    twilio_card = page.locator("#integration-twilio")
    twilio_card.get_by_label("Phone number for the Twilio test").fill("+61 411 111 111")
    twilio_card.get_by_role("button", name="Send test SMS").click()
    expect(twilio_card.get_by_test_id("test-sms-status")).to_have_text("Sent", timeout=15_000)
    expect(twilio_card.get_by_test_id("test-sms-outcome")).to_contain_text("to +61 411 111 111")
    assert fake_provider.sends_to("+61411111111") == 1

    clicksend_card = page.locator("#integration-clicksend")
    clicksend_card.get_by_label("Phone number for the ClickSend test").fill("+61 411 111 111")
    clicksend_card.get_by_role("button", name="Send test SMS").click()
    expect(clicksend_card.locator(".errorlist")).to_contain_text("Activate ClickSend first")
    assert fake_provider.sends_to("+61411111111") == 1
    assert errors == []
    screenshot("integrations-test-sms")
