"""The board's part of automations: each column header's rule count, and the toolbar's link
to the Automations page (for those who may change them). Two small queries per board."""

from django.db.models import Count, Q
from django.urls import reverse

from candidates.board_sections import BoardSection, BoardSectionData, register_board_section
from sms.automation_models import AutomationRule
from sms.automations.access import can_manage_job


def load(job, user) -> BoardSectionData:
    rows = (
        AutomationRule.objects.filter(job=job)
        .order_by()
        .values("stage_id")
        .annotate(total=Count("id"), on=Count("id", filter=Q(is_enabled=True)))
    )
    url = reverse("sms:automations", args=[job.pk])
    manage = can_manage_job(user, job)
    columns = {
        row["stage_id"]: {"total": row["total"], "on": row["on"], "url": url if manage else ""}
        for row in rows
    }
    toolbar = {"url": url} if manage else None
    return BoardSectionData(toolbar=toolbar, columns=columns)


SECTION = BoardSection(
    toolbar_template="sms/automations/_board_toolbar.html",
    column_template="sms/automations/_column_count.html",
    load=load,
)


def register() -> None:
    register_board_section(SECTION)
