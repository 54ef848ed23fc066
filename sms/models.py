"""SMS threads, messages (the outbox), opt-outs, templates and bulk sends.

A thread's summary (last message time, preview, direction, unread count) is written only by the
`ThreadQuerySet` methods below, and a message's status only moves forward through
`MessageQuerySet.advance`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from integrations.models import ProviderKind
from sms.text.cleaning import preview


class ThreadQuerySet(models.QuerySet):
    """The only writers of a thread's summary, so that the inbox list can read threads alone."""

    def touch(self, now=None) -> int:
        """Something in these threads changed (a status): make polling clients look again."""
        return self.update(changed_at=now or timezone.now())

    def show_message(self, body: str, direction: str, *, at, phone_number=None) -> int:
        """A new message is these threads' latest; an inbound one is also unread."""
        fields = {
            "last_message_at": at,
            "last_message_preview": preview(body),
            "last_message_direction": direction,
            "changed_at": at,
        }
        if phone_number is not None:
            fields["phone_number"] = phone_number
        if direction == Direction.INBOUND:
            fields["unread_count"] = F("unread_count") + 1
        return self.update(**fields)

    def show_bulk_messages(self, bulk, *, at) -> int:
        """Each thread's new message of `bulk` is its latest, in one statement (Django's
        bulk_update builds a CASE per row and takes seconds for thousands)."""
        new_message = Message.objects.filter(thread=OuterRef("pk"), bulk_send=bulk)
        return self.filter(messages__bulk_send=bulk).update(
            phone_number=Subquery(new_message.values("to_number")[:1]),
            last_message_preview=Substr(Subquery(new_message.values("body")[:1]), 1, 160),
            last_message_at=at,
            last_message_direction=Direction.OUTBOUND,
            changed_at=at,
        )

    def refresh_preview(self, *, now) -> None:
        """Point each thread's preview at its latest message that still counts (not canceled)."""
        for thread_id in self.values_list("pk", flat=True):
            latest = (
                Message.objects.filter(thread_id=thread_id)
                .exclude(status=MessageStatus.CANCELED)
                .order_by("-created_at", "-id")
                .only("body", "direction")
                .first()
            )
            Thread.objects.filter(pk=thread_id).update(
                last_message_preview=preview(latest.body) if latest else "",
                last_message_direction=latest.direction if latest else "",
                changed_at=now,
            )

    def mark_read(self, *, now) -> int:
        return self.filter(unread_count__gt=0).update(unread_count=0, changed_at=now)


class Thread(models.Model):
    """One conversation per candidate (kept across provider switches), or per unknown number.

    The inbox list reads only this row: the last message's time, preview and direction and the
    unread count are kept here by `ThreadQuerySet`.
    """

    candidate = models.OneToOneField(
        "candidates.Candidate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sms_thread",
    )
    # The other party's number (E.164 when it parses; inbound senders may be short codes).
    phone_number = models.CharField(max_length=32, db_index=True)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_message_preview = models.CharField(max_length=160, blank=True)
    last_message_direction = models.CharField(max_length=10, blank=True)
    unread_count = models.PositiveIntegerField(default=0)
    # Bumped whenever anything in the thread changes (new message, status): cheap polling.
    changed_at = models.DateTimeField(auto_now=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["phone_number"],
                condition=Q(candidate__isnull=True),
                name="one_unknown_sender_thread_per_number",
            ),
        ]
        indexes = [
            models.Index(fields=["-last_message_at", "-id"], name="thread_recent_idx"),
            # The navigation badge counts unread threads on every page.
            models.Index(
                fields=["unread_count"], condition=Q(unread_count__gt=0), name="thread_unread_idx"
            ),
        ]
        permissions = [("view_inbox", "Can use the SMS inbox")]

    def __str__(self):
        return str(self.candidate) if self.candidate_id else f"Unknown sender {self.phone_number}"

    @property
    def is_unknown_sender(self) -> bool:
        return self.candidate_id is None

    def absorb_summary(self, other: "Thread", *, now) -> None:
        """This thread takes over `other`'s messages: its summary shows the later of the two
        latest messages and both unread counts."""
        if other.last_message_at > self.last_message_at:
            self.last_message_at = other.last_message_at
            self.last_message_preview = other.last_message_preview
            self.last_message_direction = other.last_message_direction
        self.unread_count += other.unread_count
        self.changed_at = now
        self.save()


class Direction(models.TextChoices):
    OUTBOUND = "outbound", "Outbound"
    INBOUND = "inbound", "Inbound"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    UNDELIVERED = "undelivered", "Undelivered"
    FAILED = "failed", "Failed"
    # The provider may or may not have sent it (timeout, 5xx, unparseable answer). Never resent
    # automatically: neither provider has an idempotency key.
    UNKNOWN = "unknown", "Outcome unknown"
    CANCELED = "canceled", "Canceled"
    RECEIVED = "received", "Received"


# How far along a status is. Provider callbacks arrive duplicated and out of order; a status only
# replaces one of lower rank (a late "sent" never overwrites "delivered").
STATUS_RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.UNKNOWN: 2,
    MessageStatus.SENT: 3,
    MessageStatus.DELIVERED: 4,
    MessageStatus.UNDELIVERED: 4,
    MessageStatus.FAILED: 4,
    MessageStatus.CANCELED: 4,
    MessageStatus.RECEIVED: 4,
}

