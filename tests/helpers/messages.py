"""Messages written the way the pipeline leaves them, and read back."""

from django.utils import timezone

from sms.models import Message, Thread


def add_message(candidate, status="delivered", body="Hello", direction="outbound", **fields):
    """One message in the candidate's thread, and the thread's summary as the services keep it."""
    thread, _ = Thread.objects.get_or_create(
        candidate=candidate, defaults={"phone_number": candidate.phone}
    )
    if direction == "inbound":
        status = "received"
    message = Message.objects.create(
        thread=thread, direction=direction, status=status, body=body, **fields
    )
    Thread.objects.filter(pk=thread.pk).update(
        last_message_at=message.created_at,
        last_message_preview=body[:160],
        last_message_direction=direction,
        changed_at=timezone.now(),
    )
    return message


def statuses(**filters) -> dict[int, str]:
    """{message id: status} of outbound messages."""
    return dict(Message.objects.filter(direction="outbound", **filters).values_list("pk", "status"))
