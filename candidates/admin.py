"""Django admin for support staff: look things up; day-to-day changes go through the app."""

from django.contrib import admin

from candidates.models import Application, Candidate, Job, Stage, TimelineEvent


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0
    ordering = ["position"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "location", "status", "recruiter", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "location"]
    list_select_related = ["recruiter"]
    inlines = [StageInline]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["full_name", "phone", "email", "owner", "created_at"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "created_by"]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["candidate", "job", "stage", "position", "updated_at"]
    list_filter = ["job"]
    list_select_related = ["candidate", "job", "stage"]
    raw_id_fields = ["candidate"]


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "candidate", "kind", "description", "actor"]
    list_filter = ["kind"]
    list_select_related = ["candidate", "actor"]
    raw_id_fields = ["candidate", "actor"]
