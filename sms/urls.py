"""Every SMS route, in the `sms` namespace; each feature package keeps its own."""

from django.urls import include, path

app_name = "sms"

urlpatterns = [
    path("", include("sms.conversations.urls")),
    path("", include("sms.message_templates.urls")),
    path("", include("sms.kanban.urls")),
    path("", include("sms.inbound.urls")),
    path("", include("sms.attachments.urls")),
    path("", include("sms.analytics.urls")),
    path("", include("sms.consent_records.urls")),
    path("", include("sms.policy_settings.urls")),
    path("", include("sms.automations.urls")),
]
