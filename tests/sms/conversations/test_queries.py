"""The inbox and a conversation cost the same number of queries for a few rows or thousands:
10,000 threads in the list, 2,000 messages in one conversation (both windowed)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from sms.conversations.queries import CONVERSATION_WINDOW, INBOX_PAGE_SIZE, encode_cursor
from sms.models import Attachment, Message, OptOut, SmsTemplate, Thread

# Measured on SQLite and PostgreSQL: the inbox 7 (session, user, two permission queries, the
# list's version with the navigation's unread count in Mine and Unassigned, the rows with their
# assignees, their opt-outs), whichever filter; the inbox with a conversation open 15 (adds the
# thread, marking it read, its message window, the window's attachments, scheduled messages,
# the provider, the opt-out, the template picker); the whole candidate profile 16; the
# conversation alone after a change 9; Load earlier 7.
# The bounds (inbox 8, conversation 15), so that an N+1 (a query per row, message or
# attachment) fails at once.
INBOX_QUERIES = 8
CONVERSATION_PAGE_QUERIES = 15
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
