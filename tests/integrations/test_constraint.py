"""Only one SMS provider is active: the database constraint and the switching service."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from integrations import services
from integrations.models import AuditEntry, Integration
from tests.helpers.providers import provider_row


def test_it_refuses_two_active_rows_in_the_database(twilio_row, clicksend_row):
    Integration.objects.filter(pk=twilio_row.pk).update(is_active=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Integration.objects.filter(pk=clicksend_row.pk).update(is_active=True)
    assert list(Integration.objects.filter(is_active=True)) == [twilio_row]


def test_it_allows_no_active_row(twilio_row, clicksend_row):
    Integration.objects.update(is_active=False)
    assert Integration.objects.filter(is_active=True).count() == 0


def test_activating_one_deactivates_the_other(twilio_row, clicksend_row, administrator):
    services.activate_provider(twilio_row, by=administrator)
    deactivated = services.activate_provider(clicksend_row, by=administrator)

    assert deactivated == [Integration.objects.get(kind="twilio")]
    assert {i.kind: i.is_active for i in Integration.objects.all()} == {
        "twilio": False,
        "clicksend": True,
    }
    assert clicksend_row.is_active  # the caller's instance follows the committed state


def test_activating_the_active_provider_changes_nothing(twilio_row, administrator):
    services.activate_provider(twilio_row, by=administrator)
    entries = AuditEntry.objects.count()

    assert services.activate_provider(twilio_row, by=administrator) == []
    assert AuditEntry.objects.count() == entries


def test_deactivating_leaves_no_provider_active(twilio_row, administrator):
    services.activate_provider(twilio_row, by=administrator)

    assert services.deactivate_provider(twilio_row, by=administrator) is True
    assert services.deactivate_provider(twilio_row, by=administrator) is False
    assert not Integration.objects.filter(is_active=True).exists()


def test_it_works_from_a_stale_instance(twilio_row, clicksend_row, administrator):
    stale_clicksend = Integration.objects.get(pk=clicksend_row.pk)
    services.activate_provider(clicksend_row, by=administrator)
    services.activate_provider(twilio_row, by=administrator)

    # This instance still believes ClickSend is active; the service reads the locked rows.
    services.activate_provider(stale_clicksend, by=administrator)
    assert list(Integration.objects.filter(is_active=True)) == [clicksend_row]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_activations_end_with_exactly_one_active(administrator):
    """Two administrators activate different providers at the same instant, many times over."""
    provider_row("twilio")
    provider_row("clicksend")
    rounds = 10
    for _ in range(rounds):
        Integration.objects.update(is_active=False)
        barrier = threading.Barrier(2, timeout=10)
        errors = []

        def activate(kind, barrier=barrier, errors=errors):
            try:
                integration = Integration.objects.get(kind=kind)
                barrier.wait()
                services.activate_provider(integration, by=administrator)
            except Exception as exc:
                errors.append(exc)
            finally:
                connection.close()  # each thread has its own connection

        threads = [threading.Thread(target=activate, args=(k,)) for k in ("twilio", "clicksend")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
            assert not thread.is_alive(), "an activation did not finish in 30 s"

        assert errors == []
        active = list(Integration.objects.filter(is_active=True))
        assert len(active) == 1
        # Both switches ran, one after the other: the winner is the one activated last.
        last_activation = AuditEntry.objects.filter(action=AuditEntry.Action.ACTIVATED).first()
        assert last_activation.integration == active[0]

    activations = AuditEntry.objects.filter(action=AuditEntry.Action.ACTIVATED).count()
    assert activations == 2 * rounds
