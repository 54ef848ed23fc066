"""Candidates, jobs, their pipeline stages, applications (candidate × job) and the timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.bidi import strip_bidi_controls
from core.time_zones import validate_time_zone

DEFAULT_STAGES = ["Applied", "Phone screen", "Interview", "Offer", "Hired", "Rejected"]


class Job(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    recruiter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "title"]

    def __str__(self):
        return self.title


class Stage(models.Model):
    """A column of a job's kanban board, in `position` order."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "name"], name="unique_stage_name_per_job"),
            # Columns have one order; the kanban and the move service rely on it.
            models.UniqueConstraint(
                fields=["job", "position"], name="unique_stage_position_per_job"
            ),
        ]

    def __str__(self):
        return f"{self.job}: {self.name}"


class Candidate(models.Model):
    first_name = models.CharField("First name", max_length=100)
    last_name = models.CharField("Last name", max_length=100)
    email = models.EmailField("Email", blank=True)
    # E.164 ("+14155550123"), or "" when unknown. Several candidates may share a number.
    phone = models.CharField("Phone", max_length=20, blank=True, db_index=True)
    # IANA name ("America/Toronto"), or "" to go by the phone number (SMS quiet hours).
    time_zone = models.CharField(
        "Time zone", max_length=64, blank=True, validators=[validate_time_zone]
    )
    # A code from settings.LANGUAGES ("fr"), or "" for none: templates in several languages
    # are sent in this one when there is a version in it.
    preferred_language = models.CharField(
        "Preferred language", max_length=15, blank=True, choices=settings.LANGUAGES
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_candidates",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        # Names are shown everywhere (lists, boards, the inbox): no invisible reordering.
        self.first_name = strip_bidi_controls(self.first_name)
        self.last_name = strip_bidi_controls(self.last_name)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Application(models.Model):
    """A candidate in a job's pipeline: one card on the kanban board."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="applications")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="applications")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="applications")
    # Order inside the stage column (ascending).
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stage__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "job"], name="one_application_per_job"),
        ]
        indexes = [models.Index(fields=["stage", "position"])]

    def __str__(self):
        return f"{self.candidate} → {self.job}"


class StageEntry(models.Model):
    """One time a card entered a stage (applied into it, or moved into it): what stage
    automations key their texts on, so that each entry gets each rule's text at most once.
    `left_at` is set when the card moves on; an application has one open entry at most."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="stage_entries"
    )
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="entries")
    entered_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["entered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(left_at__isnull=True),
                name="one_open_stage_entry_per_application",
            ),
        ]

    def __str__(self):
        return f"{self.application_id} entered {self.stage_id} at {self.entered_at}"


class TimelineEvent(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        APPLIED = "applied", "Applied"
        MOVED = "moved", "Moved"
        UPDATED = "updated", "Updated"
        SMS_SENT = "sms_sent", "SMS sent"
        SMS_RECEIVED = "sms_received", "SMS received"
        OPTED_OUT = "opted_out", "Opted out"
        OPTED_IN = "opted_in", "Opted in"
        SMS_HELD = "sms_held", "SMS held"
        SMS_SKIPPED = "sms_skipped", "SMS skipped"
        SMS_CONSENT = "sms_consent", "SMS consent"
        SMS_CANCELED = "sms_canceled", "SMS cancelled"
        SMS_QUEUED = "sms_queued", "SMS queued"

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    description = models.CharField(max_length=500)
    # Structured facts for the UI (e.g. {"from_stage": "Applied", "to_stage": "Offer"}).
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["candidate", "-created_at"])]

    def __str__(self):
        return self.description
