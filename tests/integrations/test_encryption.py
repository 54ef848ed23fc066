"""Secrets at rest: only ciphertext in the column, key rotation, and keys that don't fit."""

import io
import json

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import connection
from django.urls import reverse

from integrations import services
from integrations.models import Integration
from integrations.providers import provider_for

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def raw_secret(integration):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret FROM integrations_integration WHERE id = %s", [integration.pk]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def stored_secret(settings, configured_twilio):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    configured_twilio.secret = SECRET
    configured_twilio.secret_last4 = SECRET[-4:]
    configured_twilio.save()
    return configured_twilio


def test_the_column_holds_only_ciphertext(stored_secret):
    raw = raw_secret(stored_secret)

    assert SECRET not in raw
    assert raw != SECRET
    assert Fernet(OLD_KEY.encode()).decrypt(raw.encode()).decode() == SECRET
    assert Integration.objects.get(pk=stored_secret.pk).secret == SECRET


def test_each_save_uses_a_fresh_token(stored_secret):
    first = raw_secret(stored_secret)
    stored_secret.save()
    assert raw_secret(stored_secret) != first  # Fernet tokens carry a random IV


def test_rotation_re_encrypts_with_the_new_first_key(settings, stored_secret):
    before = raw_secret(stored_secret)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = io.StringIO()

    call_command("rotate_encryption_keys", stdout=out)

    after = raw_secret(stored_secret)
    assert after != before
    assert Fernet(NEW_KEY.encode()).decrypt(after.encode()).decode() == SECRET
    assert "Re-encrypted 1 secret(s)" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key can now be dropped
    assert Integration.objects.get(pk=stored_secret.pk).secret == SECRET


def test_rotation_reports_and_keeps_what_it_cannot_decrypt(settings, stored_secret, clicksend_row):
    clicksend_row.secret = "clicksend-key-1234"
    clicksend_row.save()
    before = raw_secret(stored_secret)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key is lost: Twilio's token is stuck
    out, err = io.StringIO(), io.StringIO()

    # Not 0: a rotation script must not go on to drop the old key (CommandError exits 1).
    with pytest.raises(CommandError) as failed:
        call_command("rotate_encryption_keys", stdout=out, stderr=err)

    assert raw_secret(stored_secret) == before  # reported, not destroyed
    assert "Re-encrypted 0 secret(s)" in out.getvalue()
    assert f"integrations.Integration #{stored_secret.pk} secret" in str(failed.value)
    assert failed.value.returncode == 1
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    assert Integration.objects.get(pk=stored_secret.pk).secret == SECRET


class TestAWrongKey:
    @pytest.fixture(autouse=True)
    def wrong_key(self, settings, stored_secret):
        settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]

    def test_the_secret_loads_as_unusable_not_as_garbage(self, stored_secret):
        integration = Integration.objects.get(pk=stored_secret.pk)

        assert integration.secret_undecryptable
        assert not integration.has_secret
        assert not integration.can_send
        assert provider_for(integration).credentials.secret == ""

    def test_the_card_asks_to_re_enter_the_auth_token(self, administrator_client, stored_secret):
        response = administrator_client.get(reverse("integrations:list"))

        assert response.status_code == 200
        html = response.content.decode()
        assert "cannot be decrypted" in html
        assert "re-enter the Auth Token" in html
        assert raw_secret(stored_secret) not in html

    def test_the_system_check_reports_it(self, stored_secret):
        errors = [e for e in run_checks(databases=["default"]) if e.id == "integrations.E001"]

        assert len(errors) == 1
        assert errors[0].obj == stored_secret
        with pytest.raises(SystemCheckError, match=r"integrations\.E001"):
            call_command("check", databases=["default"], stdout=io.StringIO())

    def test_saving_settings_keeps_the_stored_token(self, stored_secret, administrator):
        before = raw_secret(stored_secret)
        integration = Integration.objects.get(pk=stored_secret.pk)

        services.update_settings(
            integration,
            phone_number="+1 202 555 0199",
            account_id=integration.account_id,
            activate=True,
            by=administrator,
        )

        assert raw_secret(stored_secret) == before
        assert Integration.objects.get(pk=stored_secret.pk).is_active


def test_the_system_check_is_quiet_when_keys_fit(stored_secret):
    assert not [e for e in run_checks(databases=["default"]) if e.id == "integrations.E001"]


# --- Backups and fixtures carry ciphertext -------------------------------------------------------


def test_dumpdata_exports_ciphertext_and_loaddata_brings_the_secret_back(
    settings, stored_secret, tmp_path
):
    out = io.StringIO()
    call_command("dumpdata", "integrations.integration", stdout=out)
    dump = out.getvalue()
    assert SECRET not in dump
    row = next(r for r in json.loads(dump) if r["pk"] == stored_secret.pk)
    token = row["fields"]["secret"]
    assert Fernet(OLD_KEY.encode()).decrypt(token.encode()).decode() == SECRET

    fixture = tmp_path / "integrations.json"
    fixture.write_text(dump)
    Integration.objects.filter(pk=stored_secret.pk).update(secret="")
    call_command("loaddata", str(fixture), verbosity=0)
    assert Integration.objects.get(pk=stored_secret.pk).secret == SECRET
    assert raw_secret(stored_secret) != SECRET  # encrypted once, not twice or never
    assert Fernet(OLD_KEY.encode()).decrypt(raw_secret(stored_secret).encode()) == SECRET.encode()


def test_an_undecryptable_secret_round_trips_unchanged(settings, stored_secret, tmp_path):
    before = raw_secret(stored_secret)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    out = io.StringIO()
    call_command("dumpdata", "integrations.integration", stdout=out)
    fixture = tmp_path / "integrations.json"
    fixture.write_text(out.getvalue())
    call_command("loaddata", str(fixture), verbosity=0)
    assert raw_secret(stored_secret) == before


# --- Malformed keys are refused at start-up ------------------------------------------------------


@pytest.mark.parametrize(
    "keys",
    [["not-a-fernet-key"], [OLD_KEY, "short"], [OLD_KEY[:-2] + "!!"]],
)
@pytest.mark.parametrize("debug", [True, False])
def test_a_malformed_key_is_refused_at_start_up(settings, keys, debug):
    from django.core.exceptions import ImproperlyConfigured

    from nextal.checks import check_secrets, raise_for_configuration_errors

    settings.DEBUG = debug
    settings.FIELD_ENCRYPTION_KEYS = keys
    assert "nextal.E005" in {e.id for e in check_secrets()}
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS is malformed"):
        raise_for_configuration_errors()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert "nextal.E005" not in {e.id for e in check_secrets()}
