"""Signal receivers that write the event log and settle what a new session owes.

Sign-ins and failures come from django.contrib.auth's signals (the sign-in page and the Django
admin's login alike), lockouts from what django-axes marked on the failed request, role changes
from the user's groups and its staff/superuser flags however they were changed (Django admin or
code)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver

from accounts.events import record
from accounts.middleware import current_actor, mark_seen
from accounts.models import AuthEventKind
from accounts.two_factor import state

User = get_user_model()


@receiver(user_logged_in, dispatch_uid="accounts.signed_in")
def signed_in(sender, request, user, **kwargs):
    owed = state.state_after_password(user)
    if request is not None and hasattr(request, "session"):
        request.session[state.SESSION_KEY] = owed
        mark_seen(request.session)
    detail = {
        state.VERIFY: "password accepted; second factor next",
        state.ENROL: "password accepted; must set up two-factor sign-in",
    }.get(owed, "")
    record(AuthEventKind.SIGNED_IN, request=request, user=user, detail=detail)


@receiver(user_logged_out, dispatch_uid="accounts.signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuthEventKind.SIGNED_OUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    """Runs after django-axes counted the failure (its receiver is connected first)."""
    username = str(credentials.get("username", ""))
    user = User.objects.filter(username=username).first() if username else None
    already_locked = bool(getattr(request, "refused_while_locked", False))
    record(
        AuthEventKind.SIGN_IN_FAILED,
        request=request,
        user=user,
        username=username,
        detail="refused: locked out" if already_locked else "wrong username or password",
    )
    if getattr(request, "axes_locked_out", False) and not already_locked:
        record(
            AuthEventKind.LOCKED_OUT,
            request=request,
            user=user,
            username=username,
            detail="too many failed sign-ins from this address",
        )


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts.roles_changed")
def roles_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    kind = AuthEventKind.ROLE_ADDED if action == "post_add" else AuthEventKind.ROLE_REMOVED
    if reverse:  # group.user_set.add(...): instance is the group, pk_set the users
        users = list(User.objects.filter(pk__in=pk_set))
        groups = [instance]
    else:
        users = [instance]
        groups = list(Group.objects.filter(pk__in=pk_set))
    names = ", ".join(sorted(group.name for group in groups))
    for user in users:
        record(kind, user=user, actor=_actor(), detail=names)


@receiver(pre_save, sender=User, dispatch_uid="accounts.admin_flags_changed")
def admin_flags_changed(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"is_staff", "is_superuser"} & set(update_fields):
        return  # e.g. the last_login update at every sign-in
    before = User.objects.filter(pk=instance.pk).values("is_staff", "is_superuser").first()
    if before is None:
        return
    changes = [
        f"{flag} {'on' if getattr(instance, flag) else 'off'}"
        for flag in ("is_staff", "is_superuser")
        if before[flag] != getattr(instance, flag)
    ]
    if changes:
        record(
            AuthEventKind.ADMIN_FLAGS_CHANGED,
            user=instance,
            actor=_actor(),
            detail=", ".join(changes),
        )


def _actor():
    return current_actor.get()
