from django.urls import path

from sms import views

app_name = "sms"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("administration/sms-templates/", views.template_list, name="template_list"),
]
