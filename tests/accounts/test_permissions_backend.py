"""A user's permissions, their own and their groups', are read in one query per request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from tests.factories import UserFactory


def test_own_and_group_permissions_in_one_query(db, django_assert_num_queries):
    user = UserFactory(username="mixed")
    user.user_permissions.add(Permission.objects.get(codename="view_job"))
    group = Group.objects.create(name="Texters")
    group.permissions.add(Permission.objects.get(codename="send_sms"))
    user.groups.add(group)
    user = get_user_model().objects.get(pk=user.pk)  # no permission cache yet
    with django_assert_num_queries(1):
        assert user.has_perm("candidates.view_job")
        assert user.has_perm("sms.send_sms")
        assert not user.has_perm("sms.manage_sms_policy")
        assert not user.has_perm("integrations.manage_integrations")
    assert user.get_all_permissions() == {"candidates.view_job", "sms.send_sms"}


def test_inactive_users_have_none_and_superusers_all(db):
    inactive = UserFactory(username="gone", is_active=False)
    inactive.user_permissions.add(Permission.objects.get(codename="view_job"))
    assert not get_user_model().objects.get(pk=inactive.pk).has_perm("candidates.view_job")
    boss = UserFactory(username="boss", is_superuser=True)
    assert len(boss.get_all_permissions()) == Permission.objects.count()
