"""Administration → SMS Analytics: the page (GET, range in the query string) and its CSV."""

import csv

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sms.analytics.figures import DIMENSIONS, sms_report
from sms.analytics.forms import RangeForm

# Administration is the integrations-access area (nextal/context_processors.py).
VIEW_ANALYTICS = "integrations.manage_integrations"
CSV_COLUMNS = [
    "table",
    "label",
    "sent",
    "delivered",
    "failed",
    "outcome_unknown",
    "replies",
    "opt_outs",
    "delivery_rate_percent",
    "reply_rate_percent",
]


def _range_form(request) -> RangeForm:
    return RangeForm(request.GET if {"start", "end"} & set(request.GET) else None)


@permission_required(VIEW_ANALYTICS, raise_exception=True)
@require_GET
def analytics(request):
    form = _range_form(request)
    start, end = form.chosen_range()
    if not form.is_bound:
        form = RangeForm(initial={"start": start, "end": end})
    report = sms_report(start, end)
    breakdowns = [(key, DIMENSIONS[key], report.breakdowns[key]) for key in DIMENSIONS]
    return render(
        request,
        "sms/analytics/page.html",
        {
            "form": form,
            "report": report,
            "breakdowns": breakdowns,
            "query": f"start={start.isoformat()}&end={end.isoformat()}",
            "nav_section": "administration",
        },
    )


def _cell(value) -> str:
    """A label as text a spreadsheet will not run as a formula (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@permission_required(VIEW_ANALYTICS, raise_exception=True)
@require_GET
def analytics_csv(request):
    start, end = _range_form(request).chosen_range()
    report = sms_report(start, end)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"nextal-sms-analytics-{start.isoformat()}-to-{end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    tables = [("day", [(row.key.isoformat(), row) for row in report.days])]
    tables.append(("total", [("Total", report.total)]))
    tables += [(key, [(row.label, row) for row in report.breakdowns[key]]) for key in DIMENSIONS]
    for table, rows in tables:
        for label, row in rows:
            writer.writerow(
                [
                    table,
                    _cell(label),
                    row.sent,
                    row.delivered,
                    row.failed,
                    row.unknown,
                    row.replies,
                    row.opt_outs,
                    row.delivery_percent,
                    row.reply_percent,
                ]
            )
    return response
