"""core.bulk_insert.insert_alike: the bulk send's message insert (what the rows share prepared
once). Each row must come out exactly as `Message.objects.create` would have made it, on SQLite
(executemany) and on PostgreSQL (one UNNEST statement)."""

from datetime import timedelta

import pytest
from django.db import DataError, transaction
from django.utils import timezone

from core.bulk_insert import insert_alike
from sms.models import Direction, Message, MessageStatus, Thread
from tests.factories import CandidateFactory, UserFactory

pytestmark = pytest.mark.django_db

# Columns set by the database or the clock, not by the values given.
UNCOMPARABLE = {"id", "created_at", "updated_at"}


def columns(message: Message) -> dict:
    return {
        field.attname: getattr(message, field.attname)
        for field in Message._meta.concrete_fields
        if field.attname not in UNCOMPARABLE
    }


@pytest.fixture
def threads():
    return [
        Thread.objects.create(candidate=CandidateFactory(), phone_number=f"+1202555014{n}")
        for n in range(3)
    ]


def shared(user) -> dict:
    return {
        "direction": Direction.OUTBOUND,
        "status": MessageStatus.QUEUED,
        "sent_by": user,
        "cancel_if_reply": True,
    }


def test_each_row_is_what_create_would_have_made(threads):
    user = UserFactory()
    later = timezone.now() + timedelta(hours=3)
    rows = [
        {"thread_id": threads[0].pk, "body": "Hi Ada", "segments": 1, "next_attempt_at": None},
        {"thread_id": threads[1].pk, "body": "Hi Bo ✓", "segments": None, "next_attempt_at": later},
    ]

    assert insert_alike(Message, shared(user), rows) == 2

    inserted = list(Message.objects.order_by("pk"))
    assert [m.body for m in inserted] == ["Hi Ada", "Hi Bo ✓"]
    for message, row in zip(inserted, rows, strict=True):
        expected = Message.objects.create(**shared(user), **row)
        assert columns(message) == columns(Message.objects.get(pk=expected.pk))
    # Shared columns and defaults are really there, not merely equal to another insert's gaps.
    first = inserted[0]
    assert (first.direction, first.status, first.sent_by_id) == (
        Direction.OUTBOUND,
        MessageStatus.QUEUED,
        user.pk,
    )
    assert first.cancel_if_reply is True and first.attempts == 0 and first.raw == {}
    assert inserted[1].next_attempt_at == later and inserted[1].segments is None
    assert first.created_at is not None and first.created_at == inserted[1].created_at


def test_many_rows_in_one_call(threads, django_assert_max_num_queries):
    user = UserFactory()
    rows = [{"thread_id": threads[n % 3].pk, "body": f"Text {n}"} for n in range(2500)]

    with django_assert_max_num_queries(1):  # PostgreSQL: one statement; SQLite: executemany
        insert_alike(Message, shared(user), rows)

    assert Message.objects.count() == 2500
    assert set(Message.objects.values_list("body", flat=True)) == {f"Text {n}" for n in range(2500)}
    assert Message.objects.filter(thread=threads[2]).count() == 833


def test_nothing_to_insert_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_alike(Message, {"direction": Direction.OUTBOUND}, []) == 0


@pytest.mark.postgres  # SQLite does not enforce a column's length
def test_a_value_the_column_refuses_inserts_no_row(threads):
    user = UserFactory()
    rows = [
        {"thread_id": threads[0].pk, "to_number": "+12025550140"},
        {"thread_id": threads[1].pk, "to_number": "+1" + "2" * 40},  # longer than the column
    ]

    with pytest.raises(DataError), transaction.atomic():
        insert_alike(Message, shared(user), rows)

    assert not Message.objects.exists()
