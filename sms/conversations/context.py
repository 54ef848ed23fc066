"""What the conversation component shows, in the inbox and on the candidate profile: its
messages, scheduled and held ones, the poller, and the composer or why SMS cannot be sent, with
the candidate's local time, quiet hours and consent on record."""

from django.urls import reverse
from django.utils import timezone

from core.phone import to_e164_or_none
from core.time_zones import zone_or_none
from sms.conversations import queries
from sms.conversations.forms import DATETIME_LOCAL, QUICK_CHOICES, ComposeForm, quick_choice
from sms.eligibility import (
    RecipientFacts,
    active_integration,
    number_sending_check,
    sending_check,
)
from sms.models import Thread
from sms.optouts import loaded_standing
from sms.recipient_notes import trust_for
from sms.text.rules import MAX_BODY_CHARS
from sms.threads import mark_thread_read

# Where the component sits: the inbox, the candidate profile, or a kanban card's Send SMS drawer
# (which refreshes like the profile and returns to the board).
INBOX, PROFILE, BOARD = "inbox", "profile", "board"
WHERE = (INBOX, PROFILE, BOARD)
# Every few seconds while the page is visible (app.js skips polls of a hidden page: a trigger
# filter would need eval, which the CSP forbids); an unchanged conversation costs one query.
POLL_TRIGGER = "every 3s"


def conversation_key(*, candidate=None, thread=None) -> str:
    """The component's DOM id suffix: per candidate (profile, inbox) or per unknown number."""
    return f"c{candidate.pk}" if candidate is not None else f"t{thread.pk}"


_NOT_LOADED = object()


def loaded_thread(candidate):
    """The candidate's thread when the page loaded it with the candidate
    (`select_related("sms_thread")`: None when there is none), else _NOT_LOADED."""
    if not type(candidate).sms_thread.is_cached(candidate):
        return _NOT_LOADED
    try:
        return candidate.sms_thread
    except Thread.DoesNotExist:
        return None


def sending_answer(candidate, thread=None) -> tuple:
    """(active integration, SendingCheck), looked up once per candidate per request: the
    profile's header button, its Messages area and its SMS consent section all need them."""
    cached = getattr(candidate, "_smssending_state", None)
    if cached is None:
        integration = active_integration()
        if thread is None:
            thread = loaded_thread(candidate)
        known = {}
        if thread is not _NOT_LOADED:
            known["last_inbound_at"] = thread.last_inbound_at if thread is not None else None
        number = to_e164_or_none(candidate.phone) if candidate.phone else None
        if thread not in (None, _NOT_LOADED) and number is not None:
            standing = loaded_standing(thread, number, default=_NOT_LOADED)  # read with it
            if standing is not _NOT_LOADED:
                known["standing"] = standing
        facts = RecipientFacts(candidate, number, now=timezone.now(), **known)
        cached = (integration, sending_check(candidate, integration=integration, facts=facts))
        candidate._smssending_state = cached
    return cached


def sending_state(candidate):
    """(active integration, SendingBlock or None) for the candidate (see `sending_answer`)."""
    integration, check = sending_answer(candidate)
    return integration, check.block


def conversation_body_context(
    *,
    user,
    candidate=None,
    thread=None,
    where=PROFILE,
    since="",
    action_error="",
    action_message_id=None,
    mark_read=False,
) -> dict:
    """The refreshable part of a conversation: its messages, scheduled ones and the poller.

    The version is read (with the thread) before the messages, so a change that lands in between
    is shown now and polled again, never missed.
    """
    if thread is None and candidate is not None:
        thread = loaded_thread(candidate)
        if thread is _NOT_LOADED:
            thread = Thread.objects.filter(candidate=candidate).first()
    if candidate is None and thread is not None and thread.candidate_id:
        candidate = thread.candidate
    if mark_read and thread is not None:
        mark_thread_read(thread)  # seen on the profile or in a card's drawer, as in the inbox
    key = conversation_key(candidate=candidate, thread=thread)
    sms_messages, has_earlier, scheduled = queries.conversation_with_scheduled(thread, since=since)
    if where == INBOX and thread is not None:
        poll_url = reverse("sms:inbox_thread_poll", args=[thread.pk])
    else:
        poll_url = reverse("sms:candidate_poll", args=[candidate.pk])
    version = queries.version_token(thread.changed_at if thread is not None else None)
    if where == INBOX and thread is not None:
        return_url = reverse("sms:inbox_thread", args=[thread.pk])
    else:
        return_url = reverse("candidates:detail", args=[candidate.pk])
    return {
        "key": key,
        "return_url": return_url,
        "candidate": candidate,
        "thread": thread,
        "where": where,
        "sms_messages": sms_messages,
        "has_earlier": has_earlier,
        "scheduled": scheduled,
        "version": version,
        "poll_url": f"{poll_url}?v={version}",
        "poll_trigger": POLL_TRIGGER,
        "can_act": user.has_perm("sms.send_sms"),
        # Reading in the inbox marks the thread read by a POST from the page (a GET never does).
        "mark_read_url": reverse("sms:inbox_thread_read", args=[thread.pk])
        if where == INBOX and thread is not None and thread.unread_count
        else "",
        "action_error": action_error,
        "action_message_id": action_message_id,
    }


