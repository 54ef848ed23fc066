"""The inbox and a conversation cost the same number of queries for a few rows or thousands:
10,000 threads in the list, 2,000 messages in one conversation (both windowed)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from sms.automation_models import AutomationRule
from sms.conversations.queries import CONVERSATION_WINDOW, INBOX_PAGE_SIZE, encode_cursor
from sms.models import Attachment, Message, OptOut, SmsTemplate, Thread

# Measured on SQLite and PostgreSQL: the inbox 4 (session, user, the permissions, the rows with
# their assignees and opt-outs, the list's version and the navigation's unread count in Mine and
# Unassigned), whichever filter; the inbox with a conversation open 8 (adds the thread with its
# number's opt-out and consent, its message window with the scheduled and held messages and
# their attachments, the provider, the template picker); the whole candidate profile 15; the
# conversation alone after a change 6; Load earlier 6.
# The bounds (inbox 8, conversation 8), so that an N+1 (a query per row, message or
# attachment) fails at once.
INBOX_QUERIES = 8
CONVERSATION_PAGE_QUERIES = 8
CONVERSATION_REFRESH_QUERIES = 10
PROFILE_QUERIES = 18  # 11 marks the profile's conversation read; 13's attachments and assignment


def make_inbox(size: int, prefix: str, base: int = 0) -> list[Thread]:
    """`size` candidate threads (a third unread, every tenth opted out) and a few unknown ones."""
    now = timezone.now()
    candidates = Candidate.objects.bulk_create(
        Candidate(first_name=f"{prefix}{i}", last_name="Person", phone=f"+16172{base + i:06d}")
        for i in range(size)
    )
    threads = Thread.objects.bulk_create(
        Thread(
            candidate=candidate,
            phone_number=candidate.phone,
            last_message_at=now - timedelta(minutes=i),
            last_message_preview="Thanks, talk soon",
            last_message_direction="inbound" if i % 2 else "outbound",
            unread_count=i % 3,
        )
        for i, candidate in enumerate(candidates)
    )
    threads += Thread.objects.bulk_create(
        Thread(phone_number=f"+6140{base + i:07d}", unread_count=1) for i in range(3)
    )
    OptOut.objects.bulk_create(
        OptOut(phone_number=c.phone, source="keyword", detail="STOP", changed_at=now)
        for c in candidates[::10]
    )
    return threads


def make_conversation(thread: Thread, size: int, user) -> None:
    """`size` messages; every fifth one is an MMS (two photos and a PDF, one of them
    not downloaded)."""
    template = SmsTemplate.objects.create(name=f"Template for {thread.pk}", body="Hi")
    messages = Message.objects.bulk_create(
        Message(
            thread=thread,
            direction="inbound" if i % 2 else "outbound",
            status="received" if i % 2 else ("failed" if i % 10 == 0 else "delivered"),
            body=f"Message {i}: can we move the interview to Thursday afternoon?",
            sent_by=None if i % 2 else user,
            template=template if i % 4 == 0 else None,
            error_message="Unreachable" if i % 10 == 0 else "",
        )
        for i in range(size)
    )
    Attachment.objects.bulk_create(
        Attachment(
            message=message,
            position=position,
            content_type=content_type,
            status=status,
            file=f"sms/attachments/test/{message.pk}-{position}" if status == "stored" else "",
            filename=f"file-{position}",
            size=1000,
        )
        for message in messages[1::5]
        for position, (content_type, status) in enumerate(
            [("image/jpeg", "stored"), ("image/png", "failed"), ("application/pdf", "stored")]
        )
    )


def count_queries(client, url, **kwargs):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.fixture
def warm_client(recruiter_client):
    recruiter_client.get(reverse("sms:inbox"))  # session and connection set up
    return recruiter_client


def test_the_inbox_costs_the_same_for_10_and_10000_threads(
    warm_client, recruiter, django_assert_max_num_queries
):
    make_inbox(10, "Small")
    small_count, html = count_queries(warm_client, reverse("sms:inbox"))
    assert html.count('<li class="thread-row') == 13
    make_inbox(10_000, "Large", base=100)
    with django_assert_max_num_queries(INBOX_QUERIES):
        large_count, html = count_queries(warm_client, reverse("sms:inbox"))
    assert large_count == small_count
    assert html.count('<li class="thread-row') == INBOX_PAGE_SIZE
    assert "Load more conversations" in html
    assert html.count(">Opted out</span>") >= INBOX_PAGE_SIZE // 10
    # A third of them are the recruiter's (Mine), the rest nobody's (Unassigned).
    every_third = list(Thread.objects.values_list("pk", flat=True))[::3]
    for chunk in range(0, len(every_third), 500):
        batch = every_third[chunk : chunk + 500]
        Thread.objects.filter(pk__in=batch).update(assigned_to=recruiter)
    for params in (
        {"show": "mine"},
        {"show": "unassigned"},
        {"show": "unread"},
        {"show": "unknown"},
        {"q": "Large42"},
        {"show": "mine", "q": "Large4"},
    ):
        with django_assert_max_num_queries(INBOX_QUERIES):
            count, html = count_queries(warm_client, reverse("sms:inbox"), data=params)
        assert count == small_count


def test_a_conversation_costs_the_same_for_10_and_2000_messages(
    active_twilio, warm_client, recruiter, django_assert_max_num_queries
):
    small, large = make_inbox(3, "Conv")[1:3]  # [0] is opted out: no composer
    make_conversation(small, 10, recruiter)
    make_conversation(large, 2000, recruiter)
    Thread.objects.update(unread_count=1)  # both are marked read when opened
    # Once per process, not per request: SQLite's JSON support is probed on first use.
    count_queries(warm_client, reverse("sms:inbox_thread", args=[small.pk]))
    small_count, _ = count_queries(warm_client, reverse("sms:inbox_thread", args=[small.pk]))
    with django_assert_max_num_queries(CONVERSATION_PAGE_QUERIES):
        large_count, html = count_queries(warm_client, reverse("sms:inbox_thread", args=[large.pk]))
    assert large_count == small_count
    assert html.count('<li class="sms sms-') == CONVERSATION_WINDOW
    assert "Message 1999:" in html and "Message 1949:" not in html
    assert "Load earlier messages" in html
    assert html.count(">Retry</button>") == CONVERSATION_WINDOW // 10
    assert html.count('class="sms-thumb"') == CONVERSATION_WINDOW // 5  # one photo per MMS
    assert html.count("not downloaded —") == CONVERSATION_WINDOW // 5
    assert html.count('class="sms-file-chip"') == CONVERSATION_WINDOW // 5  # the PDFs
    # A refresh after a change, and "Load earlier", are bounded the same way.
    poll = reverse("sms:inbox_thread_poll", args=[large.pk])
    with django_assert_max_num_queries(CONVERSATION_REFRESH_QUERIES):
        refresh_count, _ = count_queries(warm_client, poll, data={"v": "0"})
    earlier = reverse("sms:thread_messages", args=[large.pk])
    first = large.messages.order_by("-created_at", "-id")[CONVERSATION_WINDOW - 1]
    with django_assert_max_num_queries(CONVERSATION_REFRESH_QUERIES):
        earlier_count, html = count_queries(
            warm_client, earlier, data={"before": encode_cursor(first.created_at, first.pk)}
        )
    assert html.count('<li class="sms sms-') == CONVERSATION_WINDOW
    with django_assert_max_num_queries(PROFILE_QUERIES):
        profile_count, html = count_queries(
            warm_client, reverse("candidates:detail", args=[large.candidate_id])
        )
    assert html.count('<li class="sms sms-') == CONVERSATION_WINDOW
    print(
        f"conversation of 2,000: inbox page {large_count} queries, profile {profile_count}, "
        f"refresh {refresh_count}, load earlier {earlier_count}"
    )


def test_a_conversation_with_every_kind_of_message_is_8_queries(
    active_twilio, warm_client, recruiter, django_assert_max_num_queries
):
    """2,000 messages with attachments, automated ones, a retry and a cancelled one (their notes
    under them), scheduled and held ones, and the number's consent on record: each kind is
    rendered, in the inbox's 8 queries."""
    thread = make_inbox(2, "Every")[1]  # [0] is opted out
    make_conversation(thread, 2000, recruiter)
    template = SmsTemplate.objects.create(name="Welcome", body="Welcome!")
    rule = AutomationRule.objects.create(name="Welcome", stage_name="Applied", template=template)
    now = timezone.now()
    latest = {"thread": thread, "direction": "outbound", "created_at": now + timedelta(seconds=1)}
    failed = Message.objects.create(
        **latest, status="failed", body="Shall we talk?", error_message="Unreachable"
    )
    Message.objects.create(
        **latest,
        status="delivered",
        body="Shall we talk? (again)",
        retry_of=failed,
        sent_by=recruiter,
    )
    Message.objects.create(
        **latest, status="delivered", body="Welcome aboard", automation_rule=rule
    )
    Message.objects.create(
        **latest,
        status="canceled",
        body="Reminder",
        error_code="replied",
        error_message="Not sent: they replied first.",
        cancel_if_reply=True,
    )
    Message.objects.create(
        **latest,
        status="queued",
        body="See you Monday",
        sent_by=recruiter,
        scheduled_for=now + timedelta(days=2),
    )
    Message.objects.create(
        **latest,
        status="queued",
        body="Your first day",
        automation_rule=rule,
        scheduled_for=now + timedelta(days=1),
    )
    Message.objects.create(
        **latest,
        status="queued",
        body="Held until morning",
        sent_by=recruiter,
        held_for="quiet_hours",
        next_attempt_at=now + timedelta(hours=8),
        attempts=1,
    )
    OptOut.objects.create(
        phone_number=thread.phone_number,
        opted_out=False,
        source="keyword",
        consent_source="application",
        consent_at=now,
        changed_at=now,
    )
    url = reverse("sms:inbox_thread", args=[thread.pk])
    count_queries(warm_client, url)  # once per process: SQLite's JSON support is probed
    with django_assert_max_num_queries(CONVERSATION_PAGE_QUERIES):
        count, html = count_queries(warm_client, url)
    assert html.count('<li class="sms sms-') == CONVERSATION_WINDOW
    assert "Sent again (the earlier attempt is kept above)." in html
    assert "Not sent: they replied first." in html
    assert "Welcome aboard" in html and "Automated" in html
    assert html.count('class="sms-thumb"') >= 1 and html.count('class="sms-file-chip"') >= 1
    # Scheduled and held: listed apart, soonest first.
    assert html.index("Your first day") < html.index("See you Monday")
    assert "Held for quiet hours" in html
    assert html.index("Held until morning") < html.index("Your first day")
    assert 'name="body"' in html  # the composer: the number has consent and no opt-out
    print(f"conversation with every kind of message: {count} queries")
