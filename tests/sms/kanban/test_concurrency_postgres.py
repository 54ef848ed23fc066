"""The same Send posted several times at once (a double click, a retried request) texts each
candidate once. Real concurrency needs PostgreSQL: each thread has its own transaction."""

import pytest
from django.utils import timezone

from sms.kanban.send import send_bulk
from sms.models import BulkSend, Message
from sms.outbox.queueing import queue_message_once
from tests.helpers.concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_bulk_posts_of_one_preview_queue_once(recruiter, active_twilio, job, cards):
    applications = [cards[name] for name in ("Maya", "Jordan", "Sofia")]
    previewed_at = timezone.now()
    results = run_at_once(
        lambda: send_bulk(
            applications, "Hi {{first_name}}", sent_by=recruiter, job=job, previewed_at=previewed_at
        )
    )
    assert BulkSend.objects.count() == 1
    assert Message.objects.count() == 3
    assert sorted(result.repeated for result in results) == [False] + [True] * (len(results) - 1)
    assert {result.bulk.pk for result in results} == {BulkSend.objects.get().pk}


def test_concurrent_posts_of_one_composer_queue_once(recruiter, active_twilio, cards):
    opened_at = timezone.now()
    candidate = cards["Maya"].candidate
    results = run_at_once(
        lambda: queue_message_once(candidate, "Hello", sent_by=recruiter, opened_at=opened_at)
    )
    assert Message.objects.count() == 1
    assert sorted(repeated for _, repeated in results) == [False] + [True] * (len(results) - 1)
