"""{{job_title}} without a board: the job of the candidate's most recent application, by when
it was made (an application created later may carry an older date: an import)."""

from datetime import timedelta

from django.utils import timezone

from candidates.models import Application
from sms.outbox.queueing import latest_job
from tests.factories import ApplicationFactory, CandidateFactory


def test_the_most_recently_made_application_names_the_job_in_one_query(
    db, django_assert_num_queries
):
    candidate = CandidateFactory()
    recent = ApplicationFactory(candidate=candidate)
    imported = ApplicationFactory(candidate=candidate)  # a higher id, an older date
    ApplicationFactory()  # another candidate's
    Application.objects.filter(pk=imported.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    with django_assert_num_queries(1):
        assert latest_job(candidate).title == recent.job.title


def test_without_an_application_there_is_no_job(db):
    assert latest_job(CandidateFactory()) is None
