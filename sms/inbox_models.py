"""Rows the team inbox keeps besides threads and messages: what a "Link to candidate" did, so
that it can be undone. Declared here and registered with the app by `sms.models`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class SenderLink(models.Model):
    """An unknown sender's thread linked to a candidate (created for it, or chosen)."""

    candidate = models.ForeignKey(
        "candidates.Candidate", on_delete=models.CASCADE, related_name="sms_sender_links"
    )
    phone_number = models.CharField(max_length=32)  # the unknown sender's number
    # The candidate's thread afterwards, and the messages that came from the unknown thread
    # (they move back on undo).
    thread = models.ForeignKey("sms.Thread", null=True, on_delete=models.SET_NULL, related_name="+")
    message_ids = models.JSONField(default=list)
    merged = models.BooleanField(default=False)  # the candidate already had a thread
    previous_phone = models.CharField(max_length=32, blank=True)  # when the phone was updated
    created_candidate = models.BooleanField(default=False)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-linked_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(phone_number=""), name="sender_link_has_number"),
        ]

    def __str__(self):
        return f"{self.phone_number} linked to candidate #{self.candidate_id}"


class InboxPreferences(models.Model):
    """A user's inbox settings. Without a row: reply alerts on, after 30 minutes (the demo
    seeds rows with them off)."""

    DEFAULT_ALERT_MINUTES = 30

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_preferences"
    )
    reply_alerts = models.BooleanField(
        "Email me when a reply in my conversations waits", default=True
    )
    reply_alert_minutes = models.PositiveSmallIntegerField(
        "After (minutes)", default=DEFAULT_ALERT_MINUTES
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reply_alert_minutes__gte=1) & Q(reply_alert_minutes__lte=1440),
                name="reply_alert_minutes_range",
            ),
        ]

    def __str__(self):
        return f"Inbox preferences of {self.user}"
