"""The Automations page of a job's board (its recruiter and administrators) and the company
defaults (administrators): list, add, edit, switch on/off, delete. Every page works without
JavaScript (plain forms, redirects after each POST)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from candidates.models import Job
from sms.automation_models import AutomationRule
from sms.automations.access import can_manage_defaults, can_manage_job
from sms.automations.defaults import copy_defaults_to, missing_defaults
from sms.automations.forms import AutomationRuleForm
from sms.automations.runs import cancel_pending_for_rule
from sms.models import SmsTemplate


def _rules(**where):
    return (
        AutomationRule.objects.filter(**where)
        .select_related("template", "stage")
        .prefetch_related(Prefetch("template__translations", queryset=_active_versions()))
    )


def _active_versions():
    return SmsTemplate.objects.filter(is_active=True).only("id", "language", "translation_of_id")


def _canceled(count: int) -> str:
    if not count:
        return ""
    if count == 1:
        return " 1 text still waiting was cancelled."
    return f" {count} texts still waiting were cancelled."


def _back(rule) -> str:
    if rule.job_id is None:
        return reverse("sms:automation_defaults")
    return reverse("sms:automations", args=[rule.job_id])


def _check(request, rule_or_job):
    job = rule_or_job if isinstance(rule_or_job, Job) else rule_or_job.job
    allowed = (
        can_manage_defaults(request.user) if job is None else can_manage_job(request.user, job)
    )
    if not allowed:
        raise PermissionDenied


def _page(request, *, job, form):
    rules = _rules(job=job) if job else _rules(job__isnull=True)
    if job is not None:
        stages = list(job.stages.order_by("position"))
        by_stage = {stage.pk: [] for stage in stages}
        for rule in rules.order_by("stage__position", "delay_minutes", "pk"):
            by_stage[rule.stage_id].append(rule)
        groups = [(stage.name, f"stage-rules-{stage.pk}", by_stage[stage.pk]) for stage in stages]
    else:
        groups = [("Company defaults", "default-rules", list(rules.order_by("stage_name", "pk")))]
    return render(
        request,
        "sms/automations/page.html",
        {
            "job": job,
            "groups": groups,
            "has_rules": any(rules for _, _, rules in groups),
            "missing_defaults": len(missing_defaults(job)) if job else 0,
            "without_rules": [title for title, _, rules in groups if not rules and job],
            "form": form,
            "nav_section": "jobs" if job else "administration",
        },
    )


def _create(request, job):
    form = AutomationRuleForm(request.POST or None, job=job, user=request.user)
    if request.method == "POST" and form.is_valid():
        rule = form.save(commit=False)
        rule.created_by = request.user
        rule.save()
        messages.success(request, f"Automation “{rule.name}” added.")
        return redirect(_back(rule))
    return _page(request, job=job, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def job_automations(request, pk):
    job = get_object_or_404(Job.objects.select_related("recruiter"), pk=pk)
    _check(request, job)
    return _create(request, job)


@login_required
@require_POST
def job_add_defaults(request, pk):
    """ "Add the company defaults": the defaults a job created before them is missing."""
    job = get_object_or_404(Job, pk=pk)
    _check(request, job)
    added = copy_defaults_to(job)
    count = len(added)
    messages.success(request, f"{count} default automation{'s' if count != 1 else ''} added.")
    return redirect("sms:automations", pk=job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def default_automations(request):
    if not can_manage_defaults(request.user):
        raise PermissionDenied
    return _create(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk):
    rule = get_object_or_404(AutomationRule.objects.select_related("job"), pk=pk)
    _check(request, rule)
    form = AutomationRuleForm(request.POST or None, instance=rule, job=rule.job, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Automation “{rule.name}” saved.")
        return redirect(_back(rule))
    return render(
        request,
        "sms/automations/edit.html",
        {"rule": rule, "form": form, "back_url": _back(rule), "nav_section": "jobs"},
    )


@login_required
@require_POST
def rule_toggle(request, pk):
    rule = get_object_or_404(AutomationRule.objects.select_related("job"), pk=pk)
    _check(request, rule)
    turn_on = request.POST.get("on") == "1"
    with transaction.atomic():
        AutomationRule.objects.filter(pk=rule.pk).update(is_enabled=turn_on)
        canceled = 0 if turn_on else cancel_pending_for_rule(rule, why="switched off")
    state = "on" if turn_on else "off"
    messages.success(request, f"Automation “{rule.name}” turned {state}.{_canceled(canceled)}")
    return redirect(_back(rule))


@login_required
@require_POST
def rule_delete(request, pk):
    rule = get_object_or_404(AutomationRule.objects.select_related("job"), pk=pk)
    _check(request, rule)
    with transaction.atomic():
        canceled = cancel_pending_for_rule(rule, why="deleted")
        rule.delete()
    messages.success(request, f"Automation “{rule.name}” deleted.{_canceled(canceled)}")
    return redirect(_back(rule))
