"""Settings for the Celery worker processes the fault tests start: the test settings, except that
tasks go through the broker (the test settings run them in-process, which inside a worker would
make the sweeper send messages itself instead of publishing them)."""

from tests.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
