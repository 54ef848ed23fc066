"""seed_demo: demo data a new engineer can log into, created once however often it runs."""

from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from candidates.models import Application, Candidate, Job, TimelineEvent
from core.phone import to_e164_or_none
from sms.models import Message, OptOut, SmsTemplate, Thread


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_creates_demo_data_with_working_logins(db):
    output = seed()
    assert "username: admin" in output and "password: nextal-admin-demo" in output
    # django-axes watches every sign-in, so authenticate() needs the request it comes with.
    request = RequestFactory().post("/accounts/login/")
    admin = authenticate(request, username="admin", password="nextal-admin-demo")
    recruiter = authenticate(request, username="recruiter", password="nextal-recruiter-demo")
    assert admin.has_perm("integrations.manage_integrations")
    assert recruiter.has_perm("sms.send_sms")
    assert not recruiter.has_perm("integrations.manage_integrations")
    assert Job.objects.count() == 2
    assert all(job.stages.count() == 6 for job in Job.objects.all())
    assert Candidate.objects.count() == 30
    assert all(to_e164_or_none(c.phone) == c.phone for c in Candidate.objects.all())
    assert Application.objects.count() == 30
    assert SmsTemplate.objects.filter(is_active=True).count() >= 3
    assert TimelineEvent.objects.filter(kind=TimelineEvent.Kind.MOVED).exists()
    # A few conversations so the Inbox has something to show, one of them an opt-out.
    assert Thread.objects.filter(unread_count__gt=0).count() == 3
    assert OptOut.objects.filter(opted_out=True).count() == 1


def test_it_is_idempotent(db):
    seed()
    models = (Candidate, Application, TimelineEvent, Thread, Message)
    counts = [model.objects.count() for model in models]
    output = seed()
    assert "(0 new)" in output
    assert counts == [model.objects.count() for model in models]


def test_every_demo_conversation_has_a_preview_in_the_inbox(db):
    seed()
    assert Thread.objects.count() == 4
    assert not Thread.objects.filter(last_message_preview="").exists()


def test_it_says_when_the_admin_must_set_up_two_factor_sign_in(db, settings):
    assert "REQUIRE_2FA_FOR_ADMINS" not in seed()
    settings.REQUIRE_2FA_FOR_ADMINS = True
    assert "REQUIRE_2FA_FOR_ADMINS is on" in seed()
