"""Administration -> Sign-in log: what the event log records (role and admin-flag changes here;
sign-ins, lockouts and two-factor in their own tests), who may read it, bounded and paginated."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import AuthEvent, AuthEventKind
from core.roles import ADMINISTRATORS, RECRUITERS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOG = "/administration/sign-in-log/"


def test_only_administrators_read_the_log(administrator_client, recruiter):
    assert administrator_client.get(LOG).status_code == 200
    menu = administrator_client.get("/administration/integrations/").content.decode()
    assert f'href="{LOG}"' in menu
    administrator_client.force_login(recruiter)
    assert administrator_client.get(LOG).status_code == 403


def test_role_changes_in_the_django_admin_name_who_made_them(client):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    ada = UserFactory(username="ada")
    client.force_login(root)
    administrators = Group.objects.get(name=ADMINISTRATORS)
    form = {
        "username": "ada",
        "is_active": "on",
        "is_staff": "on",
        "groups": [administrators.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "09:00:00",
    }
    response = client.post(reverse("admin:auth_user_change", args=[ada.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    added = AuthEvent.objects.get(kind=AuthEventKind.ROLE_ADDED, user=ada)
    assert (added.detail, added.actor) == (ADMINISTRATORS, root)
    flags = AuthEvent.objects.get(kind=AuthEventKind.ADMIN_FLAGS_CHANGED, user=ada)
    assert (flags.detail, flags.actor) == ("is_staff on", root)


def test_roles_changed_from_either_side_are_recorded():
    ada = UserFactory(username="ada")
    recruiters = Group.objects.get(name=RECRUITERS)
    recruiters.user_set.add(ada)
    ada.groups.remove(recruiters)
    kinds = list(AuthEvent.objects.filter(user=ada).values_list("kind", "detail"))
    assert kinds == [
        (AuthEventKind.ROLE_REMOVED, RECRUITERS),
        (AuthEventKind.ROLE_ADDED, RECRUITERS),
    ]


def test_saving_a_user_without_flag_changes_records_nothing():
    ada = UserFactory(username="ada")
    ada.first_name = "Ada"
    ada.save()
    assert not AuthEvent.objects.filter(kind=AuthEventKind.ADMIN_FLAGS_CHANGED).exists()


def _events(count, **fields):
    AuthEvent.objects.bulk_create(
        AuthEvent(
            kind=AuthEventKind.SIGN_IN_FAILED, username=f"user{i % 7}", detail=f"#{i}", **fields
        )
        for i in range(count)
    )


def test_the_log_is_paginated_newest_first_and_filtered(administrator_client):
    AuthEvent.objects.all().delete()  # the persona's own sign-in and role
    _events(120)
    page = administrator_client.get(LOG)
    rows = page.context["page"].object_list
    assert len(rows) == 50 and rows[0].detail == "#119"
    assert "Page 1 of 3" in page.content.decode()
    last = administrator_client.get(LOG, {"page": 3}).context["page"].object_list
    assert len(last) == 20
    filtered = administrator_client.get(LOG, {"user": "USER3", "kind": "sign_in_failed"})
    assert {e.username for e in filtered.context["page"].object_list} == {"user3"}
    unknown = administrator_client.get(LOG, {"kind": "nonsense", "page": "abc"})
    assert unknown.status_code == 200 and unknown.context["kind"] == ""
    odd = administrator_client.get(LOG, {"user": "us\x00er3" + "x" * 500, "page": "9" * 50})
    assert odd.status_code == 200


def test_the_log_reads_in_a_bounded_number_of_queries(
    administrator_client, administrator, django_assert_max_num_queries
):
    administrator_client.get(LOG)  # warm: the session and permissions
    _events(10, actor=administrator)
    with django_assert_max_num_queries(8) as small:
        administrator_client.get(LOG)
    _events(400, actor=administrator)
    with django_assert_max_num_queries(8) as large:
        administrator_client.get(LOG)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_lockouts_page_reads_in_a_bounded_number_of_queries(
    administrator_client, client, django_assert_max_num_queries
):
    from tests.accounts.conftest import sign_in

    administrator_client.get(reverse("accounts:lockouts"))
    for name in ("ada", "bea", "cy"):
        for _ in range(5):
            sign_in(client, name, "wrong")
    with django_assert_max_num_queries(8):
        page = administrator_client.get(reverse("accounts:lockouts"))
    assert page.content.decode().count("Unlock ") == 3


def test_an_event_cannot_be_changed_even_past_the_orm():
    from django.db import DatabaseError, transaction

    ada = UserFactory(username="ada")
    event = AuthEvent.objects.create(kind=AuthEventKind.SIGNED_IN, user=ada, username="ada")
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuthEvent.objects.filter(pk=event.pk).update(kind=AuthEventKind.SIGN_IN_FAILED)
    # Deleting the account clears the link; the event and its username stay.
    ada.delete()
    event.refresh_from_db()
    assert (event.user_id, event.username, event.kind) == (None, "ada", AuthEventKind.SIGNED_IN)
