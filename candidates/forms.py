"""Forms for candidates, jobs and kanban moves. They validate input; services change data.

Plain forms rather than ModelForms: a ModelForm writes cleaned values onto its instance while
validating, which would hide the changes `update_candidate` records on the timeline.
"""

import json

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from candidates.models import Candidate, Job, Stage
from candidates.services import candidates_sharing_phone, normalize_phone
from core.roles import ADMINISTRATORS, RECRUITERS
from core.time_zones import zone_choices


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def staff_users():
    """People who can own candidates and jobs: active members of a recruiting role."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=[RECRUITERS, ADMINISTRATORS]) | Q(is_superuser=True))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class CandidateForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        help_text="Without a country code it is read as a local number.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label="Email", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        required=False,
        help_text="Where the candidate lives, for SMS quiet hours. Leave it to go by the phone "
        "number (or the company time zone when the number does not say).",
    )
    preferred_language = forms.ChoiceField(
        label="Preferred language",
        required=False,
        choices=[("", "Not set")] + [(code, name) for code, name in settings.LANGUAGES],
        help_text="Templates written in several languages are sent in this one when they can be.",
    )
    owner = UserChoiceField(queryset=None, label="Owner", required=False, empty_label="Nobody")

    def __init__(self, *args, candidate: Candidate | None = None, **kwargs):
        self.candidate = candidate
        if candidate is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "first_name": candidate.first_name,
                "last_name": candidate.last_name,
                "phone": candidate.phone,
                "email": candidate.email,
                "time_zone": candidate.time_zone,
                "preferred_language": candidate.preferred_language,
                "owner": candidate.owner_id,
            }
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_users()
        self.fields["time_zone"].choices = zone_choices("From the phone number")
        # Refresh the shared-number warning while the number is typed (htmx; optional).
        self.fields["phone"].widget.attrs.update(
            {
                "hx-get": reverse("candidates:phone_check"),
                "hx-trigger": "input changed delay:400ms, change",
                "hx-target": "#phone-warning",
                "hx-sync": "this:replace",
            }
        )
        if candidate is not None:
            self.fields["phone"].widget.attrs["hx-vals"] = json.dumps({"candidate": candidate.pk})

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def shared_phone_candidates(self):
        """Other candidates with the entered number: a warning for the form, never an error."""
        if self.is_bound:
            phone = getattr(self, "cleaned_data", {}).get("phone")
        else:
            phone = self.initial.get("phone")
        return list(candidates_sharing_phone(phone, exclude=self.candidate)[:5]) if phone else []


class NewCandidateForm(CandidateForm):
    job = forms.ModelChoiceField(
        queryset=Job.objects.filter(status=Job.Status.OPEN).order_by("title"),
        label="Job",
        required=False,
        empty_label="Don't apply to a job yet",
        help_text="Optional: adds the candidate to the first stage of this job's pipeline.",
    )


class ApplyForm(forms.Form):
    """Add a candidate to another open job from the profile."""

    job = forms.ModelChoiceField(queryset=None, label="Job", empty_label="Choose a job…")

    def __init__(self, *args, candidate: Candidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job"].queryset = (
            Job.objects.filter(status=Job.Status.OPEN)
            .exclude(applications__candidate=candidate)
            .order_by("title")
        )


class JobForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    location = forms.CharField(label="Location", max_length=200, required=False)
    recruiter = UserChoiceField(
        queryset=None, label="Recruiter", required=False, empty_label="Nobody"
    )
    status = forms.ChoiceField(label="Status", choices=Job.Status.choices)

    def __init__(self, *args, job: Job | None = None, **kwargs):
        if job is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": job.title,
                "location": job.location,
                "recruiter": job.recruiter_id,
                "status": job.status,
            }
        super().__init__(*args, **kwargs)
        self.fields["recruiter"].queryset = staff_users()


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MoveForm(forms.Form):
    """Where a kanban card goes: a stage of its job and a 1-based place in that column."""

    stage = StageChoiceField(queryset=None, label="Stage", empty_label=None)
    position = forms.IntegerField(
        label="Position in column",
        min_value=1,
        required=False,
        help_text="1 is the top. Leave empty for the bottom.",
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(job_id=application.job_id).order_by(
            "position"
        )

    def zero_based_position(self) -> int | None:
        position = self.cleaned_data.get("position")
        return None if position is None else position - 1
