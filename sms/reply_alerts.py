"""Email the assignee when a candidate's reply has waited unanswered for their chosen number
of minutes (InboxPreferences; 30 by default). Run by the sweeper; once per reply: the thread's
`reply_alert_sent_at` is claimed with a conditional UPDATE before the email goes, so
concurrent sweeps never send it twice. Through Django's email backend."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from sms.models import Direction, InboxPreferences, Thread

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


def send_reply_alerts(*, now=None) -> int:
    """Alert the assignees of replies that waited long enough; returns how many emails."""
    now = now or timezone.now()
    waiting = (
        Thread.objects.filter(
            assigned_to__isnull=False,
            assigned_to__is_active=True,
            last_message_direction=Direction.INBOUND,
            last_inbound_at__lte=now - timedelta(minutes=1),
            closed_at__isnull=True,
        )
        .filter(
            Q(reply_alert_sent_at__isnull=True) | Q(reply_alert_sent_at__lt=F("last_inbound_at"))
        )
        .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now))
        .select_related("assigned_to", "assigned_to__inbox_preferences", "candidate")
        .order_by("last_inbound_at")[:BATCH_SIZE]
    )
    sent = 0
    for thread in waiting:
        user = thread.assigned_to
        try:
            preferences = user.inbox_preferences
        except InboxPreferences.DoesNotExist:
            preferences = InboxPreferences(user=user)
        if not preferences.reply_alerts or not user.email:
            continue
        if thread.last_inbound_at > now - timedelta(minutes=preferences.reply_alert_minutes):
            continue
        claimed = Thread.objects.filter(
            Q(reply_alert_sent_at__isnull=True) | Q(reply_alert_sent_at__lt=F("last_inbound_at")),
            pk=thread.pk,
            last_message_direction=Direction.INBOUND,
        ).update(reply_alert_sent_at=now)
        if claimed:
            _email(thread, user, preferences.reply_alert_minutes)
            sent += 1
    return sent


def _email(thread: Thread, user, minutes: int) -> None:
    who = thread.candidate.full_name if thread.candidate_id else thread.phone_number
    link = settings.PUBLIC_BASE_URL + reverse("sms:inbox_thread", args=[thread.pk])
    send_mail(
        subject=f"{who} is waiting for an answer",
        message=(
            f"{who} replied {minutes} or more minutes ago and nobody has answered yet:\n\n"
            f"  {thread.last_message_preview}\n\n"
            f"Open the conversation: {link}\n\n"
            "You get this because the conversation is assigned to you. Change it under "
            "Inbox → Notification settings."
        ),
        from_email=None,
        recipient_list=[user.email],
        fail_silently=False,
    )
    logger.info("Reply alert for thread #%s sent to user #%s", thread.pk, user.pk)
