from django.urls import path

from candidates import views

app_name = "candidates"

urlpatterns = [
    path("candidates/", views.candidate_list, name="list"),
    path("candidates/new/", views.candidate_create, name="create"),
    path("candidates/phone-check/", views.phone_check, name="phone_check"),
    path("candidates/<id:pk>/", views.candidate_detail, name="detail"),
    path("candidates/<id:pk>/edit/", views.candidate_edit, name="edit"),
    path("candidates/<id:pk>/apply/", views.candidate_apply, name="apply"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/new/", views.job_create, name="job_create"),
    path("jobs/<id:pk>/", views.job_board, name="job_board"),
    path(
        "jobs/<id:pk>/board/stages/<id:stage_pk>/cards/",
        views.job_board_cards,
        name="job_board_cards",
    ),
    path("jobs/<id:pk>/edit/", views.job_edit, name="job_edit"),
    path("applications/<id:pk>/move/", views.application_move, name="application_move"),
    path("jobs/<id:pk>/move/", views.applications_bulk_move, name="bulk_move"),
]
