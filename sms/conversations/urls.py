from django.urls import path

from sms.conversations import inbox, views

urlpatterns = [
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/poll/", inbox.inbox_poll, name="inbox_poll"),
    path("inbox/unread-badge/", inbox.unread_badge, name="unread_badge"),
    path("inbox/<int:pk>/", inbox.inbox_thread, name="inbox_thread"),
    path("inbox/<int:pk>/poll/", inbox.inbox_thread_poll, name="inbox_thread_poll"),
    path("inbox/<int:pk>/earlier/", views.thread_messages, name="thread_messages"),
    path("inbox/<int:pk>/link/", inbox.link_thread, name="link_thread"),
    path("candidates/<int:pk>/messages/send/", views.send_to_candidate, name="send_to_candidate"),
    path("candidates/<int:pk>/messages/", views.candidate_thread, name="candidate_thread"),
    path("candidates/<int:pk>/messages/poll/", views.candidate_poll, name="candidate_poll"),
    path("candidates/<int:pk>/messages/preview/", views.compose_preview, name="compose_preview"),
    path("messages/<int:pk>/retry/", views.message_retry, name="message_retry"),
    path("messages/<int:pk>/cancel/", views.message_cancel, name="message_cancel"),
    path("messages/<int:pk>/undo-cancel/", views.message_undo_cancel, name="message_undo_cancel"),
    path("messages/<int:pk>/reschedule/", views.message_reschedule, name="message_reschedule"),
]
