"""Template helpers shared by every area."""

from django import template

from core.phone import display

register = template.Library()


@register.filter
def phone(value):
    """Show an E.164 number in international format: {{ candidate.phone|phone }}."""
    return display(value) if value else ""
