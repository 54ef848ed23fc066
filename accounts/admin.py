"""The event log in the Django admin: read-only, like every audit trail."""

from django.contrib import admin

from accounts.models import AuthEvent
from core.admin import ReadOnlyAdmin


@admin.register(AuthEvent)
class AuthEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "username", "actor", "ip_address", "detail")
    list_filter = ("kind",)
    search_fields = ("username",)
    list_select_related = ("actor",)
