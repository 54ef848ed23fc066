"""SMS in pages: the profile's Messages area and Send SMS button, and how messages read.

The conversation component's context is built by sms/conversations/context.py.
"""

from datetime import timedelta

from django import template
from django.utils import timezone

from core.time_zones import zone_or_none
from integrations.providers import provider_class
from sms.consent_records.context import consent_section
from sms.conversations import queries
from sms.conversations.context import (
    BOARD,
    PROFILE,
    conversation_context,
    sending_answer,
    sending_state,
)
from sms.conversations.forms import DATETIME_LOCAL
from sms.eligibility import SendingBlock
from sms.models import Direction, MessageStatus, OptOut, can_send_again
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


@register.inclusion_tag("sms/kanban/_conversation.html", takes_context=True)
def board_conversation(context, application):
    """A kanban card's Send SMS drawer: the same conversation and composer as the profile and
    the inbox, with {{job_title}} the card's job: `{% board_conversation application %}`."""
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    area = conversation_context(
        user=user, candidate=application.candidate, where=BOARD, application=application
    )
    area["request"] = request
    return area


@register.simple_tag
def sms_opted_out_numbers(columns) -> frozenset:
    """The board's numbers that opted out, in one query, so each card can say "Opted out":
    `{% sms_opted_out_numbers columns as opted_out_numbers %}`. A column is a board column
    (with `.cards`) or a (stage, cards) pair."""
    phones = {
        card.candidate.phone
        for column in columns
        for card in (column.cards if hasattr(column, "cards") else column[1])
        if card.candidate.phone
    }
    if not phones:
        return frozenset()
    return frozenset(
        OptOut.objects.filter(opted_out=True, phone_number__in=phones).values_list(
            "phone_number", flat=True
        )
    )


@register.simple_tag
def sms_opted_out_numbers_of(cards) -> frozenset:
    """`sms_opted_out_numbers` for one list of cards (a column's Show more)."""
    return sms_opted_out_numbers([(None, cards)])


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
        now = timezone.now()
        if message.attempts:
            if message.next_attempt_at and message.next_attempt_at > now:
                return f"Retrying, next at {timezone.localtime(message.next_attempt_at):%H:%M}"
            return "Retrying"
        if message.scheduled_for and not message.held_for:
            if message.scheduled_for > now:
                return "Scheduled"
            return f"Overdue since {timezone.localtime(message.scheduled_for):%H:%M}, going out"
    return message.get_status_display()


# A scheduled message that left this much after its time says so ("sent 7 min late").
LATE_AFTER = timedelta(minutes=1)


@register.filter
def sms_lateness(message) -> str:
    """ "Sent 7 min late" for a scheduled message that left well after its time (quiet-hours
    holds say when they go out instead)."""
    if not (message.scheduled_for and message.sent_at) or message.held_for:
        return ""
    late = message.sent_at - message.scheduled_for
    if late < LATE_AFTER:
        return ""
    minutes = round(late.total_seconds() / 60)
    if minutes < 120:
        return f"Sent {minutes} min late"
    return f"Sent {minutes // 60} h {minutes % 60:02d} min late"


@register.filter
def sms_failure_advice(message):
    """What a failed or undelivered message's error code means and what to do, when the
    provider knows the code (integrations/providers/failure_advice.py), else None."""
    if not (message.provider and message.error_code):
        return None
    try:
        provider = provider_class(message.provider)
    except KeyError:
        return None
    return provider.advice_for(message.error_code)


@register.filter
def sms_can_undo_cancel(message) -> bool:
    """A canceled scheduled message can be put back until its time passes."""
    return (
        message.status == MessageStatus.CANCELED
        and message.error_code == "canceled"
        and message.scheduled_for is not None
        and message.scheduled_for > timezone.now()
        and not message.attempts
    )


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
