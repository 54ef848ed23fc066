"""Template tags that put SMS into other areas' pages (the candidate profile's Messages area)."""

from django import template

from nextal.phone import display
from sms.models import Direction, MessageStatus, Thread
from sms.services import MAX_BODY_CHARS, active_integration, sending_blocker

register = template.Library()

# How many of the latest messages the profile shows (the full conversation lives in the inbox).
PROFILE_MESSAGE_LIMIT = 50
IN_FLIGHT = (MessageStatus.QUEUED, MessageStatus.SENDING)

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


def thread_messages_context(candidate) -> dict:
    """The latest messages of the candidate's thread, oldest first, in two queries."""
    thread = Thread.objects.filter(candidate=candidate).first()
    sms_messages = []
    if thread is not None:
        latest = thread.messages.select_related("sent_by").order_by("-created_at", "-id")
        sms_messages = list(latest[: PROFILE_MESSAGE_LIMIT + 1])
    truncated = len(sms_messages) > PROFILE_MESSAGE_LIMIT
    sms_messages = sms_messages[:PROFILE_MESSAGE_LIMIT][::-1]
    return {
        "candidate": candidate,
        "thread": thread,
        "sms_messages": sms_messages,
        "messages_truncated": truncated,
        "in_flight": any(m.status in IN_FLIGHT for m in sms_messages),
    }


def messages_area_context(candidate, user, *, body="", error="", notice="") -> dict:
    """Everything the Messages area shows: the thread, and a composer or why there is none."""
    integration = active_integration()
    context = thread_messages_context(candidate)
    context.update(
        {
            "can_send": user.has_perm("sms.send_sms"),
            "blocker": sending_blocker(candidate, integration=integration),
            "integration": integration,
            "body": body,
            "error": error,
            "notice": notice,
            "max_body_chars": MAX_BODY_CHARS,
        }
    )
    return context


@register.inclusion_tag("sms/candidate_messages.html", takes_context=True)
def candidate_messages(context, candidate):
    """The Messages area of a candidate profile: `{% candidate_messages candidate %}`."""
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    area = messages_area_context(candidate, user)
    area["request"] = request
    return area


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
def sms_number(number: str) -> str:
    """A phone number for people ("+1 202-555-0143"); short codes as they are."""
    return display(number) if number and number.startswith("+") else number
