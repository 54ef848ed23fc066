"""The bare baseline of the outbound benchmark: a Celery task that only sends the same Twilio
request as the pipeline (the same form fields, Basic auth and timeouts) with a pooled requests
Session per worker thread, to the same fake, on the same broker and worker settings. No
database, no rules, no adapter: what a send costs when it does nothing else.

Loaded into the benchmark's workers with `celery worker --include bench.baseline`. The task
takes an index only; the fake's credentials are the test constants it was started with.
"""

from __future__ import annotations

import threading

import requests
from celery import shared_task

BARE_TASK = "bench.bare_send"
FROM_NUMBER = "+12025550000"

_local = threading.local()


def _session() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


@shared_task(name=BARE_TASK, ignore_result=True)
def bare_send(index: int) -> str:
    from django.conf import settings

    from tests.fakes.provider_server import TWILIO_SID, TWILIO_TOKEN

    callback = f"{settings.PUBLIC_BASE_URL}/webhooks/twilio/status/?message=bare-{index}"
    response = _session().post(
        f"{settings.TWILIO_API_BASE_URL}/2010-04-01/Accounts/{TWILIO_SID}/Messages.json",
        data={
            "To": f"+1415666{index:04d}",
            "From": FROM_NUMBER,
            "Body": "Hi Bench, quick question about your application.",
            "StatusCallback": callback,
        },
        auth=(TWILIO_SID, TWILIO_TOKEN),
        timeout=(settings.SMS_PROVIDER_CONNECT_TIMEOUT, settings.SMS_PROVIDER_READ_TIMEOUT),
    )
    response.raise_for_status()
    return response.json()["sid"]
