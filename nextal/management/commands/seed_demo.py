"""Demo data for trying Nextal locally. Safe to run again: it creates only what is missing."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from candidates.models import Candidate, Job
from candidates.services import apply, create_candidate, create_job, move_application
from core.roles import ADMINISTRATORS, RECRUITERS
from integrations.providers.base import InboundSms
from sms.inbound.ingest import record_inbound
from sms.models import (
    AutomationRule,
    Direction,
    InboxPreferences,
    Message,
    MessageStatus,
    SmsTemplate,
    Thread,
)
from sms.threads import thread_for_candidate

DEMO_SENDER = "+12025550199"  # the demo's SMS number (no provider is configured by the seed)

DEMO_USERS = [
    # username, password, first, last, group
    ("admin", "nextal-admin-demo", "Alex", "Morgan", ADMINISTRATORS),
    ("recruiter", "nextal-recruiter-demo", "Riley", "Chen", RECRUITERS),
]

JOBS = [
    ("Senior Backend Engineer", "Remote (US)"),
    ("Customer Success Manager", "Austin, TX"),
]

# Realistic names with distinct, valid US numbers (the 555-01xx block is reserved for fiction).
CANDIDATES = [
    ("Maya", "Patel"),
    ("Jordan", "Brooks"),
    ("Sofia", "Ramirez"),
    ("Ethan", "Nguyen"),
    ("Amara", "Okafor"),
    ("Liam", "O'Connor"),
    ("Hannah", "Schmidt"),
    ("Mateo", "Alvarez"),
    ("Grace", "Kim"),
    ("Noah", "Williams"),
    ("Isabella", "Rossi"),
    ("Daniel", "Cohen"),
    ("Aisha", "Rahman"),
    ("Lucas", "Martin"),
    ("Chloe", "Dubois"),
    ("Samuel", "Adeyemi"),
    ("Priya", "Sharma"),
    ("Owen", "Murphy"),
    ("Zoe", "Fischer"),
    ("Gabriel", "Silva"),
    ("Emily", "Johansson"),
    ("Kenji", "Tanaka"),
    ("Fatima", "Haddad"),
    ("Marcus", "Reed"),
    ("Olivia", "Novak"),
    ("Diego", "Morales"),
    ("Leah", "Goldberg"),
    ("Victor", "Petrov"),
    ("Nora", "Lindqvist"),
    ("Tariq", "Hussain"),
]

# A few earlier conversations so the Inbox is not empty: (candidate index, our text, their reply).
CONVERSATIONS = [
    (
        0,
        "Hi Maya, thanks for applying! Are you free for a quick call this week?",
        "Yes! Thursday afternoon works for me.",
    ),
    (3, "Hi Ethan, could you send over your portfolio link?", "Sure, here it is: ethan.dev/work"),
    (6, "Hi Hannah, your interview is confirmed for Monday at 10am.", None),
    (9, "Hi Noah, are you still interested in the role?", "STOP"),
]

TEMPLATES = [
    (
        "Application received",
        "Hi {{first_name}}, thanks for applying to {{job_title}} at {{company_name}}! "
        "We'll be in touch soon. - {{recruiter_name}}",  # GSM-7: no en dash (UCS-2 doubles cost)
    ),
    (
        "Phone screen invitation",
        "Hi {{first_name}}, this is {{recruiter_name}} from {{company_name}}. Are you free for a "
        "20-minute call about the {{job_title}} role this week? Reply with a time that suits you.",
    ),
    (
        "Interview reminder",
        "Reminder: your {{job_title}} interview with {{company_name}} is tomorrow. "
        "Reply here if anything changes. See you soon!",
    ),
]


FRENCH_INVITATION = (
    "Bonjour {{first_name}}, ici {{recruiter_name}} de {{company_name}}. Seriez-vous "
    "disponible cette semaine pour un appel de 20 minutes sur le poste {{job_title}} ? "
    "Proposez-nous un horaire."
)


class Command(BaseCommand):
    help = "Create demo users, jobs with pipelines, candidates and SMS templates (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {}
        User = get_user_model()
        for username, password, first, last, group in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@nextal.test",
                },
            )
            if created:
                # Only a new user gets the demo password: running `make run` again must not
                # change a password someone set (which would also sign everyone out).
                user.set_password(password)
                user.save(update_fields=["password"])
                user.groups.add(Group.objects.get(name=group))
            # No reply-alert emails from the demo (nobody reads its mailbox).
            InboxPreferences.objects.get_or_create(user=user, defaults={"reply_alerts": False})
            users[username] = user

        recruiter = users["recruiter"]
        jobs = [
            Job.objects.filter(title=title).first()
            or create_job(title=title, location=location, recruiter=recruiter)
            for title, location in JOBS
        ]

        new_candidates = 0
        for i, (first, last) in enumerate(CANDIDATES):
            if Candidate.objects.filter(first_name=first, last_name=last).exists():
                continue
            candidate = create_candidate(
                first_name=first,
                last_name=last,
                phone=f"+1202555{100 + i:04d}",
                email=f"{first}.{last}@example.com".lower().replace("'", ""),
                owner=recruiter,
                by=recruiter,
            )
            new_candidates += 1
            job = jobs[i % len(jobs)]
            application = apply(candidate, job, by=recruiter)
            stage = list(job.stages.order_by("position"))[(i // 2) % 4]  # Applied … Offer
            if stage != application.stage:
                move_application(application, stage=stage, position=None, by=recruiter)

        for index, ours, theirs in CONVERSATIONS:
            self._conversation(CANDIDATES[index], ours, theirs, sender=recruiter)

        for name, body in TEMPLATES:
            SmsTemplate.objects.get_or_create(
                name=name, defaults={"body": body, "created_by": users["admin"]}
            )
        invitation = SmsTemplate.objects.get(name="Phone screen invitation")
        SmsTemplate.objects.get_or_create(
            name="Invitation à un entretien téléphonique",
            defaults={
                "body": FRENCH_INVITATION,
                "language": "fr",
                "translation_of": invitation,
                "created_by": users["admin"],
            },
        )
        for job in jobs:
            # Off, so that seeding texts nobody; switch it on from the board's Automations.
            AutomationRule.objects.get_or_create(
                job=job,
                stage=job.stages.get(name="Phone screen"),
                name="Phone screen invitation",
                defaults={"template": invitation, "is_enabled": False, "created_by": recruiter},
            )

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(users)} users, {len(jobs)} jobs, "
                f"{Candidate.objects.count()} candidates ({new_candidates} new), "
                f"{SmsTemplate.objects.count()} SMS templates."
            )
        )
        self.stdout.write("\nDemo logins:")
        for username, password, _first, _last, group in DEMO_USERS:
            self.stdout.write(f"  {group[:-1]:<14} username: {username:<10} password: {password}")
        if settings.REQUIRE_2FA_FOR_ADMINS:
            self.stdout.write(
                "  (REQUIRE_2FA_FOR_ADMINS is on: admin sets up an authenticator app after the "
                "password)"
            )

    def _conversation(self, name, ours, theirs, *, sender):
        """Our earlier text (delivered) and the candidate's reply through real ingestion."""
        candidate = Candidate.objects.filter(first_name=name[0], last_name=name[1]).first()
        if candidate is None:
            return
        thread = thread_for_candidate(candidate)
        if not thread.messages.exists():
            message = Message.objects.create(
                thread=thread,
                direction=Direction.OUTBOUND,
                status=MessageStatus.DELIVERED,
                body=ours,
                provider="twilio",
                from_number=DEMO_SENDER,
                to_number=candidate.phone,
                segments=1,
                sent_by=sender,
            )
            Thread.objects.filter(pk=thread.pk).show_message(
                ours, Direction.OUTBOUND, at=message.created_at
            )
        if theirs:
            # Idempotent: the same provider message id is stored once.
            record_inbound(
                "twilio",
                InboundSms(
                    provider_message_id=f"SMdemo{candidate.pk:028d}",
                    from_number=candidate.phone,
                    to_number=DEMO_SENDER,
                    body=theirs,
                    received_at=None,
                    opt_out_type=None,
                    raw={},
                ),
            )
