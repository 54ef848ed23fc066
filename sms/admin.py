"""Django admin for SMS data. Messages are read-only (the pipeline owns them); provider
credentials live on integrations and are never shown here."""

from django.contrib import admin, messages

from core.admin import ReadOnlyAdmin
from sms.inbound.processing import reprocess
from sms.models import (
    AutomationRule,
    ConsentEvent,
    Message,
    OptOut,
    PolicyChange,
    ProviderEvent,
    SmsPolicy,
    SmsTemplate,
    Thread,
)


class ProcessingStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("pending", "Pending"), ("failed", "Failed"), ("processed", "Processed")]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "processed":
            return queryset.filter(processed_at__isnull=False)
        if value == "failed":
            return queryset.filter(processed_at__isnull=True).exclude(error="")
        if value == "pending":
            return queryset.filter(processed_at__isnull=True, error="")
        return queryset


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["__str__", "phone_number", "last_message_at", "unread_count"]
    list_select_related = ["candidate"]
    search_fields = ["phone_number", "candidate__first_name", "candidate__last_name"]
    raw_id_fields = ["candidate"]
    readonly_fields = [
        "last_message_at",
        "last_message_preview",
        "last_message_direction",
        "changed_at",
        "created_at",
    ]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["pk", "thread", "direction", "status", "provider", "created_at", "attempts"]
    list_filter = ["direction", "status", "provider"]
    list_select_related = ["thread__candidate"]
    search_fields = ["provider_message_id", "to_number", "from_number"]
    date_hierarchy = "created_at"


@admin.register(OptOut)
class OptOutAdmin(ReadOnlyAdmin):
    """Read-only: only the number's own START lifts an opt-out, and every change must reach the
    consent ledger (sms.optouts, sms.consent)."""

    list_display = [
        "phone_number",
        "opted_out",
        "source",
        "detail",
        "consent_source",
        "provider",
        "changed_at",
    ]
    list_filter = ["opted_out", "source", "consent_source", "provider"]
    search_fields = ["phone_number"]


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    """The append-only consent ledger."""

    list_display = ["phone_number", "granted", "source", "detail", "recorded_by", "created_at"]
    list_filter = ["granted", "source"]
    list_select_related = ["recorded_by"]
    search_fields = ["phone_number", "detail", "note"]
    date_hierarchy = "created_at"


@admin.register(SmsPolicy)
class SmsPolicyAdmin(ReadOnlyAdmin):
    """Changed on Administration → SMS Settings, where every change is audited."""

    list_display = ["__str__", "quiet_hours_enabled", "send_from", "send_until", "updated_at"]


@admin.register(PolicyChange)
class PolicyChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "changed_by", "changes"]
    list_select_related = ["changed_by"]


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "language", "owner", "is_active", "updated_at"]
    list_filter = ["is_active", "group", "language"]
    search_fields = ["name", "body"]
    raw_id_fields = ["translation_of", "owner"]
    readonly_fields = ["created_by", "created_at", "updated_at"]


@admin.register(AutomationRule)
class AutomationRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "job", "stage", "stage_name", "template", "delay_minutes", "is_enabled"]
    list_filter = ["is_enabled", "cancel_if_reply"]
    list_select_related = ["job", "stage", "template"]
    search_fields = ["name", "job__title", "stage_name"]
    raw_id_fields = ["job", "stage", "template"]
    readonly_fields = ["created_by", "created_at", "updated_at"]


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    """Webhooks as they arrived. Failed ones (filter "Failed") show their error and can be
    processed again with the Reprocess action (exactly once: processed events are skipped)."""

    list_display = ["pk", "provider", "kind", "event_id", "received_at", "state", "attempts"]
    list_filter = ["provider", "kind", ProcessingStateFilter]
    search_fields = ["event_id"]
    date_hierarchy = "received_at"
    actions = ["reprocess_events"]
    readonly_fields = ["error"]

    @admin.display(description="State")
    def state(self, event):
        if event.processed_at:
            return "Processed"
        return "Failed" if event.error else "Pending"

    def has_reprocess_permission(self, request):
        return request.user.has_perm("sms.change_providerevent")

    @admin.action(description="Reprocess the selected events", permissions=["reprocess"])
    def reprocess_events(self, request, queryset):
        result = reprocess(queryset.filter(processed_at__isnull=True).values_list("pk", flat=True))
        level = messages.WARNING if result.failed else messages.SUCCESS
        self.message_user(
            request,
            f"{result.processed} event(s) processed, {result.failed} failed again.",
            level=level,
        )
