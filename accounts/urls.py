"""Account routes, in the `accounts` namespace (sign-in and sign-out stay in nextal/urls.py)."""

from django.urls import path

from accounts.views import administration, password, two_factor

app_name = "accounts"

urlpatterns = [
    path("accounts/verify/", two_factor.verify, name="verify"),
    path("accounts/two-factor/", two_factor.two_factor, name="two_factor"),
    path("accounts/two-factor/confirm/", two_factor.two_factor_confirm, name="two_factor_confirm"),
    path(
        "accounts/two-factor/recovery-codes/",
        two_factor.recovery_codes_regenerate,
        name="recovery_codes",
    ),
    path("accounts/two-factor/disable/", two_factor.two_factor_disable, name="two_factor_disable"),
    path("accounts/password/", password.PasswordChangeView.as_view(), name="password_change"),
    path("administration/sign-in-log/", administration.event_log, name="event_log"),
    path("administration/sign-in-lockouts/", administration.lockout_list, name="lockouts"),
    path("administration/sign-in-lockouts/unlock/", administration.unlock, name="unlock"),
]
