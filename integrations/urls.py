from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.integration_list, name="list"),
    path("<slug:kind>/settings/", views.edit_settings, name="edit"),
    path("<slug:kind>/credentials/", views.edit_secret, name="edit_secret"),
    path("<slug:kind>/connect-webhooks/", views.connect_webhooks, name="connect_webhooks"),
    path("<slug:kind>/check/", views.check_now, name="check_now"),
    path(
        "<slug:kind>/webhook-token/",
        views.regenerate_webhook_token,
        name="regenerate_webhook_token",
    ),
]
