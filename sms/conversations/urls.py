from django.urls import path

from sms.conversations import export, inbox, notifications, thread_state, unknown_senders, views

urlpatterns = [
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/poll/", inbox.inbox_poll, name="inbox_poll"),
    path("inbox/unread-badge/", notifications.unread_badge, name="unread_badge"),
    path("inbox/settings/", notifications.inbox_settings, name="inbox_settings"),
    path("inbox/<int:pk>/", inbox.inbox_thread, name="inbox_thread"),
    path("inbox/<int:pk>/poll/", inbox.inbox_thread_poll, name="inbox_thread_poll"),
    path("inbox/<int:pk>/earlier/", views.thread_messages, name="thread_messages"),
    path("inbox/<int:pk>/link/", inbox.link_thread, name="link_thread"),
    path("inbox/<int:pk>/send/", unknown_senders.send_to_thread, name="send_to_thread"),
    path(
        "inbox/<int:pk>/create-candidate/",
        unknown_senders.create_candidate,
        name="create_candidate_from_thread",
    ),
    path("inbox/<int:pk>/assign/", thread_state.assign_thread, name="assign_thread"),
    path("inbox/<int:pk>/close/", thread_state.close_thread, name="close_thread"),
    path("inbox/<int:pk>/reopen/", thread_state.reopen_thread, name="reopen_thread"),
    path("inbox/<int:pk>/snooze/", thread_state.snooze_thread, name="snooze_thread"),
    path("inbox/<int:pk>/unread/", thread_state.mark_thread_unread, name="mark_thread_unread"),
    path("inbox/<int:pk>/export.csv", export.export_csv, name="export_csv"),
    path("inbox/<int:pk>/print/", export.export_print, name="export_print"),
    path("inbox/links/<int:pk>/undo/", unknown_senders.undo_sender_link, name="undo_link"),
    path("candidates/<int:pk>/messages/send/", views.send_to_candidate, name="send_to_candidate"),
    path("candidates/<int:pk>/messages/", views.candidate_thread, name="candidate_thread"),
    path("candidates/<int:pk>/messages/poll/", views.candidate_poll, name="candidate_poll"),
    path("candidates/<int:pk>/messages/preview/", views.compose_preview, name="compose_preview"),
    path("messages/<int:pk>/retry/", views.message_retry, name="message_retry"),
    path("messages/<int:pk>/cancel/", views.message_cancel, name="message_cancel"),
]
