"""Messages written the way the pipeline leaves them, and read back."""

from django.utils import timezone

from sms.models import Message, Thread, author_name
from tests.factories import CandidateFactory


def add_message(candidate, status="delivered", body="Hello", direction="outbound", **fields):
    """One message in the candidate's thread, and the thread's summary as the services keep it
    (written by ThreadQuerySet.show_message: an inbound message leaves the thread unread)."""
    thread, _ = Thread.objects.get_or_create(
        candidate=candidate, defaults={"phone_number": candidate.phone}
    )
    if direction == "inbound":
        status = "received"
    message = Message.objects.create(
        thread=thread, direction=direction, status=status, body=body, **fields
    )
    author = author_name(message.sent_by) if direction == "outbound" else ""
    Thread.objects.filter(pk=thread.pk).show_message(
        body, direction, at=message.created_at, author=author
    )
    return message


def handed_to_the_broker(count: int) -> list[int]:
    """The ids of `count` queued outbound messages to one new candidate, marked as handed to
    the broker (`enqueued_at` set), in the order they were queued."""
    candidate = CandidateFactory()
    ids = [add_message(candidate, status="queued", body=f"#{n}").pk for n in range(count)]
    Message.objects.filter(pk__in=ids).update(enqueued_at=timezone.now())
    return ids


def statuses(**filters) -> dict[int, str]:
    """{message id: status} of outbound messages."""
    return dict(Message.objects.filter(direction="outbound", **filters).values_list("pk", "status"))
