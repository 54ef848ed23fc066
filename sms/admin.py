"""Django admin for SMS data. Messages are read-only (the pipeline owns them); provider
credentials live on integrations and are never shown here."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from sms.models import (
    AutomationRule,
    ConsentEvent,
    Message,
    OptOut,
    PolicyChange,
    SmsPolicy,
    SmsTemplate,
    Thread,
)


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
