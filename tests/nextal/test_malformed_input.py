"""Malformed input found by attack: each was a 500 (the fuzz test, test_view_fuzz.py, keeps the
rest of the site honest)."""

from django.urls import reverse

from sms.models import Thread
from tests.factories import CandidateFactory


def test_a_nul_character_in_a_parameter_is_a_400(recruiter_client):
    response = recruiter_client.get(reverse("candidates:list"), {"q": "ada\x00"})
    assert response.status_code == 400
    assert b"NUL" in response.content
    response = recruiter_client.post(reverse("candidates:create"), {"first_name": "\x00"})
    assert response.status_code == 400


def test_link_with_a_candidate_that_is_not_an_id(administrator_client):
    unknown = Thread.objects.create(phone_number="+61400000999")
    link = reverse("sms:link_thread", args=[unknown.pk])
    for value in ("abc", "9" * 5000, "-1", ""):
        response = administrator_client.post(link, {"candidate": value})
        assert response.status_code == 302
        assert response.url == reverse("sms:inbox_thread", args=[unknown.pk])
    assert Thread.objects.get(pk=unknown.pk).candidate is None


def test_an_id_of_5000_digits_is_a_404(recruiter_client):
    assert recruiter_client.get("/candidates/" + "9" * 5000 + "/").status_code == 404
    assert recruiter_client.get("/jobs/" + "9" * 19 + "/").status_code == 404


def test_the_phone_check_ignores_a_candidate_that_is_not_an_id(recruiter_client):
    CandidateFactory(first_name="Ada", phone="+12025550143")
    url = reverse("candidates:phone_check")
    response = recruiter_client.get(url, {"phone": "+12025550143", "candidate": "9" * 5000})
    assert response.status_code == 200
    assert "Ada" in response.content.decode()


def test_a_next_that_is_not_a_path_falls_back(rf):
    """redirect("abc") takes it for a view name and raises NoReverseMatch: a 500."""
    from core.redirects import safe_next

    for target in ("abc", "https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        assert safe_next(rf.post("/", {"next": target}), "/fallback/") == "/fallback/"
    assert safe_next(rf.post("/", {"next": "/jobs/1/"}), "/fallback/") == "/jobs/1/"
