"""factory_boy factories for the core models; area-specific ones may live beside their tests."""

import factory
from django.contrib.auth import get_user_model

from candidates.models import DEFAULT_STAGES, Application, Candidate, Job, Stage

# Distinct numbers that phonenumbers accepts as valid (Washington DC area code).
_PHONE_BASE = 2025550100


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("password")


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Backend Engineer {n}")
    location = "Remote"

    @factory.post_generation
    def stages(job, create, extracted, **kwargs):
        names = extracted if extracted is not None else DEFAULT_STAGES
        if create:
            Stage.objects.bulk_create(
                Stage(job=job, name=name, position=i) for i, name in enumerate(names)
            )


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda c: f"{c.first_name}.{c.last_name}@example.com".lower())
    phone = factory.Sequence(lambda n: f"+1{_PHONE_BASE + n}")


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    candidate = factory.SubFactory(CandidateFactory)
    job = factory.SubFactory(JobFactory)
    stage = factory.LazyAttribute(lambda a: a.job.stages.order_by("position").first())
    position = factory.Sequence(lambda n: n)
