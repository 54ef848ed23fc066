"""SMS threads, messages (the outbox), opt-outs, the consent ledger, templates, bulk sends and
the SMS policy (quiet hours, frequency cap, consent, automatic replies).

A thread's summary (last message time, preview, direction, unread count) is written only by the
`ThreadQuerySet` methods below, and a message's status only moves forward through
`MessageQuerySet.advance`.
"""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from integrations.models import ProviderKind
from sms.automation_models import AutomationRule
from sms.text.cleaning import preview

__all__ = ["AutomationRule"]  # defined beside, part of this app's models


class ThreadQuerySet(models.QuerySet):
    """The only writers of a thread's summary, so that the inbox list can read threads alone."""

    def touch(self, now=None) -> int:
        """Something in these threads changed (a status): make polling clients look again."""
        return self.update(changed_at=now or timezone.now())

    def show_message(
        self, body: str, direction: str, *, at, phone_number=None, author: str = ""
    ) -> int:
        """A new message is these threads' latest; an inbound one is also unread. `author`:
        who sent an outbound one, as previews name them ("Riley: …")."""
        fields = {
            "last_message_at": at,
            "last_message_preview": preview(body),
            "last_message_direction": direction,
            "last_message_author": author if direction == Direction.OUTBOUND else "",
            "changed_at": at,
        }
        if phone_number is not None:
            fields["phone_number"] = phone_number
        if direction == Direction.INBOUND:
            fields["unread_count"] = F("unread_count") + 1
            fields["last_inbound_at"] = at
            # A reply reopens a closed conversation and brings a snoozed one back.
            fields["closed_at"] = None
            fields["snoozed_until"] = None
        return self.update(**fields)

    def show_inbound(self, body: str, *, at, now) -> int:
        """An inbound message that arrived `at` (processed `now`): unread, and these threads'
        latest unless a later message is already shown (events processed out of order)."""
        newer = Q(last_message_direction="") | Q(last_message_at__lte=at)  # "": no message yet

        def newest(value, field):
            return Case(When(newer, then=Value(value)), default=F(field))

        return self.update(
            last_message_at=newest(at, "last_message_at"),
            last_message_preview=newest(preview(body), "last_message_preview"),
            last_message_direction=newest(Direction.INBOUND.value, "last_message_direction"),
            last_inbound_at=Case(
                When(Q(last_inbound_at__isnull=True) | Q(last_inbound_at__lte=at), then=Value(at)),
                default=F("last_inbound_at"),
            ),
            unread_count=F("unread_count") + 1,
            # A reply reopens a closed conversation and brings a snoozed one back.
            closed_at=None,
            snoozed_until=None,
            changed_at=now,  # polling clients look for changes since their last poll
        )

    def create_showing_inbound(self, body: str, *, at, now, **fields) -> "Thread":
        """A new thread (`fields`: its candidate and number) created already showing its first
        message, an inbound one: what `show_inbound` would make of it, in the same insert."""
        return self.create(
            last_message_at=at,
            last_message_preview=preview(body),
            last_message_direction=Direction.INBOUND,
            last_inbound_at=at,
            unread_count=1,
            changed_at=now,
            **fields,
        )

    def refresh_preview(self, *, now) -> None:
        """Point each thread's preview at its latest message that counts: not canceled, not
        still waiting for its scheduled time."""
        for thread_id in self.values_list("pk", flat=True):
            latest = (
                Message.objects.filter(thread_id=thread_id)
                .exclude(status=MessageStatus.CANCELED)
                .exclude(WAITING_FOR_ITS_TIME)
                .order_by("-created_at", "-id")
                .select_related("sent_by")
                .only("body", "direction", "sent_by", "is_test")
                .first()
            )
            Thread.objects.filter(pk=thread_id).update(
                last_message_preview=preview(latest.body) if latest else "",
                last_message_direction=latest.direction if latest else "",
                last_message_author=(
                    author_name(latest.sent_by)
                    if latest and latest.direction == Direction.OUTBOUND
                    else ""
                ),
                changed_at=now,
            )

    def mark_read(self, *, now) -> int:
        return self.filter(unread_count__gt=0).update(unread_count=0, changed_at=now)


