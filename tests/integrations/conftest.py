"""Fixtures for the Integrations tests: the two provider rows and configured variants."""

from importlib import import_module

import pytest
from django.contrib.auth.models import Group, Permission

from integrations.models import Integration
from tests.fakes.fixtures import CLICKSEND_USERNAME, TWILIO_SID

TWILIO_PHONE = "+12025550143"
CLICKSEND_PHONE = "+61411111111"


def provider_row(kind):
    # A transactional test elsewhere may have flushed the rows the data migration created.
    return Integration.objects.get_or_create(kind=kind)[0]


@pytest.fixture(autouse=True)
def roles(db):
    """Recreate the role groups if a transactional test flushed what migrations created.

    (serialized_rollback cannot help: the browser tests start Playwright after the database was
    serialized, and then no longer see the serialized copy.)
    """
    for name, dotted_perms in import_module("nextal.migrations.0001_roles").ROLES.items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            for dotted in dotted_perms:
                app_label, codename = dotted.split(".")
                group.permissions.add(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )


@pytest.fixture
def twilio(db):
    return provider_row("twilio")


@pytest.fixture
def clicksend(db):
    return provider_row("clicksend")


@pytest.fixture
def configured_twilio(twilio):
    twilio.phone_number = TWILIO_PHONE
    twilio.account_id = TWILIO_SID
    twilio.save()
    return twilio


@pytest.fixture
def configured_clicksend(clicksend):
    clicksend.phone_number = CLICKSEND_PHONE
    clicksend.account_id = CLICKSEND_USERNAME
    clicksend.save()
    return clicksend
