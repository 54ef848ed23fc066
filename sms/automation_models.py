"""Stage automations: "When a candidate enters *stage*, send *template* after *delay*".

Rules belong to a job's stage, or are the company's defaults (no job; a stage *name*), which are
copied to every new job with a stage of that name. Imported by `sms.models` (one app, one
migrations folder); related models are named by string so that this module imports no other.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

MAX_DELAY_MINUTES = 14 * 24 * 60  # 14 days


def delay_label(minutes: int) -> str:
    """ "immediately", "10 minutes", "2 hours", "1 day 3 hours" """
    if not minutes:
        return "immediately"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [
        f"{n} {unit}{'s' if n != 1 else ''}"
        for n, unit in ((days, "day"), (hours, "hour"), (mins, "minute"))
        if n
    ]
    return " ".join(parts)


class AutomationRule(models.Model):
    name = models.CharField("Name", max_length=100)
    job = models.ForeignKey(
        "candidates.Job",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="automation_rules",
    )
    stage = models.ForeignKey(
        "candidates.Stage",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="automation_rules",
    )
    # A company default names the stage (jobs have their own stage rows).
    stage_name = models.CharField("Stage", max_length=100, blank=True)
    template = models.ForeignKey(
        "sms.SmsTemplate", on_delete=models.PROTECT, related_name="automation_rules"
    )
    delay_minutes = models.PositiveIntegerField("Delay (minutes)", default=0)
    is_enabled = models.BooleanField("On", default=True)
    cancel_if_reply = models.BooleanField("Cancel if they reply", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["delay_minutes", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delay_minutes__gte=0, delay_minutes__lte=MAX_DELAY_MINUTES),
                name="automation_delay_at_most_14_days",
            ),
            # A job's rule is on one of its stages; a company default names a stage instead.
            models.CheckConstraint(
                condition=(Q(job__isnull=False, stage__isnull=False, stage_name=""))
                | (Q(job__isnull=True, stage__isnull=True) & ~Q(stage_name="")),
                name="automation_rule_job_stage_or_default",
            ),
        ]
        indexes = [
            models.Index(
                fields=["stage"], condition=Q(is_enabled=True), name="automation_enabled_idx"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_default(self) -> bool:
        return self.job_id is None

    @property
    def delay_label(self) -> str:
        return delay_label(self.delay_minutes)
