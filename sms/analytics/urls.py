from django.urls import path

from sms.analytics import views

urlpatterns = [
    path("administration/sms-analytics/", views.analytics, name="analytics"),
    path("administration/sms-analytics/export.csv", views.analytics_csv, name="analytics_csv"),
]
