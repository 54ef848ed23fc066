from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from nextal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("administration/", views.administration, name="administration"),
    path("administration/integrations/", include("integrations.urls")),
    path("", include("candidates.urls")),
    path("", include("sms.urls")),
    path("django-admin/", admin.site.urls),
]
