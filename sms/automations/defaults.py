"""Company-wide default automations: rules without a job, naming a stage, copied to every new
job that has a stage of that name (then edited per job like any other rule)."""

from __future__ import annotations

from sms.automation_models import AutomationRule

COPIED_FIELDS = ("name", "template_id", "delay_minutes", "is_enabled", "cancel_if_reply")


def copy_defaults_to(job) -> list[AutomationRule]:
    """The job-created listener (registered in SmsConfig.ready): one rule per default whose
    stage name the job has (compared without case)."""
    stages = {stage.name.casefold(): stage for stage in job.stages.all()}
    rules = [
        AutomationRule(
            job=job,
            stage=stages[default.stage_name.casefold()],
            created_by=default.created_by,
            **{name: getattr(default, name) for name in COPIED_FIELDS},
        )
        for default in AutomationRule.objects.filter(job__isnull=True).order_by("pk")
        if default.stage_name.casefold() in stages
    ]
    return AutomationRule.objects.bulk_create(rules)
