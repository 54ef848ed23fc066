"""Routes of the Automations pages (a job's, the company defaults)."""

from django.urls import path

from sms.automations import views

urlpatterns = [
    path("jobs/<int:pk>/automations/", views.job_automations, name="automations"),
    path(
        "jobs/<int:pk>/automations/defaults/",
        views.job_add_defaults,
        name="automations_add_defaults",
    ),
    path("sms/automations/defaults/", views.default_automations, name="automation_defaults"),
    path("sms/automations/<int:pk>/", views.rule_edit, name="automation_edit"),
    path("sms/automations/<int:pk>/toggle/", views.rule_toggle, name="automation_toggle"),
    path("sms/automations/<int:pk>/delete/", views.rule_delete, name="automation_delete"),
]
