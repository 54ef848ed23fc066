from django.urls import path

from sms import template_views

urlpatterns = [
    path("administration/sms-templates/", template_views.template_list, name="template_list"),
]
