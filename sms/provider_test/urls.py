"""Included in the `integrations` namespace by nextal/urls.py (`integrations:test_sms`)."""

from django.urls import path

from sms.provider_test import views

urlpatterns = [
    path("<slug:kind>/test-sms/", views.test_sms, name="test_sms"),
]
