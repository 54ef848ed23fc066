"""Template helpers for candidate and kanban pages."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince

register = template.Library()

MINUTE, HOUR, DAY = 60, 3600, 86400


@register.filter
def short_ago(value):
    """A compact age for a card's corner: "now", "5m", "3h", "2d", then "Mar 4"."""
    if not value:
        return ""
    seconds = max(0, int((timezone.now() - value).total_seconds()))
    if seconds < MINUTE:
        return "now"
    if seconds < HOUR:
        return f"{seconds // MINUTE}m"
    if seconds < DAY:
        return f"{seconds // HOUR}h"
    if seconds < 7 * DAY:
        return f"{seconds // DAY}d"
    return date_format(timezone.localtime(value), "M j")


@register.filter
def time_ago(value):
    """ "just now" for the last minute, then "3 hours ago" (Django's timesince)."""
    if not value:
        return ""
    if (timezone.now() - value).total_seconds() < MINUTE:
        return "just now"
    return f"{timesince(value)} ago"
