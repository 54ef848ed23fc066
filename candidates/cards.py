"""Kanban cards as HTML, rendered in Python: a board renders 50 per column (300 on a six-stage
board), and the template engine spent about 0.3 ms on each card (an include, three `{% url %}`,
localized numbers); this takes a tenth of that. Every value is escaped.

The markup is what `kanban.js`, `kanban_sms.js` and `kanban_more.js` read: `li.kcard` with
`id="application-N"`; the `.kcard-name`
profile link (`/candidates/N/`: the candidate's id) and the `.kcard-menu` link that opens the
board's shared menu (its `data-action="send-sms"` and `data-move-link` items). kanban.js adds
each card's `.kcard-select` checkbox: selecting cards is a JavaScript feature (the selection bar
only shows with it), so the page does not carry 300 inputs that do nothing without it. A card is
under half a kilobyte: a board of 1,000 in six columns (300 shown) stays under 150 KB.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.phone import display

PREVIEW_CHARS = 60  # one line on a card (the full text is in the conversation)
# Formatting a number (phonenumbers) costs more than the rest of a card: boards show the same
# candidates again and again.
_display = lru_cache(maxsize=20_000)(display)
MINUTE, HOUR, DAY = 60, 3600, 86400


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


def _url_for(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` without resolving the pattern once per card."""
    prefix, suffix = reverse(name, args=[0]).rsplit("/0/", 1)
    return lambda pk: f"{prefix}/{pk}/{suffix}"


def card_renderer(*, opted_out=frozenset()) -> Callable[[object], str]:
    """A function rendering one card (an Application with candidate and sms_thread loaded).
    `opted_out`: the board's phone numbers that replied STOP (their cards say "Opted out").

    A card carries no menu of its own: its ⋯ link opens the board's one shared menu
    (`#kcard-menu`, kanban.js) and, without JavaScript, the card's "Move to…" page (which links to
    Send SMS)."""
    profile_url = _url_for("candidates:detail")
    move_url = _url_for("candidates:application_move")

    def render(card) -> str:
        candidate = card.candidate
        thread = getattr(candidate, "sms_thread", None)
        name = escape(candidate.full_name)
        unread = thread.unread_count if thread is not None else 0
        pk = card.pk
        parts = [
            f'<li class="kcard{" has-unread" if unread else ""}" id="application-{pk}">'
            f'<a class="kcard-name" href="{profile_url(candidate.pk)}">{name}</a>'
        ]
        if unread:
            parts.append(
                f'<b class="kcard-unread">{unread}<span class="sr-only"> unread</span></b>'
            )
        parts.append(
            f'<a class="kcard-menu" href="{move_url(pk)}" aria-label="Actions for {name}">⋯</a>'
        )
        if candidate.phone:
            badge = (
                ' <span class="badge badge-danger kcard-opted-out" '
                'title="Replied STOP: no SMS until they text START">Opted out</span>'
                if candidate.phone in opted_out
                else ""
            )
            parts.append(
                f'<div class="kcard-phone">{escape(_display(candidate.phone))}{badge}</div>'
            )
        if thread is not None:
            # An outbound preview names its sender ("Riley: …"); older rows have no author.
            author = getattr(thread, "last_message_author", "") or "You"
            you = f"{escape(author)}: " if thread.last_message_direction == "outbound" else ""
            text = thread.last_message_preview or "No messages yet"
            if len(text) > PREVIEW_CHARS:
                text = text[: PREVIEW_CHARS - 1].rstrip() + "…"
            at = thread.last_message_at
            parts.append(
                f'<p class="kcard-sms"><span class="kcard-sms-text">{you}{escape(text)}</span> '
                f"<small>{escape(short_ago(at))}</small></p>"
            )
        parts.append("</li>")
        return "".join(parts)

    return render


def render_cards(cards, *, opted_out=frozenset()) -> SafeString:
    render = card_renderer(opted_out=opted_out)
    return mark_safe("".join(render(card) for card in cards))  # noqa: S308 (escaped above)