def author_name(user) -> str:
    """Who sent an outbound message, as previews show it: the recruiter's first name, or
    "Nextal" for what Nextal sent on its own."""
    if user is None:
        return "Nextal"
    return user.first_name or user.get_full_name() or user.get_username()


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
    # Who sent the last message when it is outbound ("Riley", "Nextal"): previews name them.
    last_message_author = models.CharField(max_length=150, blank=True)
    unread_count = models.PositiveIntegerField(default=0)
    # When the other party last texted us: a reply within 30 minutes is not held for quiet
    # hours (they are awake and waiting).
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    # Bumped whenever anything in the thread changes (new message, status): cheap polling.
    changed_at = models.DateTimeField(auto_now=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The team inbox (sms/assignment.py): whose conversation it is, closed until the other party
    # writes again, snoozed out of the lists until a time, and when the assignee was emailed
    # about the latest unanswered reply.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_sms_threads",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    reply_alert_sent_at = models.DateTimeField(null=True, blank=True)

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
            models.Index(
                fields=["assigned_to", "-last_message_at", "-id"], name="thread_assignee_idx"
            ),
            # The sweeper's snoozed threads that are due.
            models.Index(
                fields=["snoozed_until"],
                condition=Q(snoozed_until__isnull=False),
                name="thread_snoozed_idx",
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
        if other.last_inbound_at and (
            self.last_inbound_at is None or other.last_inbound_at > self.last_inbound_at
        ):
            self.last_inbound_at = other.last_inbound_at
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
# A scheduled message not sent yet: it is not the thread's latest message (nor its preview line)
# until it goes out.
WAITING_FOR_ITS_TIME = Q(status=MessageStatus.QUEUED, scheduled_for__isnull=False, attempts=0)
# Statuses a recruiter may send again (as a new message): the provider refused it, the carrier
# could not deliver it, or nobody knows whether it went out.
RETRYABLE_STATUSES = frozenset(
    {MessageStatus.FAILED, MessageStatus.UNDELIVERED, MessageStatus.UNKNOWN}
)
# Error codes of cancelled messages a recruiter may send again with a click (the candidate's
# reply cancelled it: sms.outbox.reply_cancels).
RESENDABLE_CANCEL_CODES = frozenset({"replied"})


def can_send_again(message) -> bool:
    """Whether an outbound message may be sent again as a new one (failed, outcome unknown,
    or cancelled by the candidate's reply)."""
    if message.status in RETRYABLE_STATUSES:
        return True
    return (
        message.status == MessageStatus.CANCELED and message.error_code in RESENDABLE_CANCEL_CODES
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


class TemplateGroup(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    CLIENT = "client", "Client"


DEFAULT_TEMPLATE_LANGUAGE = "en"


class SmsTemplate(models.Model):
    """A reusable message. Shared (no owner: administrators manage it) or personal (its owner's
    alone). A translation points at the template it translates (`translation_of`); together
    they are one template in several languages, one version per language."""

    name = models.CharField(max_length=100, unique=True)
    body = models.TextField()
    is_active = models.BooleanField("Active", default=True)
    group = models.CharField(
        "Group", max_length=10, choices=TemplateGroup.choices, default=TemplateGroup.CANDIDATE
    )
    language = models.CharField(
        "Language", max_length=15, choices=settings.LANGUAGES, default=DEFAULT_TEMPLATE_LANGUAGE
    )
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        verbose_name="Translation of",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="personal_sms_templates",
        help_text="Set for a personal template (only its owner sees it); empty for a shared one.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        permissions = [("manage_templates", "Can manage SMS templates")]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__in=TemplateGroup.values), name="sms_template_group_valid"
            ),
            # One version per language in a translation group.
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                condition=Q(translation_of__isnull=False),
                name="one_translation_per_language",
            ),
        ]
        indexes = [models.Index(fields=["language", "name"], name="sms_template_language_idx")]

    def __str__(self):
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.owner_id is not None


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


class HeldFor(models.TextChoices):
    """Why a queued message is waiting past the moment it was sent or scheduled for."""

    QUIET_HOURS = "quiet_hours", "Held for quiet hours"


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

    # None only for a test message (Integrations → Send test SMS): those live on the card, never
    # in a conversation or the inbox.
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
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
    # When it was written, or for an inbound message when it arrived (set by ingestion).
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    # When the sweeper may next dispatch a queued message (scheduled time, retry backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When a send task was last published for this queued message; the sweeper re-publishes
    # one that is still queued long after (its task was lost: broker down, worker killed).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # Sent from the Integrations page ("Send test SMS") to check the active provider end to end.
    is_test = models.BooleanField(default=False)
    # Why a queued message waits past its time (`next_attempt_at` is when it goes out), and the
    # recipient's time zone that decision was made in ("Ada's time").
    held_for = models.CharField(max_length=20, choices=HeldFor.choices, blank=True)
    recipient_zone = models.CharField(max_length=64, blank=True)
    # Automatic replies: the one confirmation of an opt-out (a database-enforced one per
    # opt-out), and the answer to a HELP message (one per HELP message).
    confirms_opt_out = models.OneToOneField(
        "ConsentEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="confirmation",
    )
    answers_help = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="help_answer"
    )
    # Automated: the rule that queued it and the stage entry it is for (one per entry and rule).
    automation_rule = models.ForeignKey(
        AutomationRule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    stage_entry = models.ForeignKey(
        "candidates.StageEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A waiting message (scheduled, held, automated) is cancelled when the candidate replies.
    cancel_if_reply = models.BooleanField(default=False)
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
            # An automatic reply is outbound and answers one thing: an opt-out or a HELP.
            models.CheckConstraint(
                condition=(Q(confirms_opt_out__isnull=True) & Q(answers_help__isnull=True))
                | (
                    Q(direction=Direction.OUTBOUND)
                    & (Q(confirms_opt_out__isnull=True) | Q(answers_help__isnull=True))
                ),
                name="auto_reply_is_outbound_and_single",
            ),
            models.CheckConstraint(
                condition=Q(held_for__in=["", *HeldFor.values]), name="message_hold_valid"
            ),
            models.CheckConstraint(
                condition=Q(thread__isnull=False) | Q(is_test=True, direction=Direction.OUTBOUND),
                name="message_in_thread_unless_test",
            ),
            # Exactly one text per stage entry and rule: moving a card back and forth, a double
            # click, a retried request or two workers never queue a second.
            models.UniqueConstraint(
                fields=["stage_entry", "automation_rule"],
                condition=Q(stage_entry__isnull=False, automation_rule__isnull=False),
                name="one_automated_sms_per_stage_entry_and_rule",
            ),
        ]
        indexes = [
            models.Index(fields=["thread", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
            # A reply cancels its thread's waiting messages; leaving a stage, its entry's.
            models.Index(
                fields=["thread"],
                condition=Q(status="queued", cancel_if_reply=True),
                name="message_cancel_if_reply_idx",
            ),
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


class ConsentSource(models.TextChoices):
    """How consent to be texted was given or taken back."""

    APPLICATION = "application", "Applied with the SMS consent box ticked"
    VERBAL = "verbal", "Verbal consent, recorded by a recruiter"
    WRITTEN = "written", "Written consent, recorded by a recruiter"
    TEXTED_FIRST = "texted_first", "Texted first"
    START_REPLY = "start_reply", "Replied START"
    OPT_OUT_KEYWORD = "opt_out_keyword", "Opt-out keyword"
    OPT_OUT_PHRASE = "opt_out_phrase", "Asked to stop, in their own words"
    PROVIDER_REPORT = "provider_report", "Provider reported an opt-out"
    RECORDED_OPT_OUT = "recorded_opt_out", "Asked not to be texted, recorded by a recruiter"


CONSENT_GRANTING = (
    ConsentSource.APPLICATION,
    ConsentSource.VERBAL,
    ConsentSource.WRITTEN,
    ConsentSource.TEXTED_FIRST,
    ConsentSource.START_REPLY,
)
CONSENT_REVOKING = (
    ConsentSource.OPT_OUT_KEYWORD,
    ConsentSource.OPT_OUT_PHRASE,
    ConsentSource.PROVIDER_REPORT,
    ConsentSource.RECORDED_OPT_OUT,
)
# Consent a recruiter records by hand (the rest comes from messages and providers).
CONSENT_RECORDED_BY_STAFF = (
    ConsentSource.APPLICATION,
    ConsentSource.VERBAL,
    ConsentSource.WRITTEN,
)


class OptOut(models.Model):
    """A phone number's standing for SMS, for every candidate with it: whether it opted out
    (and how), and the consent on record (the latest grant in its `ConsentEvent` ledger, cleared
    by an opt-out). Sends are checked against this row; the ledger keeps the history."""

    class Source(models.TextChoices):
        KEYWORD = "keyword", "Reply keyword"
        PHRASE = "phrase", "Reply asking to stop"
        PROVIDER = "provider", "Provider rejected send (opted out)"
        MANUAL = "manual", "Recorded by a user"

    phone_number = models.CharField(max_length=32, unique=True)
    opted_out = models.BooleanField(default=True)
    # How it last opted out or back in ("" for a number that only ever gave consent).
    source = models.CharField(max_length=10, choices=Source.choices, blank=True)
    # The keyword ("STOP"), the candidate's words ("please stop texting me"), the error code.
    detail = models.CharField(max_length=200, blank=True)
    provider = models.CharField(max_length=20, choices=ProviderKind.choices, blank=True)
    changed_at = models.DateTimeField()
    # The consent on record: how and when ("" / None when there is none, or it was revoked).
    consent_source = models.CharField(max_length=20, choices=ConsentSource.choices, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "opt-out"
        constraints = [
            # An opted-out number has no consent on record.
            models.CheckConstraint(
                condition=Q(opted_out=False) | Q(consent_source=""),
                name="opted_out_has_no_consent",
            ),
        ]

    def __str__(self):
        state = "opted out" if self.opted_out else "opted in"
        return f"{self.phone_number} {state}"

    @property
    def has_consent(self) -> bool:
        return not self.opted_out and bool(self.consent_source)


class ConsentEvent(models.Model):
    """One entry of a phone number's SMS consent ledger: consent granted or revoked, when, by
    whom and how. Append-only: the database refuses changes to a recorded entry (a trigger,
    migration 0005), and nothing in Nextal deletes one.

    The latest entry of a number is its consent on record; `OptOut` keeps the opt-out state that
    sends are checked against, written in the same transaction as the entry that changed it.
    """

    Source = ConsentSource

    phone_number = models.CharField(max_length=32)
    granted = models.BooleanField()
    source = models.CharField(max_length=20, choices=ConsentSource.choices)
    note = models.CharField(max_length=500, blank=True)  # the recruiter's note
    # What triggered it: the candidate's words, the keyword, the provider's error code.
    detail = models.CharField(max_length=200, blank=True)
    provider = models.CharField(max_length=20, choices=ProviderKind.choices, blank=True)
    # Context, not part of the record itself (kept when a candidate or user is removed).
    candidate = models.ForeignKey(
        "candidates.Candidate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_events",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="consent_events"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone_number", "-created_at", "-id"], name="consent_number_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=ConsentSource.values), name="consent_source_valid"
            ),
            # Granted by a granting source, revoked by a revoking one.
            models.CheckConstraint(
                condition=Q(granted=True, source__in=[s.value for s in CONSENT_GRANTING])
                | Q(granted=False, source__in=[s.value for s in CONSENT_REVOKING]),
                name="consent_granted_matches_source",
            ),
        ]
        verbose_name = "consent ledger entry"
        verbose_name_plural = "consent ledger"

    def __str__(self):
        state = "granted" if self.granted else "revoked"
        return f"{self.phone_number} consent {state} ({self.get_source_display()})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("The SMS consent ledger is append-only: add an entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The SMS consent ledger is append-only: entries are never deleted.")


DEFAULT_CONFIRMATION = (
    "{{company_name}}: you are unsubscribed and will get no more texts from us. "
    "Reply START to resubscribe."
)
DEFAULT_CONFIRMATION_FR = (
    "{{company_name}} : désabonnement confirmé, vous ne recevrez plus de textos. "
    "Répondez START pour vous réabonner."
)
DEFAULT_HELP = (
    "{{company_name}} recruiting texts. Questions? Reply here or contact your recruiter. "
    "Msg & data rates may apply. Reply STOP to opt out."
)
DEFAULT_HELP_FR = (
    "{{company_name}}, textos de recrutement. Questions? Répondez ici ou contactez votre "
    "recruteur. Des frais peuvent s'appliquer. Répondez STOP pour vous désabonner."
)


class SmsPolicy(models.Model):
    """The administrator's SMS rules (Administration → SMS Settings): one row, pk 1. Until it is
    first saved the defaults apply (`sms.policy.current_policy`). Every change is audited
    (`PolicyChange`)."""

    quiet_hours_enabled = models.BooleanField("Hold messages during quiet hours", default=True)
    # Sending window in the candidate's local time: 08:00-20:00 is the strictest common US
    # state window (FL, OK, MD, WA), inside the federal 08:00-21:00.
    send_from = models.TimeField("Send from", default=time(8, 0))
    send_until = models.TimeField("Send until", default=time(20, 0))
    no_sunday_sends = models.BooleanField("No texts on Sundays", default=False)
    # For candidates whose zone is neither on their profile nor given by their number; "" means
    # the server's TIME_ZONE.
    company_time_zone = models.CharField("Company time zone", max_length=64, blank=True)
    bulk_cap_per_day = models.PositiveSmallIntegerField(
        "Bulk and automated texts per candidate per 24 hours", default=3
    )
    require_consent = models.BooleanField("Require consent before the first SMS", default=False)
    confirm_opt_outs = models.BooleanField("Send one opt-out confirmation", default=True)
    opt_out_confirmation = models.CharField(
        "Opt-out confirmation", max_length=320, default=DEFAULT_CONFIRMATION
    )
    opt_out_confirmation_fr = models.CharField(
        "Opt-out confirmation in French", max_length=320, default=DEFAULT_CONFIRMATION_FR
    )
    help_reply_enabled = models.BooleanField("Answer HELP, INFO and AIDE", default=False)
    help_reply = models.CharField("HELP reply", max_length=320, default=DEFAULT_HELP)
    help_reply_fr = models.CharField(
        "HELP reply in French", max_length=320, default=DEFAULT_HELP_FR
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "SMS policy"
        verbose_name_plural = "SMS policy"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="one_sms_policy"),
            models.CheckConstraint(
                condition=Q(send_from__lt=F("send_until")), name="sending_window_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(bulk_cap_per_day__gte=1, bulk_cap_per_day__lte=50),
                name="bulk_cap_in_range",
            ),
        ]
        permissions = [("manage_sms_policy", "Can change the SMS settings (quiet hours, consent)")]

    def __str__(self):
        return "SMS policy"


class PolicyChange(models.Model):
    """Who changed the SMS policy, when, and what (each setting's old and new value)."""

    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # [{"setting": "Send until", "from": "20:00", "to": "21:00"}, ...]
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"SMS policy changed by {self.changed_by} at {self.changed_at}"


class ProviderEvent(models.Model):
    """A webhook as it arrived: stored first (the acknowledgement means it is durable), then
    processed into threads, messages, statuses and opt-outs exactly once (sms/inbound/).

    Pending: `processed_at` empty. Failed: `error` says why (retried by the sweeper up to
    `sms.inbound.processing.MAX_ATTEMPTS` times, then kept for an administrator's Reprocess).
    """

    class Kind(models.TextChoices):
        INBOUND = "inbound", "Inbound SMS"
        STATUS = "status", "Delivery status"

    provider = models.CharField(max_length=20, choices=ProviderKind.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The provider's id of what it reports: the message id (inbound), id and status (status);
    # a hash of the normalized event when the provider gave no id.
    event_id = models.CharField(max_length=200)
    body = models.TextField(blank=True)  # the raw request body, as received
    payload = models.JSONField(default=dict)  # the adapter's normalized event
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind", "event_id"], name="provider_event_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["id"],
                condition=Q(processed_at__isnull=True),
                name="provider_event_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_provider_display()} {self.get_kind_display()} {self.event_id}"

    @property
    def failed(self) -> bool:
        return self.processed_at is None and bool(self.error)


# Declared in their own modules (sms/inbox_models.py, sms/media/models.py), registered here.
from sms.inbox_models import InboxPreferences, SenderLink  # noqa: E402, F401
from sms.media.models import Attachment, AttachmentStatus  # noqa: E402, F401
