"""`manage.py sweep_sms`: run the SMS outbox sweeper once (for cron, or when beat is not running).

With `--every N` it keeps sweeping every N seconds until interrupted.
"""

import time

from django.core.management.base import BaseCommand

from sms.assignment import wake_snoozed
from sms.attachments.sweeper import sweep_attachments
from sms.outbox.sweeper import sweep_outbox
from sms.reply_alerts import send_reply_alerts


class Command(BaseCommand):
    help = (
        "Re-publish SMS whose send task was lost, dispatch due scheduled messages and retries, "
        "and mark messages stuck in sending as outcome unknown."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, default=0, help="Repeat every N seconds (0: run once)."
        )

    def handle(self, *args, every=0, **options):
        while True:
            result = sweep_outbox()
            downloads = sweep_attachments()
            woken = wake_snoozed()
            alerts = send_reply_alerts()
            self.stdout.write(
                f"{result.dispatched} dispatched ({result.published} published), "
                f"{result.marked_unknown} marked outcome unknown, "
                f"{downloads} attachment download(s) published, "
                f"{woken} snoozed conversation(s) back, {alerts} reply alert(s) emailed"
            )
            if not every:
                return
            time.sleep(every)
