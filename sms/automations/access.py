"""Who may change automations: a job's rules, its recruiter (who may send SMS) and the
administrators; the company defaults, the administrators (who manage templates)."""

ADMIN_PERMISSION = "sms.manage_templates"


def can_manage_defaults(user) -> bool:
    return user.is_authenticated and user.has_perm(ADMIN_PERMISSION)


def can_manage_job(user, job) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_perm(ADMIN_PERMISSION):
        return True
    return job.recruiter_id == user.pk and user.has_perm("sms.send_sms")
