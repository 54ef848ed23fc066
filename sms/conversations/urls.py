from django.urls import path

from sms.conversations import inbox, views

urlpatterns = [
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/poll/", inbox.inbox_poll, name="inbox_poll"),
    path("inbox/unread-badge/", inbox.unread_badge, name="unread_badge"),
    path("inbox/<id:pk>/", inbox.inbox_thread, name="inbox_thread"),
    path("inbox/<id:pk>/poll/", inbox.inbox_thread_poll, name="inbox_thread_poll"),
    path("inbox/<id:pk>/read/", inbox.inbox_thread_read, name="inbox_thread_read"),
    path("inbox/<id:pk>/earlier/", views.thread_messages, name="thread_messages"),
    path("inbox/<id:pk>/link/", inbox.link_thread, name="link_thread"),
    path("candidates/<id:pk>/messages/send/", views.send_to_candidate, name="send_to_candidate"),
    path("candidates/<id:pk>/messages/", views.candidate_thread, name="candidate_thread"),
    path("candidates/<id:pk>/messages/poll/", views.candidate_poll, name="candidate_poll"),
    path("candidates/<id:pk>/messages/preview/", views.compose_preview, name="compose_preview"),
    path("messages/<id:pk>/retry/", views.message_retry, name="message_retry"),
    path("messages/<id:pk>/cancel/", views.message_cancel, name="message_cancel"),
]
