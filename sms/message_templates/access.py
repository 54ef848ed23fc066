"""Who sees and changes which templates. Shared templates (no owner) are managed by
administrators (`sms.manage_templates`) and offered to everyone; a personal template is its
owner's alone: only they see it in lists and pickers, and only they change it."""

from django.db.models import Q

MANAGE = "sms.manage_templates"
SEND = "sms.send_sms"


def visible_to(user) -> Q:
    """Shared templates and the user's own personal ones."""
    if user is None or not user.is_authenticated:
        return Q(owner__isnull=True)
    return Q(owner__isnull=True) | Q(owner=user)


def can_use_templates(user) -> bool:
    return user.is_authenticated and (user.has_perm(MANAGE) or user.has_perm(SEND))


def can_manage_shared(user) -> bool:
    return user.is_authenticated and user.has_perm(MANAGE)


def can_change(user, template) -> bool:
    if template.owner_id is not None:
        return template.owner_id == user.pk
    return can_manage_shared(user)
