from django.urls import path

from sms.policy_settings import views

urlpatterns = [
    path("administration/sms-settings/", views.policy_settings, name="policy_settings"),
]
