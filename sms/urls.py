from django.urls import include, path

from sms import views, webhooks

app_name = "sms"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/poll/", views.inbox_poll, name="inbox_poll"),
    path("inbox/unread-badge/", views.unread_badge, name="unread_badge"),
    path("inbox/<int:pk>/", views.inbox_thread, name="inbox_thread"),
    path("inbox/<int:pk>/poll/", views.inbox_thread_poll, name="inbox_thread_poll"),
    path("inbox/<int:pk>/earlier/", views.thread_messages, name="thread_messages"),
    path("inbox/<int:pk>/link/", views.link_thread, name="link_thread"),
    path("candidates/<int:pk>/messages/send/", views.send_to_candidate, name="send_to_candidate"),
    path("candidates/<int:pk>/messages/", views.candidate_thread, name="candidate_thread"),
    path("candidates/<int:pk>/messages/poll/", views.candidate_poll, name="candidate_poll"),
    path("candidates/<int:pk>/messages/preview/", views.compose_preview, name="compose_preview"),
    path("messages/<int:pk>/retry/", views.message_retry, name="message_retry"),
    path("messages/<int:pk>/cancel/", views.message_cancel, name="message_cancel"),
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
