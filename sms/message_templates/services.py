"""SMS templates: the rules behind Administration → SMS Templates and every template picker.

Only active templates are offered to recruiters (`active_templates`). A body is checked by the
one body rule set (`sms.text.rules`), and the editor's preview fills the merge fields for a
sample candidate so an administrator sees what a recruiter's candidate will receive.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from candidates.models import Candidate, Job
from sms.message_templates.access import visible_to
from sms.models import SmsTemplate
from sms.text import merge
from sms.text.segments import counter_label, measure

SAMPLE_FIRST_NAME = "Maya"
SAMPLE_LAST_NAME = "Patel"
SAMPLE_JOB_TITLE = "Senior Backend Engineer"
COPY_PREFIX = "Copy of "
NAME_MAX_LENGTH = SmsTemplate._meta.get_field("name").max_length


def active_templates(user=None, language: str = ""):
    """Templates `user` may pick from (composer, kanban sidebar): active, shared or their own
    personal ones; those in `language` (the candidate's preferred one) first, then by name."""
    templates = SmsTemplate.objects.filter(visible_to(user), is_active=True).only(
        "id", "name", "body", "language", "group", "owner_id"
    )
    if language:
        first = Case(
            When(language=language, then=Value(0)),
            When(language__startswith=language.split("-")[0], then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return templates.order_by(first, "name")
    return templates.order_by("name")


def sample_merge_values(user) -> dict[str, str]:
    """What the editor's preview fills in: a sample candidate, the current user as recruiter."""
    return {
        "first_name": SAMPLE_FIRST_NAME,
        "last_name": SAMPLE_LAST_NAME,
        "full_name": f"{SAMPLE_FIRST_NAME} {SAMPLE_LAST_NAME}",
        "job_title": SAMPLE_JOB_TITLE,
        "recruiter_name": user.get_full_name() if user is not None else "",
        "company_name": settings.COMPANY_NAME,
    }


@dataclass(frozen=True)
class SamplePreview:
    text: str  # the body as Maya Patel would receive it ("" when it cannot be filled in)
    counter: str
    problem: str  # why it cannot be filled in, else ""


def sample_preview(body: str, user) -> SamplePreview:
    """The body rendered for the sample candidate, with the segment counter of the result."""
    body = (body or "").strip()
    if not body:
        return SamplePreview("", counter_label(measure("")), "")
    if merge.unknown_fields(body):
        return SamplePreview("", counter_label(measure("")), "Fix the unknown merge fields.")
    candidate = Candidate(first_name=SAMPLE_FIRST_NAME, last_name=SAMPLE_LAST_NAME)
    job = Job(title=SAMPLE_JOB_TITLE)
    try:
        text = merge.render(body, candidate=candidate, job=job, sender=user)
    except merge.MissingMergeValue as missing:
        return SamplePreview(
            "",
            counter_label(measure("")),
            f"{missing.reason}. Candidates would be skipped rather than get a gap.",
        )
    return SamplePreview(text, counter_label(measure(text)), "")


def _copy_name(name: str, attempt: int) -> str:
    suffix = f" ({attempt})" if attempt > 1 else ""
    base = f"{COPY_PREFIX}{name}"
    return base[: NAME_MAX_LENGTH - len(suffix)] + suffix


@transaction.atomic
def duplicate_template(template: SmsTemplate, *, by) -> SmsTemplate:
    """A copy named "Copy of …" ("Copy of … (2)" if taken), inactive until someone reviews it:
    a copy that is about to be edited should not appear in recruiters' pickers yet."""
    taken = set(
        SmsTemplate.objects.filter(name__startswith=COPY_PREFIX).values_list("name", flat=True)
    )
    attempt = 1
    while _copy_name(template.name, attempt) in taken:
        attempt += 1
    while True:
        try:
            # A concurrent duplicate may take the same name: the unique constraint decides.
            with transaction.atomic():
                return SmsTemplate.objects.create(
                    name=_copy_name(template.name, attempt),
                    body=template.body,
                    is_active=False,
                    created_by=by,
                )
        except IntegrityError:
            attempt += 1


def set_active(template: SmsTemplate, active: bool) -> bool:
    """Switch a template on or off; returns whether it changed. Setting a state (not flipping
    it) keeps a repeated click or a resubmitted form harmless."""
    changed = (
        SmsTemplate.objects.filter(pk=template.pk)
        .exclude(is_active=active)
        .update(is_active=active, updated_at=timezone.now())
    )
    template.refresh_from_db(fields=["is_active", "updated_at"])
    return bool(changed)
