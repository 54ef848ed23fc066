from django.urls import path

from candidates import views

app_name = "candidates"

urlpatterns = [
    path("candidates/", views.candidate_list, name="list"),
    path("candidates/new/", views.candidate_create, name="create"),
    path("candidates/phone-check/", views.phone_check, name="phone_check"),
    path("candidates/<int:pk>/", views.candidate_detail, name="detail"),
    path("candidates/<int:pk>/edit/", views.candidate_edit, name="edit"),
    path("candidates/<int:pk>/apply/", views.candidate_apply, name="apply"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/new/", views.job_create, name="job_create"),
    path("jobs/<int:pk>/", views.job_board, name="job_board"),
    path("jobs/<int:pk>/edit/", views.job_edit, name="job_edit"),
    path("applications/<int:pk>/move/", views.application_move, name="application_move"),
    path("jobs/<int:pk>/move/", views.applications_bulk_move, name="bulk_move"),
]
