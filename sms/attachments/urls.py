from django.urls import path

from sms.attachments import views

urlpatterns = [
    path("attachments/<int:pk>/", views.attachment_file, name="attachment_file"),
    path("attachments/<int:pk>/retry/", views.attachment_retry, name="attachment_retry"),
    path("media/sms/<str:token>/", views.public_media, name="public_media"),
]
