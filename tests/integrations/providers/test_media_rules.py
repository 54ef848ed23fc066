"""What each provider can send by MMS, asked before a message is queued: ClickSend's MMS API
takes one JPEG or GIF of at most 250 kB; Twilio fetches the file from our URL and refuses
nothing up front (its own limits come back as a send error)."""

import pytest

from integrations.providers.clicksend import MMS_MAX_BYTES, ClickSendProvider
from integrations.providers.twilio import TwilioProvider

ONLY_JPEG_GIF = "ClickSend sends only JPEG and GIF images by MMS; attach one of those."
TOO_LARGE = "ClickSend's MMS takes files up to 250 kB; attach a smaller image."


@pytest.mark.parametrize("content_type", ["image/jpeg", "image/gif"])
def test_clicksend_takes_a_jpeg_or_gif_up_to_250_kb(content_type):
    assert MMS_MAX_BYTES == 250 * 1024
    assert ClickSendProvider.media_refusal(content_type=content_type, size=MMS_MAX_BYTES) is None
    assert ClickSendProvider.media_refusal(content_type=content_type, size=1) is None


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf", "IMAGE/JPEG", ""])
def test_clicksend_refuses_other_types_whatever_their_size(content_type):
    assert ClickSendProvider.media_refusal(content_type=content_type, size=1) == ONLY_JPEG_GIF


def test_clicksend_refuses_a_byte_over_250_kb():
    refusal = ClickSendProvider.media_refusal(content_type="image/jpeg", size=MMS_MAX_BYTES + 1)
    assert refusal == TOO_LARGE


def test_twilio_refuses_nothing_up_front():
    assert TwilioProvider.media_refusal(content_type="application/pdf", size=5_000_000) is None


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        (
            {"_media_file_url": "https://cdn.clicksend.com/m/1.jpg"},
            "https://cdn.clicksend.com/m/1.jpg",
        ),
        (
            {"media_file_url": " HTTPS://cdn.clicksend.com/m/2.gif "},
            "HTTPS://cdn.clicksend.com/m/2.gif",
        ),
        ({"media_file": "http://example.com/3.jpg"}, "http://example.com/3.jpg"),
    ],
)
def test_a_clicksend_inbound_mms_names_its_file_by_url(raw, url):
    from integrations.providers.clicksend import _media

    assert [media.url for media in _media(raw)] == [url]


@pytest.mark.parametrize("value", ["", "ftp://example.com/x.jpg", "1.jpg", None, 42])
def test_a_clicksend_field_that_is_no_web_url_is_no_file(value):
    from integrations.providers.clicksend import _media

    assert _media({"_media_file_url": value}) == ()
