"""Provider webhooks: no login, CSRF-exempt, POST only (see sms/inbound/views.py)."""

from django.urls import path

from sms.inbound import views

urlpatterns = [
    path("webhooks/twilio/inbound/", views.twilio_inbound, name="twilio_inbound"),
    path("webhooks/twilio/status/", views.twilio_status, name="twilio_status"),
    path(
        "webhooks/clicksend/<str:token>/inbound/",
        views.clicksend_inbound,
        name="clicksend_inbound",
    ),
    path(
        "webhooks/clicksend/<str:token>/receipts/",
        views.clicksend_receipts,
        name="clicksend_receipts",
    ),
]
