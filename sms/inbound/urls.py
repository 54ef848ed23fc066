"""Provider webhooks: no login, CSRF-exempt, POST only (see sms/inbound/views.py).

Each is also served without its trailing slash: a URL pasted by hand without it must not be a
redirect (providers do not follow redirects on POST). The named routes, with the slash, are the
ones Nextal configures and shows.
"""

from django.urls import path

from sms.inbound import views

ROUTES = [
    ("webhooks/twilio/inbound/", views.twilio_inbound, "twilio_inbound"),
    ("webhooks/twilio/status/", views.twilio_status, "twilio_status"),
    ("webhooks/clicksend/<str:token>/inbound/", views.clicksend_inbound, "clicksend_inbound"),
    ("webhooks/clicksend/<str:token>/receipts/", views.clicksend_receipts, "clicksend_receipts"),
]

urlpatterns = [path(route, view, name=name) for route, view, name in ROUTES] + [
    path(route.rstrip("/"), view) for route, view, _ in ROUTES
]
