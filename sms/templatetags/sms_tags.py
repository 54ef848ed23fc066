"""SMS in pages: the conversation component's context (shared by the inbox and the candidate
profile), the profile's Messages area and Send SMS button, and how messages are labelled."""

from django import template
from django.urls import reverse
from django.utils import timezone

from nextal.phone import display
from sms import queries, services
from sms.forms import DATETIME_LOCAL, ComposeForm
from sms.models import Direction, MessageStatus, Thread

register = template.Library()

INBOX, PROFILE = "inbox", "profile"
# Every few seconds while the page is visible; an unchanged conversation costs one query.
POLL_TRIGGER = "every 3s [document.visibilityState === 'visible']"

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


# --- The conversation component -----------------------------------------------------------------


def conversation_key(*, candidate=None, thread=None) -> str:
    """The component's DOM id suffix: per candidate (profile, inbox) or per unknown number."""
    return f"c{candidate.pk}" if candidate is not None else f"t{thread.pk}"


def _sending_state(candidate):
    """(active integration, SendingBlock or None), looked up once per candidate per request: the
    profile's header button and its Messages area both need them."""
    cached = getattr(candidate, "_sms_sending_state", None)
    if cached is None:
        integration = services.active_integration()
        cached = (integration, services.sending_block(candidate, integration=integration))
        candidate._sms_sending_state = cached
    return cached


def conversation_body_context(
    *,
    user,
    candidate=None,
    thread=None,
    where=PROFILE,
    since="",
    action_error="",
    action_message_id=None,
) -> dict:
    """The refreshable part of a conversation: its messages, scheduled ones and the poller.

    The version is read (with the thread) before the messages, so a change that lands in between
    is shown now and polled again, never missed.
    """
    if thread is None and candidate is not None:
        thread = Thread.objects.filter(candidate=candidate).first()
    if candidate is None and thread is not None and thread.candidate_id:
        candidate = thread.candidate
    key = conversation_key(candidate=candidate, thread=thread)
    sms_messages, has_earlier = queries.conversation_messages(thread, since=since)
    if where == INBOX and thread is not None:
        poll_url = reverse("sms:inbox_thread_poll", args=[thread.pk])
    else:
        poll_url = reverse("sms:candidate_poll", args=[candidate.pk])
    version = queries.version_token(thread.changed_at if thread is not None else None)
    if where == INBOX and thread is not None:
        return_url = reverse("sms:inbox_thread", args=[thread.pk])
    else:
        return_url = reverse("candidates:detail", args=[candidate.pk])
    return {
        "key": key,
        "return_url": return_url,
        "candidate": candidate,
        "thread": thread,
        "where": where,
        "sms_messages": sms_messages,
        "has_earlier": has_earlier,
        "scheduled": queries.scheduled_messages(thread),
        "version": version,
        "poll_url": f"{poll_url}?v={version}",
        "poll_trigger": POLL_TRIGGER,
        "can_act": user.has_perm("sms.send_sms"),
        "action_error": action_error,
        "action_message_id": action_message_id,
    }


# The sending block is named `sending_block` in templates: inside `{% block %}` Django binds
# `block` to the template block itself, which would shadow it.
def conversation_context(
    *,
    user,
    candidate=None,
    thread=None,
    where=PROFILE,
    form=None,
    notice="",
    refused="",
) -> dict:
    """Everything the conversation component shows: messages and a composer, or why not."""
    context = conversation_body_context(user=user, candidate=candidate, thread=thread, where=where)
    candidate = context["candidate"]
    can_send = user.has_perm("sms.send_sms") and candidate is not None
    integration, block = _sending_state(candidate) if can_send else (None, None)
    if can_send and not block and form is None:
        form = ComposeForm(auto_id=f"sms-%s-{candidate.pk}")
    body_value = (form["body"].value() or "") if form is not None else ""
    context.update(
        {
            "can_send": can_send,
            "can_open_inbox": user.has_perm("sms.view_inbox"),
            "sending_block": block,
            "integration": integration,
            "form": form if can_send and not block else None,
            "body_value": body_value,
            "preview_on_load": "{{" in body_value,
            "max_body_chars": services.MAX_BODY_CHARS,
            # Browsers offer no earlier time in the picker; the form checks again on submit.
            "schedule_min": timezone.localtime().strftime(DATETIME_LOCAL),
            "notice": notice,
            "refused": refused,
            "time_zone": timezone.get_current_timezone_name(),
        }
    )
    return context


def compose_form(data, candidate) -> ComposeForm:
    return ComposeForm(data, auto_id=f"sms-%s-{candidate.pk}")


@register.inclusion_tag("sms/candidate_messages.html", takes_context=True)
def candidate_messages(context, candidate):
    """The Messages area of a candidate profile: `{% candidate_messages candidate %}`."""
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    area = conversation_context(user=user, candidate=candidate, where=PROFILE)
    area["request"] = request
    return area


@register.inclusion_tag("sms/_send_button.html", takes_context=True)
def sms_send_button(context, candidate):
    """The profile header's Send SMS button, or a disabled one that says why SMS can't go out."""
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    if not user.has_perm("sms.send_sms"):
        return {"show": False}
    _, block = _sending_state(candidate)
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
        and message.status in services.RETRYABLE_STATUSES
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
def sms_datetime_local(value) -> str:
    """A value for <input type="datetime-local">: typed text as is, a datetime in local time."""
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime(DATETIME_LOCAL)
    return value or ""


@register.filter
def sms_number(number: str) -> str:
    """A phone number for people ("+1 202-555-0143"); short codes as they are."""
    return display(number) if number and number.startswith("+") else number


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
