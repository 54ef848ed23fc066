from django.urls import path

from candidates import views

app_name = "candidates"

urlpatterns = [
    path("candidates/", views.candidate_list, name="list"),
    path("jobs/", views.job_list, name="job_list"),
]
