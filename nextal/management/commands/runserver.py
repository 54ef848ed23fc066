"""`manage.py runserver` as `make run` uses it: Django's development server (without static
file serving of its own: WhiteNoise serves them) plus, in the embedded default (no REDIS_URL,
so no Celery beat), the SMS sweeper in a thread beside it (sms/outbox/embedded.py). With
REDIS_URL set, run `make worker` and `make beat` as in production.
"""

from django.conf import settings
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as RunserverCommand,
)

from sms.outbox.embedded import EmbeddedSweeper


class Command(RunserverCommand):
    help = RunserverCommand.help + " Without REDIS_URL it also runs the SMS sweeper."

    sweeper = None
    # HOST and PORT (also what PUBLIC_BASE_URL follows when unset) are the default address.
    default_addr = settings.HOST
    default_port = str(settings.PORT)

    def inner_run(self, *args, **options):
        # inner_run is the serving process (the autoreloader's child): one sweeper per server.
        if not settings.REDIS_URL and self.sweeper is None:
            every = settings.SMS_EMBEDDED_SWEEP_SECONDS
            self.sweeper = EmbeddedSweeper(every=every).start()
            self.stdout.write(
                f"SMS sweeper: every {every:g} s in this process (no REDIS_URL), for scheduled "
                "messages, quiet-hours holds and retries."
            )
        return super().inner_run(*args, **options)
