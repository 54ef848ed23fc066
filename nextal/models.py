"""What each user chooses for themselves: their time zone (scheduling, times on every page)."""

from django.conf import settings
from django.db import models

from core.time_zones import validate_time_zone


class UserPreferences(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    # Empty: the company default (TIME_ZONE).
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])

    class Meta:
        verbose_name_plural = "user preferences"

    def __str__(self):
        return f"Preferences of {self.user}"
