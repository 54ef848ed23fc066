"""Django admin: read-only views of the integrations and their audit trail.

Changes go through the Integrations page (services.py) so that they are validated and audited;
the admin never shows the secret, only whether it is set and its last four characters.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from integrations.models import AuditEntry, Integration


@admin.register(Integration)
class IntegrationAdmin(ReadOnlyAdmin):
    list_display = ["kind", "is_active", "phone_number", "account_id", "secret_state"]
    # `secret` is excluded: the admin must never render it, not even as a read-only value.
    exclude = ["secret"]
    readonly_fields = [
        "kind",
        "is_active",
        "phone_number",
        "messaging_service_sid",
        "alpha_sender",
        "account_id",
        "secret_state",
        "secret_updated_at",
        "secret_updated_by",
        "credentials_checked_at",
        "credentials_valid",
        "credentials_check_message",
        "sender_checked_at",
        "sender_ok",
        "sender_check_message",
        "webhook_state",
        "webhook_detail",
        "webhook_checked_at",
        "activated_at",
        "webhook_token",
        "updated_at",
    ]
    fields = readonly_fields

    @admin.display(description="Secret")
    def secret_state(self, obj):
        if obj.secret_undecryptable:
            return "cannot be decrypted: re-enter it"
        return f"set ••••{obj.secret_last4}" if obj.has_secret else "not set"


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "integration", "action", "actor", "detail"]
    list_filter = ["integration", "action"]
    list_select_related = ["integration", "actor"]
    fields = readonly_fields = ["created_at", "integration", "action", "actor", "detail"]
