"""Template helpers for candidate and kanban pages."""

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from candidates.cards import render_cards, short_ago

register = template.Library()

MINUTE, HOUR, DAY = 60, 3600, 86400


register.filter("short_ago", short_ago)


@register.filter
def time_ago(value):
    """ "just now" for the last minute, then "3 hours ago" (Django's timesince)."""
    if not value:
        return ""
    if (timezone.now() - value).total_seconds() < MINUTE:
        return "just now"
    return f"{timesince(value)} ago"


@register.simple_tag(takes_context=True)
def kanban_cards(context, cards):
    """{% kanban_cards cards %}: the cards of a column (candidates/cards.py). The board's
    opted-out numbers come from the context (`opted_out_numbers`, set by sms_tags)."""
    opted_out = context.get("opted_out_numbers") or frozenset()
    return render_cards(cards, opted_out=opted_out)
