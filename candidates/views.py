"""Candidate and job pages and the kanban board. Views are thin: forms validate, services change
data, and the templates render what the queries here load (a fixed number of queries per page).
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from candidates import bulk_moves, services
from candidates.board import BoardColumn
from candidates.board_sections import board_sections
from candidates.forms import ApplyForm, CandidateForm, JobForm, MoveForm, NewCandidateForm
from candidates.models import Application, Candidate, Job, Stage
from candidates.search import bounded_query, search_candidates
from core.converters import id_or_none
from core.phone import to_e164_or_none
from core.rate_limits import rate_limited, searching
from core.redirects import safe_next

CANDIDATES_PER_PAGE = 25
JOBS_PER_PAGE = 50
TIMELINE_LIMIT = 100


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- Candidates ----------------------------------------------------------------------------------


@permission_required("candidates.view_candidate", raise_exception=True)
@rate_limited("search", "RATE_LIMIT_SEARCH", method="GET", when=searching)
def candidate_list(request):
    query = bounded_query(request.GET.get("q", ""))
    candidates = search_candidates(query).select_related("owner", "sms_thread")
    candidates = candidates.prefetch_related(
        Prefetch(
            "applications",
            queryset=Application.objects.select_related("job", "stage").order_by("job__title"),
        )
    )
    page = Paginator(candidates, CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "candidates/candidate_list.html",
        {"page": page, "query": query, "nav_section": "candidates"},
    )


@permission_required("candidates.add_candidate", raise_exception=True)
def candidate_create(request):
    form = NewCandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        candidate = services.create_candidate(
            first_name=data["first_name"],
            last_name=data["last_name"],
            phone=data["phone"],
            email=data["email"],
            time_zone=data["time_zone"],
            preferred_language=data["preferred_language"],
            owner=data["owner"],
            job=data["job"],
            by=request.user,
        )
        messages.success(request, f"{candidate.full_name} added.")
        return redirect("candidates:detail", pk=candidate.pk)
    if request.method == "GET":
        form.initial.setdefault("owner", request.user.pk)
        form.initial.setdefault("job", request.GET.get("job"))
    return render(
        request,
        "candidates/candidate_form.html",
        {"form": form, "candidate": None, "nav_section": "candidates"},
    )


@permission_required("candidates.change_candidate", raise_exception=True)
def candidate_edit(request, pk):
    candidate = get_object_or_404(Candidate, pk=pk)
    form = CandidateForm(request.POST or None, candidate=candidate)
    if request.method == "POST" and form.is_valid():
        changed = services.update_candidate(candidate, by=request.user, **form.cleaned_data)
        if changed:
            messages.success(request, "Changes saved.")
        return redirect("candidates:detail", pk=candidate.pk)
    return render(
        request,
        "candidates/candidate_form.html",
        {"form": form, "candidate": candidate, "nav_section": "candidates"},
    )


@require_GET
@permission_required("candidates.view_candidate", raise_exception=True)
def phone_check(request):
    """The shared-number warning under the Phone field, refreshed while typing (htmx)."""
    exclude = None
    candidate_id = id_or_none(request.GET.get("candidate"))
    if candidate_id:
        exclude = Candidate(pk=candidate_id)
    phone = to_e164_or_none(request.GET.get("phone", "")) or ""
    others = list(services.candidates_sharing_phone(phone, exclude=exclude)[:5])
    return render(request, "candidates/_phone_warning.html", {"shared_with": others})


@permission_required("candidates.view_candidate", raise_exception=True)
def candidate_detail(request, pk):
    # With its SMS thread: the Messages area and the SMS checks read it without a query.
    candidate = get_object_or_404(
        Candidate.objects.select_related("owner", "created_by", "sms_thread"), pk=pk
    )
    applications = list(
        candidate.applications.select_related("job", "stage").order_by("job__title")
    )
    timeline = list(candidate.timeline.select_related("actor")[:TIMELINE_LIMIT])
    shared_with = list(services.candidates_sharing_phone(candidate.phone, exclude=candidate)[:5])
    available_jobs = list(ApplyForm(candidate=candidate).fields["job"].queryset)
    return render(
        request,
        "candidates/candidate_detail.html",
        {
            "candidate": candidate,
            "applications": applications,
            "timeline": timeline,
            "timeline_truncated": len(timeline) == TIMELINE_LIMIT,
            "shared_with": shared_with,
            "available_jobs": available_jobs,
            "nav_section": "candidates",
        },
    )


@require_POST
@permission_required("candidates.add_application", raise_exception=True)
def candidate_apply(request, pk):
    candidate = get_object_or_404(Candidate, pk=pk)
    form = ApplyForm(request.POST, candidate=candidate)
    if form.is_valid():
        job = form.cleaned_data["job"]
        try:
            services.apply(candidate, job, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{candidate.full_name} added to {job.title}.")
    else:
        messages.error(request, "Choose an open job the candidate is not in yet.")
    return redirect("candidates:detail", pk=candidate.pk)


# --- Jobs and the kanban board -------------------------------------------------------------------

JOB_FILTERS = {"open": Job.Status.OPEN, "closed": Job.Status.CLOSED, "all": None}


@permission_required("candidates.view_job", raise_exception=True)
def job_list(request):
    status_filter = request.GET.get("status", "open")
    if status_filter not in JOB_FILTERS:
        status_filter = "open"
    jobs = Job.objects.select_related("recruiter").annotate(total=Count("applications"))
    if JOB_FILTERS[status_filter]:
        jobs = jobs.filter(status=JOB_FILTERS[status_filter])
    jobs = jobs.order_by("status", "title", "id").prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position"))
    )
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))

    # Cards per stage for the jobs on this page, in one grouped query.
    counts = {}
    rows = (
        Application.objects.filter(job__in=[job.pk for job in page])
        .order_by()
        .values("stage_id")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["stage_id"]] = row["n"]
    for job in page:
        job.pipeline = [(stage, counts.get(stage.pk, 0)) for stage in job.stages.all()]

    status_counts = dict(
        Job.objects.order_by().values("status").annotate(n=Count("id")).values_list("status", "n")
    )
    return render(
        request,
        "candidates/job_list.html",
        {
            "page": page,
            "status_filter": status_filter,
            "status_tabs": [
                ("open", "Open", status_counts.get(Job.Status.OPEN, 0)),
                ("closed", "Closed", status_counts.get(Job.Status.CLOSED, 0)),
                ("all", "All", sum(status_counts.values())),
            ],
            "nav_section": "jobs",
        },
    )


@permission_required("candidates.add_job", raise_exception=True)
def job_create(request):
    form = JobForm(request.POST or None, initial={"recruiter": request.user.pk})
    if request.method == "POST" and form.is_valid():
        job = services.create_job(**form.cleaned_data)
        messages.success(request, f"{job.title} created with the default pipeline.")
        return redirect("candidates:job_board", pk=job.pk)
    return render(
        request, "candidates/job_form.html", {"form": form, "job": None, "nav_section": "jobs"}
    )


@permission_required("candidates.change_job", raise_exception=True)
def job_edit(request, pk):
    job = get_object_or_404(Job, pk=pk)
    form = JobForm(request.POST or None, job=job)
    if request.method == "POST" and form.is_valid():
        services.update_job(job, **form.cleaned_data)
        messages.success(request, "Job saved.")
        return redirect("candidates:job_board", pk=job.pk)
    return render(
        request, "candidates/job_form.html", {"form": form, "job": job, "nav_section": "jobs"}
    )


# A column shows its first cards and "Show more" loads the next ones (htmx), so the board stays
# fast and small at thousands of cards; the column's count is always the exact total.
BOARD_CARDS_PER_COLUMN = 50


def _board_cards(job):
    """The cards of the board in board order, with what a card shows (incl. the SMS summary)."""
    return (
        Application.objects.filter(job=job)
        .select_related("candidate", "candidate__sms_thread")
        .only(
            "id",
            "stage_id",
            "position",
            "candidate__id",
            "candidate__first_name",
            "candidate__last_name",
            "candidate__phone",
            "candidate__sms_thread__id",
            "candidate__sms_thread__last_message_preview",
            "candidate__sms_thread__last_message_at",
            "candidate__sms_thread__last_message_direction",
            "candidate__sms_thread__last_message_author",
            "candidate__sms_thread__unread_count",
        )
        .order_by("position", "id")
    )


def _first_cards_per_column(job, *, show_all_in=None):
    """Each column's first BOARD_CARDS_PER_COLUMN cards in one query (a row number per stage);
    every card of the `show_all_in` stage (the "Show more" link without JavaScript)."""
    row = Window(RowNumber(), partition_by=F("stage_id"), order_by=[F("position"), F("id")])
    cards = _board_cards(job).annotate(row=row)
    shown = Q(row__lte=BOARD_CARDS_PER_COLUMN)
    if show_all_in is not None:
        shown |= Q(stage_id=show_all_in)
    return cards.filter(shown)


@permission_required("candidates.view_job", raise_exception=True)
@permission_required("candidates.view_application", raise_exception=True)
def job_board(request, pk):
    job = get_object_or_404(Job.objects.select_related("recruiter"), pk=pk)
    show = request.GET.get("show", "")
    show_all_in = int(show) if show.isascii() and show.isdigit() and len(show) < 12 else None
    counts = dict(
        Application.objects.filter(job=job)
        .order_by()
        .values("stage_id")
        .annotate(n=Count("id"))
        .values_list("stage_id", "n")
    )
    stages = list(job.stages.order_by("position"))
    toolbar_parts, column_parts = board_sections(job, request.user, stages)
    for stage in stages:
        stage.board_parts = column_parts[stage.pk]  # what other apps show in its header
    columns = {stage.pk: BoardColumn(stage, counts.get(stage.pk, 0)) for stage in stages}
    for card in _first_cards_per_column(job, show_all_in=show_all_in):
        columns[card.stage_id].cards.append(card)
    return render(
        request,
        "candidates/job_board.html",
        {
            "job": job,
            "columns": list(columns.values()),
            "toolbar_parts": toolbar_parts,
            "total": sum(counts.values()),
            "nav_section": "jobs",
        },
    )


@require_GET
@permission_required("candidates.view_job", raise_exception=True)
@permission_required("candidates.view_application", raise_exception=True)
def job_board_cards(request, pk, stage_pk):
    """A column's next cards after the `offset` already shown ("Show more", htmx)."""
    stage = get_object_or_404(Stage.objects.select_related("job"), pk=stage_pk, job_id=pk)
    offset = request.GET.get("offset", "0")
    offset = int(offset) if offset.isascii() and offset.isdigit() and len(offset) < 7 else 0
    column = BoardColumn(stage, Application.objects.filter(stage=stage).count())
    end = offset + BOARD_CARDS_PER_COLUMN
    column.cards = list(_board_cards(stage.job).filter(stage=stage)[offset:end])
    column.offset = offset
    context = {"job": stage.job, "column": column, "stage": stage}
    return render(request, "candidates/_kanban_more.html", context)


