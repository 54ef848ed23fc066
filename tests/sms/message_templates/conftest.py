"""Fixtures for the SMS Templates administration tests."""

import pytest

from sms.models import SmsTemplate


@pytest.fixture
def invite(db, administrator):
    return SmsTemplate.objects.create(
        name="Interview invite",
        body="Hi {{first_name}}, can we talk about {{job_title}} this week? {{recruiter_name}}",
        created_by=administrator,
    )
