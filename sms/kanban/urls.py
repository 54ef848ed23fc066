"""Routes for sending SMS from the kanban board (card quick send and bulk send)."""

from django.urls import path

from sms.kanban import views as kanban_views

urlpatterns = [
    path("applications/<id:pk>/sms/", kanban_views.card_send, name="kanban_card_send"),
    path("jobs/<id:pk>/sms/", kanban_views.bulk_send, name="kanban_bulk_send"),
    path("sms/bulk-sends/<id:pk>/", kanban_views.bulk_progress_view, name="bulk_progress"),
]
