from django.urls import include, path

from sms import views, webhooks

app_name = "sms"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("candidates/<int:pk>/messages/send/", views.send_to_candidate, name="send_to_candidate"),
    path("candidates/<int:pk>/messages/", views.candidate_thread, name="candidate_thread"),
    # SMS Templates administration and kanban quick/bulk send live in their own modules.
    path("", include("sms.template_urls")),
    path("", include("sms.kanban_urls")),
    # Provider webhooks: no login, CSRF-exempt, POST only (see sms/webhooks.py).
    path("webhooks/twilio/inbound/", webhooks.twilio_inbound, name="twilio_inbound"),
    path("webhooks/twilio/status/", webhooks.twilio_status, name="twilio_status"),
    path(
        "webhooks/clicksend/<str:token>/inbound/",
        webhooks.clicksend_inbound,
        name="clicksend_inbound",
    ),
    path(
        "webhooks/clicksend/<str:token>/receipts/",
        webhooks.clicksend_receipts,
        name="clicksend_receipts",
    ),
]