@permission_required("candidates.change_application", raise_exception=True)
@require_POST
def applications_bulk_move(request, pk):
    """ "Move N selected to…" from the board's selection bar: one transaction for them all."""
    job = get_object_or_404(Job, pk=pk)
    board_url = reverse("candidates:job_board", kwargs={"pk": job.pk})
    stage = Stage.objects.filter(job=job, pk=id_or_none(request.POST.get("to_stage")) or 0).first()
    ids = _selected_ids(request.POST, job)
    if stage is None or not ids:
        messages.error(request, "Choose the cards and the stage to move them to.")
        return redirect(board_url)
    moved = bulk_moves.move_applications(job, ids, stage=stage, by=request.user)
    count = len(moved)
    messages.success(
        request, f"{count} candidate{'s' if count != 1 else ''} moved to {stage.name}."
    )
    return redirect(board_url)


def _posted_ids(values) -> set[int]:
    return {pk for pk in map(id_or_none, values) if pk is not None}


def _selected_ids(data, job) -> set[int]:
    """The board's selection as the bulk SMS form sends it: one comma-joined `applications`
    field (or `application` checkboxes without JavaScript), plus whole columns (`stage`, minus
    the cards unchecked in them, `exclude`) that include cards the board has not loaded."""
    joined = data.get("applications", "")[:100_000].split(",")
    ids = _posted_ids([*data.getlist("application"), *joined])
    whole = _posted_ids(data.getlist("stage"))
    if whole:
        in_columns = Application.objects.filter(job=job, stage_id__in=whole).exclude(
            pk__in=_posted_ids(data.getlist("exclude"))
        )
        ids |= set(in_columns.values_list("pk", flat=True))
    return ids


