"""SMS in pages: the profile's Messages area and Send SMS button, and how messages read.

The conversation component's context is built by sms/conversations/context.py.
"""

from django import template
from django.utils import timezone

from core.time_zones import zone_or_none
from sms.consent_records.context import consent_section
from sms.conversations import queries
from sms.conversations.context import (
    PROFILE,
    conversation_context,
    sending_answer,
    sending_state,
)
from sms.conversations.forms import DATETIME_LOCAL
from sms.eligibility import SendingBlock
from sms.models import Direction, MessageStatus, can_send_again
from sms.optouts import opted_out_line, standing_for

register = template.Library()

STATUS_BADGES = {
    MessageStatus.QUEUED: "badge",
    MessageStatus.SENDING: "badge badge-info",
    MessageStatus.SENT: "badge badge-primary",
    MessageStatus.DELIVERED: "badge badge-success",
    MessageStatus.UNDELIVERED: "badge badge-danger",
    MessageStatus.FAILED: "badge badge-danger",
    MessageStatus.UNKNOWN: "badge badge-warning",
    MessageStatus.CANCELED: "badge",
}


@register.inclusion_tag("sms/candidate_messages.html", takes_context=True)
def candidate_messages(context, candidate):
    """The Messages area of a candidate profile: `{% candidate_messages candidate %}`."""
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    area = conversation_context(user=user, candidate=candidate, where=PROFILE)
    area["request"] = request
    return area


@register.inclusion_tag("sms/consent/_section.html", takes_context=True)
def candidate_sms_consent(context, candidate):
    """The profile's SMS consent section: `{% candidate_sms_consent candidate %}`."""
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    if not user.has_perm("sms.view_consentevent"):
        return {"show": False}
    _, check = sending_answer(candidate)
    standing = check.standing
    if check.block is not None and check.block.kind == SendingBlock.PROVIDER:
        standing = standing_for(check.number)  # SMS is off: the check stopped before it
    section = consent_section(candidate, user=user, standing=standing)
    section["opted_out_line"] = opted_out_line(standing) if section["opted_out"] else ""
    section["request"] = request
    section["show"] = True
    return section


@register.inclusion_tag("sms/_send_button.html", takes_context=True)
def sms_send_button(context, candidate):
    """The profile header's Send SMS button, or a disabled one that says why SMS can't go out."""
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    if not user.has_perm("sms.send_sms"):
        return {"show": False}
    _, block = sending_state(candidate)
    return {"show": True, "candidate": candidate, "sending_block": block}


# --- How messages read ------------------------------------------------------------------------


@register.filter
def sms_status_badge(message) -> str:
    """CSS classes of a message's status badge."""
    return STATUS_BADGES.get(message.status, "badge")


@register.filter
def sms_status_label(message) -> str:
    """The status as a recruiter reads it (a retry and a scheduled send are still "queued")."""
    if message.direction == Direction.INBOUND:
        return "Received"
    if message.status == MessageStatus.QUEUED:
        if message.scheduled_for and message.attempts == 0:
            return "Scheduled"
        if message.attempts:
            return "Retrying"
    return message.get_status_display()


@register.filter
def sms_can_retry(message) -> bool:
    """Whether a Retry button belongs under this message (once: a retry is a new message)."""
    return (
        message.direction == Direction.OUTBOUND
        and can_send_again(message)
        and not message.is_test
        and not getattr(message, "was_retried", False)
    )


@register.filter
def sms_cursor(message) -> str:
    """The message's position in its conversation ("Load earlier", refreshes)."""
    return queries.encode_cursor(message.sort_at, message.pk)


@register.filter
def sms_author(message) -> str:
    """Who sent an outbound message: the recruiter, or what sent it on its own."""
    if message.sent_by is not None:
        return message.sent_by.get_full_name() or message.sent_by.get_username()
    if message.is_test:
        return "Test message"
    return "Nextal"


@register.filter
def sms_hold_label(message, candidate=None) -> str:
    """ "Held for quiet hours — goes out 08:00 Tue (Ada's time)" for a held message."""
    if not message.held_for or message.next_attempt_at is None:
        return ""
    zone = zone_or_none(message.recipient_zone) or timezone.get_current_timezone()
    local = message.next_attempt_at.astimezone(zone)
    first_name = getattr(candidate, "first_name", "") if candidate is not None else ""
    whose = f"{first_name}'s time" if first_name else "their time"
    return f"Held for quiet hours — goes out {local:%H:%M} {local:%a} ({whose})"


@register.filter
def sms_datetime_local(value) -> str:
    """A value for <input type="datetime-local">: typed text as is, a datetime in local time."""
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime(DATETIME_LOCAL)
    return value or ""


@register.filter
def sms_when(moment) -> str:
    """A compact time for lists: "14:05" today, "Mar 3" this year, "Mar 3, 2024" before."""
    if not moment:
        return ""
    local = timezone.localtime(moment)
    today = timezone.localtime().date()
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.year == today.year:
        return f"{local:%b} {local.day}"
    return f"{local:%b} {local.day}, {local.year}"


@register.filter
def sms_day(moment) -> str:
    """A day separator in a conversation: "Today", "Yesterday", "Monday, March 3"."""
    local = timezone.localtime(moment).date()
    today = timezone.localtime().date()
    if local == today:
        return "Today"
    if (today - local).days == 1:
        return "Yesterday"
    if local.year == today.year:
        return f"{local:%A}, {local:%B} {local.day}"
    return f"{local:%A}, {local:%B} {local.day}, {local.year}"


@register.filter
def initials(name: str) -> str:
    """Two letters for an avatar."""
    parts = [p for p in (name or "").split() if p[:1].isalpha()]
    return "".join(p[0] for p in parts[:2]).upper() or "#"