# The sending block is named `sending_block` in templates: inside `{% block %}` Django binds
# `block` to the template block itself, which would shadow it.
def conversation_context(
    *,
    user,
    candidate=None,
    thread=None,
    where=PROFILE,
    form=None,
    notice="",
    refused="",
    application=None,
) -> dict:
    """Everything the conversation component shows: messages and a composer, or why not.

    `application` (the board's drawer): the card it was opened from; {{job_title}} is its job
    and the component returns to its board.
    """
    context = conversation_body_context(
        user=user, candidate=candidate, thread=thread, where=where, mark_read=where != INBOX
    )
    if application is not None:
        board = reverse("candidates:job_board", args=[application.job_id])
        context["return_url"] = f"{board}#application-{application.pk}"
    candidate, thread = context["candidate"], context["thread"]
    # An unknown sender's thread gets the same composer and the same rules, for its number.
    unknown = candidate is None and thread is not None
    can_send = user.has_perm("sms.send_sms") and (candidate is not None or unknown)
    if not can_send:
        integration, check = None, None
    elif candidate is not None:
        integration, check = sending_answer(candidate, thread)
    else:
        integration = active_integration()
        check = number_sending_check(
            thread.phone_number,
            last_inbound_at=thread.last_inbound_at,
            integration=integration,
            standing=loaded_standing(thread, default=...),
        )
    block = check.block if check is not None else None
    if can_send and not block and form is None:
        form = compose_form(None, candidate, thread, user=user)
    body_value = (form["body"].value() or "") if form is not None else ""
    trust = trust_for(candidate, check) if check is not None else None
    context.update(
        {
            "can_send": can_send,
            "can_open_inbox": user.has_perm("sms.view_inbox"),
            "sending_block": block,
            "integration": integration,
            "form": form if can_send and not block else None,
            "body_value": body_value,
            "preview_on_load": "{{" in body_value,
            "max_body_chars": MAX_BODY_CHARS,
            # Browsers offer no earlier time in the picker; the form checks again on submit.
            "schedule_min": timezone.localtime().strftime(DATETIME_LOCAL),
            "notice": notice,
            "refused": refused,
            "time_zone": timezone.get_current_timezone_name(),
            "trust": trust,
            "quick_choices": quick_choices(candidate, trust),
            "candidate_zone_differs": bool(
                trust and trust.zone_name != timezone.get_current_timezone_name()
            ),
            "can_record_consent": user.has_perm("sms.add_consentevent") and not unknown,
            "application": application,
            "send_url": (
                reverse("sms:send_to_candidate", args=[candidate.pk])
                if candidate is not None
                else reverse("sms:send_to_thread", args=[thread.pk])
                if thread is not None
                else ""
            ),
            "recipient_name": (
                (candidate.first_name or candidate.full_name) if candidate else "this number"
            ),
        }
    )
    return context


def quick_choices(candidate, trust) -> list[dict]:
    """The Schedule panel's "Tomorrow 9:00" and "Monday 9:00" (the recruiter's time), each
    with the candidate's local time when their zone differs ("15:00 for Ada")."""
    zone = zone_or_none(trust.zone_name) if trust else None
    mine = timezone.get_current_timezone()
    choices = []
    for value, label in QUICK_CHOICES.items():
        when = quick_choice(value)
        theirs = ""
        if zone is not None and zone.key != getattr(mine, "key", str(mine)):
            local = when.astimezone(zone)
            day = "" if local.date() == when.date() else f" {local:%a}"
            who = (candidate.first_name or candidate.full_name) if candidate else "them"
            theirs = f"{local:%H:%M}{day} for {who}"
        choices.append({"value": value, "label": label, "when": when, "theirs": theirs})
    return choices


def compose_form(data, candidate, thread=None, files=None, *, user=None) -> ComposeForm:
    """The composer for `candidate` (or an unknown sender's `thread`): `user`'s personal
    templates too, and those in the candidate's preferred language first."""
    suffix = candidate.pk if candidate is not None else f"t{thread.pk}"
    language = candidate.preferred_language if candidate is not None else ""
    return ComposeForm(data, files, auto_id=f"sms-%s-{suffix}", user=user, language=language)
