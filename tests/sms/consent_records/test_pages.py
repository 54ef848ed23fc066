"""SMS consent on the profile: the state and its history, recording consent or a spoken opt-out
(never lifting one), the composer's consent prompt, and the CSV exports."""

import csv
import io

import pytest
from django.urls import reverse

from sms.consent import record_consent
from sms.models import ConsentEvent, OptOut
from sms.optouts import set_opt_out
from sms.policy import save_policy
from tests.helpers.providers import CANDIDATE_PHONE


def profile(client, candidate) -> str:
    response = client.get(reverse("candidates:detail", args=[candidate.pk]))
    assert response.status_code == 200
    return response.content.decode()


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_profile_and_the_composer_say_there_is_no_consent_on_record(
    recruiter_client, candidate, active_twilio
):
    html = profile(recruiter_client, candidate)
    assert 'id="sms-consent-heading">SMS consent</h2>' in html
    assert '<span class="badge badge-warning">No consent on record</span>' in html
    assert '<span class="sms-consent-none">No consent on record</span>' in html
    # The composer says whose time it is and where that came from (+61 4… mobiles span zones).
    assert "Ada's local time: <strong>" in html
    assert "UTC, the company time zone" in html
    assert f'action="/candidates/{candidate.pk}/sms-consent/"' in html


def test_a_recruiter_records_verbal_consent_with_a_note(recruiter_client, recruiter, candidate):
    url = reverse("sms:consent_record", args=[candidate.pk])
    response = recruiter_client.post(url, {"source": "verbal", "note": ""}, follow=True)
    assert "Consent not recorded: Say when and how they agreed" in response.content.decode()
    assert not ConsentEvent.objects.exists()
    recruiter_client.post(url, {"source": "verbal", "note": "Said yes on our call"})
    event = ConsentEvent.objects.get()
    assert (event.source, event.note, event.recorded_by, event.candidate) == (
        "verbal",
        "Said yes on our call",
        recruiter,
        candidate,
    )
    html = profile(recruiter_client, candidate)
    assert '<span class="badge badge-success">Consent on record</span>' in html
    assert "Said yes on our call" in html


def test_an_opt_out_cannot_be_overridden_from_the_profile(recruiter_client, candidate):
    set_opt_out(CANDIDATE_PHONE, opted_out=True, source="phrase", detail="please stop texting me")
    url = reverse("sms:consent_record", args=[candidate.pk])
    response = recruiter_client.post(url, {"source": "application", "note": ""}, follow=True)
    html = response.content.decode()
    assert "Only a START reply from their phone lifts an opt-out." in html
    assert "Opted out — replied “please stop texting me” (" in html
    assert OptOut.objects.get().opted_out
    assert f'action="/candidates/{candidate.pk}/sms-consent/"' not in html  # no form offered


def test_a_recruiter_records_an_opt_out_given_by_phone(recruiter_client, candidate):
    url = reverse("sms:opt_out_record", args=[candidate.pk])
    recruiter_client.post(url, {"note": ""})
    assert not OptOut.objects.exists()
    recruiter_client.post(url, {"note": "Asked on the phone not to be texted"})
    assert OptOut.objects.get(phone_number=CANDIDATE_PHONE).opted_out


def test_with_consent_required_the_composer_asks_for_it_first(
    recruiter_client, recruiter, candidate, active_twilio
):
    save_policy({"require_consent": True}, by=None)
    html = profile(recruiter_client, candidate)
    assert "No consent on record for Ada Lovelace." in html
    assert f'id="composer-consent-c{candidate.pk}"' in html
    assert 'name="body"' not in html  # no composer until consent is on record
    record_consent(candidate, source="application", note="", by=recruiter)
    html = profile(recruiter_client, candidate)
    assert 'name="body"' in html
    assert "Consent on record: applied with the SMS consent box ticked" in html


@pytest.mark.parametrize("persona", ["outsider_client"])
def test_users_without_a_role_can_neither_see_nor_record_consent(request, persona, candidate):
    client = request.getfixturevalue(persona)
    assert client.post(reverse("sms:consent_record", args=[candidate.pk]), {}).status_code == 403
    assert client.post(reverse("sms:opt_out_record", args=[candidate.pk]), {}).status_code == 403
    assert client.get(reverse("sms:consent_export", args=[candidate.pk])).status_code == 403
    assert not ConsentEvent.objects.exists()


def test_the_csv_exports_quote_formulas(
    recruiter_client, administrator_client, recruiter, candidate
):
    record_consent(candidate, source="written", note='=HYPERLINK("http://x")', by=recruiter)
    set_opt_out(CANDIDATE_PHONE, opted_out=True, source="keyword", detail="STOP")
    rows = csv_rows(recruiter_client.get(reverse("sms:consent_export", args=[candidate.pk])))
    assert [(r["consent"], r["source"]) for r in rows] == [
        ("revoked", "opt_out_keyword"),
        ("granted", "written"),
    ]
    assert rows[1]["note"] == '\'=HYPERLINK("http://x")'
    assert rows[1]["recorded_by"] == "Riley Recruiter" and rows[1]["candidate"] == "Ada Lovelace"
    assert rows[0]["phone_number"] == CANDIDATE_PHONE
    ledger = administrator_client.get(reverse("sms:consent_ledger_export"))
    assert ledger["Content-Disposition"].startswith('attachment; filename="sms-consent-ledger-')
    assert len(csv_rows(ledger)) == 2