@permission_required("candidates.change_application", raise_exception=True)
def application_move(request, pk):
    """The "Move to…" form (a dialog with htmx, a page without JS) and the move itself.

    The board's drag and drop posts here too and asks for JSON: the new place and column counts.
    """
    application = get_object_or_404(
        Application.objects.select_related("candidate", "job", "stage"), pk=pk
    )
    board_url = reverse("candidates:job_board", kwargs={"pk": application.job_id})
    form = MoveForm(request.POST or None, application=application)
    if request.method == "POST":
        if not form.is_valid():
            if _wants_json(request):
                return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        else:
            result = services.move_application(
                application,
                stage=form.cleaned_data["stage"],
                position=form.zero_based_position(),
                by=request.user,
            )
            moved = result.application
            text = f"{application.candidate.full_name} moved to {result.to_stage.name}."
            if _wants_json(request):
                counts = services.stage_counts(application.job)
                return JsonResponse(
                    {
                        "application": moved.pk,
                        "stage": result.to_stage.pk,
                        "stage_name": result.to_stage.name,
                        "position": moved.position + 1,
                        "counts": {str(stage_id): n for stage_id, n in counts.items()},
                        "message": text,
                    }
                )
            messages.success(request, text)
            return redirect(safe_next(request, board_url))
    else:
        form.initial = {"stage": application.stage_id, "position": application.position + 1}
    template = "candidates/_move_dialog.html" if request.htmx else "candidates/move.html"
    return render(
        request,
        template,
        {
            "application": application,
            "form": form,
            "next": safe_next(request, board_url),
            "board_url": board_url,
            "nav_section": "jobs",
        },
    )