# Groups of statuses the pipeline and the pages reason about.
IN_FLIGHT = (MessageStatus.QUEUED, MessageStatus.SENDING)
NOT_DELIVERED = (MessageStatus.FAILED, MessageStatus.UNDELIVERED, MessageStatus.CANCELED)
# Statuses a recruiter may send again (as a new message): the provider refused it, the carrier
# could not deliver it, or nobody knows whether it went out.
RETRYABLE_STATUSES = frozenset(
    {MessageStatus.FAILED, MessageStatus.UNDELIVERED, MessageStatus.UNKNOWN}
)
# Statuses providers report about outbound messages (integrations.providers.DeliveryStatus).
PROVIDER_REPORTED = frozenset(
    {
        MessageStatus.SENT,
        MessageStatus.DELIVERED,
        MessageStatus.UNDELIVERED,
        MessageStatus.FAILED,
        MessageStatus.CANCELED,
    }
)


class SmsTemplate(models.Model):
    name = models.CharField(max_length=100, unique=True)
    body = models.TextField()
    is_active = models.BooleanField("Active", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        permissions = [("manage_templates", "Can manage SMS templates")]

    def __str__(self):
        return self.name


class BulkSend(models.Model):
    """One "Send SMS to N candidates" action: what was queued, what was skipped and why."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(
        "candidates.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template = models.ForeignKey(
        SmsTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    queued_count = models.PositiveIntegerField(default=0)
    # [{"candidate_id": 1, "name": "Ada Lovelace", "reason": "Opted out"}, ...]
    skipped = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Bulk send #{self.pk} ({self.queued_count} queued)"


class MessageQuerySet(models.QuerySet):
    def advance(self, status: str, **fields) -> int:
        """Move these messages to `status` only from a lower rank (never backwards): provider
        callbacks arrive duplicated and out of order. Returns how many rows moved."""
        rank = STATUS_RANK[status]
        lower = [s for s, r in STATUS_RANK.items() if r < rank]
        return self.filter(status__in=lower).update(
            status=status, updated_at=timezone.now(), **fields
        )


class Message(models.Model):
    """One SMS. Outbound rows are the outbox: saved as queued, then claimed by a task."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=MessageStatus.choices)
    provider = models.CharField(max_length=20, choices=ProviderKind.choices, blank=True)
    provider_message_id = models.CharField(max_length=64, null=True, blank=True)
    from_number = models.CharField(max_length=32, blank=True)
    to_number = models.CharField(max_length=32, blank=True)
    segments = models.PositiveSmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template = models.ForeignKey(
        SmsTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bulk_send = models.ForeignKey(
        BulkSend, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    retry_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries"
    )
    # Inbound: the outbound message it answers (the thread's latest when it arrived), so that
    # replies count for that message's recruiter, template and job (SMS Analytics).
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    # Outbound: the job it is about (the board's, the bulk send's, else the candidate's latest
    # application, as {{job_title}} reads it).
    job = models.ForeignKey(
        "candidates.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    # When the sweeper may next dispatch a queued message (scheduled time, retry backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a send task was last published for this queued message; the sweeper re-publishes
    # one that is still queued long after (its task was lost: broker down, worker killed).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # Sent from the Integrations page ("Send test SMS") to check the active provider end to end.
    is_test = models.BooleanField(default=False)
    claimed_at = models.DateTimeField(null=True, blank=True)  # marked sending
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # When the provider's latest status callback for it arrived ("last receipt" on the card).
    receipt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The provider's payload for inbound messages and the last status event (never credentials).
    raw = models.JSONField(default=dict, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_message_id"],
                condition=Q(provider_message_id__isnull=False),
                name="unique_provider_message_id",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="message_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MessageStatus.values), name="message_status_valid"
            ),
            # Inbound rows are always "received"; outbound rows never are.
            models.CheckConstraint(
                condition=Q(direction=Direction.INBOUND, status=MessageStatus.RECEIVED)
                | (Q(direction=Direction.OUTBOUND) & ~Q(status=MessageStatus.RECEIVED)),
                name="message_status_matches_direction",
            ),
            # Retry never resends a row, it creates one new message; at most one per original.
            models.UniqueConstraint(
                fields=["retry_of"],
                condition=Q(retry_of__isnull=False),
                name="one_retry_per_message",
            ),
        ]
        indexes = [
            models.Index(fields=["thread", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
            # The Integrations cards show each provider's latest test message.
            models.Index(
                fields=["provider", "-created_at"],
                condition=Q(is_test=True),
                name="message_test_recent_idx",
            ),
            # SMS Analytics and the card's health read messages by time.
            models.Index(fields=["created_at"], name="message_created_idx"),
            # The cards' "last inbound message" and "last delivery receipt".
            models.Index(
                fields=["provider", "-created_at"],
                condition=Q(direction="inbound"),
                name="message_inbound_recent_idx",
            ),
            models.Index(
                fields=["provider", "-receipt_at"],
                condition=Q(receipt_at__isnull=False),
                name="message_receipt_recent_idx",
            ),
        ]
        permissions = [("send_sms", "Can send SMS to candidates")]

    def __str__(self):
        return f"{self.get_direction_display()} SMS #{self.pk} ({self.status})"

    @property
    def rank(self) -> int:
        return STATUS_RANK[self.status]


class OptOut(models.Model):
    """Whether a phone number has asked not to be texted. Applies to every candidate with it."""

    class Source(models.TextChoices):
        KEYWORD = "keyword", "Reply keyword"
        PROVIDER = "provider", "Provider rejected send (opted out)"
        MANUAL = "manual", "Recorded by a user"

    phone_number = models.CharField(max_length=32, unique=True)
    opted_out = models.BooleanField(default=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    detail = models.CharField(max_length=200, blank=True)  # e.g. the keyword, the error code
    provider = models.CharField(max_length=20, choices=ProviderKind.choices, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "opt-out"

    def __str__(self):
        state = "opted out" if self.opted_out else "opted in"
        return f"{self.phone_number} {state}"
