from django.urls import path

from sms.consent_records import views

urlpatterns = [
    path("candidates/<id:pk>/sms-consent/", views.consent_record, name="consent_record"),
    path("candidates/<id:pk>/sms-consent/opt-out/", views.opt_out_record, name="opt_out_record"),
    path("candidates/<id:pk>/sms-consent.csv", views.candidate_export, name="consent_export"),
    path("sms/consent-ledger.csv", views.ledger_export, name="consent_ledger_export"),
]
