"""Change your password. Django's view keeps this session signed in (update_session_auth_hash);
every other session of the account ends, because its stored password hash no longer matches."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from accounts.events import record
from accounts.models import AuthEventKind


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change")
    extra_context = {"nav_section": "account"}

    def form_valid(self, form):
        response = super().form_valid(form)
        record(
            AuthEventKind.PASSWORD_CHANGED,
            request=self.request,
            user=self.request.user,
            detail="other sessions signed out",
        )
        messages.success(
            self.request, "Your password is changed. Your other sessions are signed out."
        )
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response
