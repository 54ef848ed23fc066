"""The project's routes: each app's own, composed here (the top layer may import every app)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

import integrations.urls
import sms.provider_test.urls
from nextal import views

# Administration → Integrations, with SMS's "Send test SMS" on each card in the same namespace
# (`integrations:test_sms`): the Integrations app itself knows nothing of SMS.
integrations_routes = (
    integrations.urls.urlpatterns + sms.provider_test.urls.urlpatterns,
    integrations.urls.app_name,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("accounts.urls")),
    path("administration/", views.administration, name="administration"),
    path("administration/integrations/", include(integrations_routes)),
    path("", include("candidates.urls")),
    path("", include("sms.urls")),
    path("django-admin/", admin.site.urls),
]
