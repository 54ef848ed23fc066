"""Helpers for the sign-in tests: signing in through the real form, and TOTP codes."""

import pyotp
import pytest
from django.urls import reverse

from accounts.two_factor import enrolment

LOGIN = "/accounts/login/"


def sign_in(client, username, password="password", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def totp_for(device, *, offset_steps=0):
    """The code an authenticator app shows now for `device` (pyotp, from the same secret)."""
    import time
    from base64 import b32encode

    totp = pyotp.TOTP(b32encode(device.bin_key).decode(), interval=device.step)
    return totp.at(time.time() + offset_steps * device.step)


@pytest.fixture
def enrolled(rf):
    """Turn two-factor sign-in on for a user: returns (device, recovery codes)."""

    def _enrol(user):
        request = rf.post("/")
        request.headers  # noqa: B018 (the request the events are recorded for)
        device = enrolment.pending_device(user)
        codes = enrolment.confirm(request, device, totp_for(device))
        assert codes is not None
        device.refresh_from_db()
        return device, codes

    return _enrol


@pytest.fixture
def verify_url():
    return reverse("accounts:verify")
