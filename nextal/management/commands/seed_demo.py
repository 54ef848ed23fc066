"""Demo data for trying Nextal locally. Safe to run again: it creates only what is missing."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from candidates.models import DEFAULT_STAGES, Application, Candidate, Job, Stage, TimelineEvent
from nextal.roles import ADMINISTRATORS, RECRUITERS
from sms.models import SmsTemplate

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

TEMPLATES = [
    (
        "Application received",
        "Hi {{first_name}}, thanks for applying to {{job_title}} at {{company_name}}! "
        "We'll be in touch soon. – {{recruiter_name}}",
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


class Command(BaseCommand):
    help = "Create demo users, jobs with pipelines, candidates and SMS templates (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {}
        User = get_user_model()
        for username, password, first, last, group in DEMO_USERS:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@nextal.test",
                },
            )
            user.set_password(password)  # the printed demo logins always work
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=group))
            users[username] = user

        jobs = []
        for title, location in JOBS:
            job, created = Job.objects.get_or_create(
                title=title, defaults={"location": location, "recruiter": users["recruiter"]}
            )
            if created:
                Stage.objects.bulk_create(
                    Stage(job=job, name=name, position=i) for i, name in enumerate(DEFAULT_STAGES)
                )
            jobs.append(job)

        new_candidates = 0
        for i, (first, last) in enumerate(CANDIDATES):
            phone = f"+1202555{100 + i:04d}"
            candidate, created = Candidate.objects.get_or_create(
                first_name=first,
                last_name=last,
                defaults={
                    "phone": phone,
                    "email": f"{first}.{last}@example.com".lower().replace("'", ""),
                    "owner": users["recruiter"],
                    "created_by": users["recruiter"],
                },
            )
            if not created:
                continue
            new_candidates += 1
            TimelineEvent.objects.create(
                candidate=candidate,
                kind=TimelineEvent.Kind.CREATED,
                actor=users["recruiter"],
                description="Candidate created",
            )
            job = jobs[i % len(jobs)]
            stages = list(job.stages.order_by("position"))
            stage = stages[(i // 2) % 4]  # spread over Applied … Offer
            Application.objects.create(candidate=candidate, job=job, stage=stage, position=i)
            TimelineEvent.objects.create(
                candidate=candidate,
                kind=TimelineEvent.Kind.APPLIED,
                actor=users["recruiter"],
                description=f"Applied to {job.title}",
                data={"job_id": job.pk, "stage": stage.name},
            )

        for name, body in TEMPLATES:
            SmsTemplate.objects.get_or_create(
                name=name, defaults={"body": body, "created_by": users["admin"]}
            )

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(users)} users, {len(jobs)} jobs, "
                f"{Candidate.objects.count()} candidates ({new_candidates} new), "
                f"{SmsTemplate.objects.count()} SMS templates."
            )
        )
        self.stdout.write("\nDemo logins (http://127.0.0.1:8000/accounts/login/):")
        for username, password, _first, _last, group in DEMO_USERS:
            self.stdout.write(f"  {group[:-1]:<14} username: {username:<10} password: {password}")
