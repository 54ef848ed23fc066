"""The SMS Templates list: search, filters (group, language, active, shared or personal) and
each template's usage and reply rate, in one query per page (correlated subqueries on the
messages' template, counted once per template row on the page)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from sms.message_templates.access import visible_to
from sms.models import Direction, Message, MessageStatus, SmsTemplate, TemplateGroup

ANY = ""


class TemplateFilters(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    group = forms.ChoiceField(
        label="Group", required=False, choices=[(ANY, "All groups"), *TemplateGroup.choices]
    )
    language = forms.ChoiceField(
        label="Language",
        required=False,
        choices=[(ANY, "All languages"), *settings.LANGUAGES],
    )
    active = forms.ChoiceField(
        label="Active",
        required=False,
        choices=[(ANY, "Active and inactive"), ("yes", "Active"), ("no", "Inactive")],
    )
    scope = forms.ChoiceField(
        label="Shared or personal",
        required=False,
        choices=[(ANY, "Shared and mine"), ("shared", "Shared"), ("mine", "My personal")],
    )

    def values(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}

    def query_string(self) -> str:
        """The filters for pagination links ("q=invite&language=fr")."""
        return urlencode(self.values())


def filtered_templates(filters: TemplateFilters, *, user):
    values = filters.values()
    templates = SmsTemplate.objects.filter(visible_to(user))
    text = " ".join(values.get("q", "").split())
    if text:
        templates = templates.filter(Q(name__icontains=text) | Q(body__icontains=text))
    if values.get("group"):
        templates = templates.filter(group=values["group"])
    if values.get("language"):
        templates = templates.filter(language=values["language"])
    if values.get("active"):
        templates = templates.filter(is_active=values["active"] == "yes")
    if values.get("scope") == "shared":
        templates = templates.filter(owner__isnull=True)
    elif values.get("scope") == "mine":
        templates = templates.filter(owner=user)
    return templates


def _count(messages) -> Coalesce:
    counted = (
        messages.order_by().values("template").annotate(n=Count("pk", distinct=True)).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_usage(templates):
    """Each template's `times_used` (outbound messages sent from it, not counting cancelled
    ones) and `times_replied` (of those, the ones a reply answered)."""
    sent = Message.objects.filter(template=OuterRef("pk"), direction=Direction.OUTBOUND).exclude(
        status=MessageStatus.CANCELED
    )
    return templates.annotate(
        times_used=_count(sent), times_replied=_count(sent.filter(replies__isnull=False))
    )
