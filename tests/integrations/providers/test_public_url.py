"""Public URLs (what providers call back): a route without arguments is reversed once per URL
configuration and script prefix; PUBLIC_BASE_URL is read every time."""

import pytest
from django.urls import reverse, set_script_prefix

from integrations.providers.base import public_url


@pytest.fixture
def script_prefix():
    yield set_script_prefix
    set_script_prefix("/")


def test_a_route_is_the_public_base_and_its_path(settings):
    settings.PUBLIC_BASE_URL = "https://ats.example.com"
    assert public_url("sms:twilio_status") == "https://ats.example.com" + reverse(
        "sms:twilio_status"
    )


def test_a_new_public_base_url_is_followed(settings):
    settings.PUBLIC_BASE_URL = "https://one.example.com"
    first = public_url("sms:twilio_inbound")
    settings.PUBLIC_BASE_URL = "https://two.example.com"
    assert public_url("sms:twilio_inbound") == first.replace("one", "two", 1)


def test_a_script_prefix_is_followed(settings, script_prefix):
    settings.PUBLIC_BASE_URL = "https://ats.example.com"
    path = reverse("sms:twilio_status")
    assert public_url("sms:twilio_status") == "https://ats.example.com" + path
    script_prefix("/nextal/")
    assert public_url("sms:twilio_status") == "https://ats.example.com/nextal" + path


def test_a_route_with_arguments_is_reversed_with_them(settings):
    settings.PUBLIC_BASE_URL = "https://ats.example.com"
    url = public_url("sms:clicksend_inbound", token="abc123")
    assert url == "https://ats.example.com" + reverse(
        "sms:clicksend_inbound", kwargs={"token": "abc123"}
    )
    assert "abc123" in url
