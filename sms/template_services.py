"""SMS templates: the rules behind Administration → SMS Templates and every template picker.

Only active templates are offered to recruiters (`active_templates`). A body is checked the same
way wherever it is saved (`body_problems`), and the editor's preview fills the merge fields for a
sample candidate so an administrator sees what a recruiter's candidate will receive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.models import Candidate, Job
from sms import merge
from sms.models import SmsTemplate
from sms.segments import UCS2, SegmentInfo, measure
from sms.services import MAX_BODY_CHARS

SAMPLE_FIRST_NAME = "Maya"
SAMPLE_LAST_NAME = "Patel"
SAMPLE_JOB_TITLE = "Senior Backend Engineer"
COPY_PREFIX = "Copy of "
NAME_MAX_LENGTH = SmsTemplate._meta.get_field("name").max_length

# Braces left over once every well-formed field is taken out: "{{first name}}", "{first_name}".
STRAY_BRACES = re.compile(r"\{\{?[^{}]*\}?\}")


def active_templates():
    """Templates a recruiter may pick from (composer, kanban sidebar), by name."""
    return SmsTemplate.objects.filter(is_active=True).only("id", "name", "body").order_by("name")


def field_list() -> str:
    """ "{{first_name}}, {{last_name}}, …" for messages that name the allowed fields."""
    return ", ".join("{{" + name + "}}" for name in merge.FIELDS)


def body_problems(body: str) -> list[str]:
    """Why a template body cannot be saved, as sentences for the form; empty when it can."""
    problems = []
    unknown = merge.unknown_fields(body)
    if unknown:
        names = ", ".join("{{" + name + "}}" for name in unknown)
        noun = "field" if len(unknown) == 1 else "fields"
        problems.append(f"Unknown merge {noun} {names}. Use one of: {field_list()}.")
    stray = STRAY_BRACES.search(merge.FIELD_PATTERN.sub("", body))
    if stray:
        problems.append(
            f"“{stray.group(0)}” is not a merge field. Write merge fields with double braces and "
            "no spaces in the name, e.g. {{first_name}}."
        )
    if len(body) > MAX_BODY_CHARS:
        problems.append(
            f"The message is {len(body):,} characters long; the limit is {MAX_BODY_CHARS:,}."
        )
    return problems


def counter_label(info: SegmentInfo) -> str:
    """ "142/160 · 1 segment", as static/js/sms_counter.js writes it (before JS takes over)."""
    limit = max(info.segments, 1) * info.per_segment
    noun = "segment" if info.segments == 1 else "segments"
    text = f"{info.length}/{limit} · {info.segments} {noun}"
    if info.encoding == UCS2 and info.first_ucs2_char:
        text += f" · UCS-2 because of “{info.first_ucs2_char}”"
    return text


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
