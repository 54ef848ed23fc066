"""Company-wide default automations: rules without a job, naming a stage, copied to every new
job that has a stage of that name (then edited per job like any other rule)."""

from __future__ import annotations

from sms.automation_models import AutomationRule

COPIED_FIELDS = ("name", "template_id", "delay_minutes", "is_enabled", "cancel_if_reply")


def missing_defaults(job) -> list[tuple[AutomationRule, object]]:
    """(default, the job's stage) for each default the job has a stage for (compared without
    case) and no rule of that name on that stage yet."""
    stages = {stage.name.casefold(): stage for stage in job.stages.all()}
    existing = set(AutomationRule.objects.filter(job=job).values_list("stage_id", "name"))
    pairs = []
    for default in AutomationRule.objects.filter(job__isnull=True).order_by("pk"):
        stage = stages.get(default.stage_name.casefold())
        if stage is not None and (stage.pk, default.name) not in existing:
            pairs.append((default, stage))
    return pairs


def copy_defaults_to(job) -> list[AutomationRule]:
    """The job-created listener (registered in SmsConfig.ready), and "Add the company
    defaults" on an existing job: a rule per default it is missing."""
    rules = [
        AutomationRule(
            job=job,
            stage=stage,
            created_by=default.created_by,
            **{name: getattr(default, name) for name in COPIED_FIELDS},
        )
        for default, stage in missing_defaults(job)
    ]
    return AutomationRule.objects.bulk_create(rules)
