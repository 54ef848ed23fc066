"""Candidate and job pages. Views are thin: forms validate, services change data."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render


@permission_required("candidates.view_candidate", raise_exception=True)
def candidate_list(request):
    return render(request, "placeholder.html", {"title": "Candidates", "nav_section": "candidates"})


@permission_required("candidates.view_job", raise_exception=True)
def job_list(request):
    return render(request, "placeholder.html", {"title": "Jobs", "nav_section": "jobs"})
