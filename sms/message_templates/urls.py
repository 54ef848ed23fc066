from django.urls import path

from sms.message_templates import views as template_views

PREFIX = "administration/sms-templates/"

urlpatterns = [
    path(PREFIX, template_views.template_list, name="template_list"),
    path(f"{PREFIX}new/", template_views.template_create, name="template_create"),
    path(f"{PREFIX}<id:pk>/edit/", template_views.template_edit, name="template_edit"),
    path(
        f"{PREFIX}<id:pk>/duplicate/",
        template_views.template_duplicate,
        name="template_duplicate",
    ),
    path(f"{PREFIX}<id:pk>/active/", template_views.template_set_active, name="template_active"),
    path(f"{PREFIX}<id:pk>/delete/", template_views.template_delete, name="template_delete"),
]
