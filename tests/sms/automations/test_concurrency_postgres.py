"""The same card dropped into a stage by several requests at once gets one text: the board's
stage lock serialises the moves, the later ones find the card already there (no new entry), and
the (stage entry, rule) unique constraint backs it up. Real concurrency needs PostgreSQL."""

import pytest

from candidates import services
from candidates.models import StageEntry
from sms.models import Message
from tests.helpers.concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_card_moved_in_twice_concurrently_gets_one_text(
    recruiter, active_twilio, fake_provider, cards, stage, rule
):
    rule(delay=10)
    target = stage("Interview")
    run_at_once(
        lambda: services.move_application(cards["Ada"], stage=target, position=None, by=recruiter),
        count=4,
    )
    assert StageEntry.objects.filter(application=cards["Ada"], stage=target).count() == 1
    assert Message.objects.filter(automation_rule__isnull=False).count() == 1


def test_two_bulk_moves_of_the_same_cards_at_once_queue_one_text_each(
    recruiter, active_twilio, fake_provider, job, cards, stage, rule
):
    from candidates.bulk_moves import move_applications

    rule(delay=10)
    target = stage("Interview")
    ids = [cards["Ada"].pk, cards["Grace"].pk]
    run_at_once(lambda: move_applications(job, ids, stage=target, by=recruiter), count=4)
    assert Message.objects.count() == 2
    assert set(Message.objects.values_list("to_number", flat=True)) == {
        "+12025550101",
        "+12025550102",
    }
