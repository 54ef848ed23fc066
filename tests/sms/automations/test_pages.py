"""The Automations pages (a job's: its recruiter and administrators; the defaults:
administrators), the board's rule counts and "Move selected", the bubble and the inbox filter."""

import pytest
from django.urls import reverse

from candidates import services
from sms.models import AutomationRule, Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def add_rule(client, job, stage, invite, **fields):
    data = {
        "name": "Interview invite",
        "stage": stage.pk,
        "template": invite.pk,
        "delay_amount": 10,
        "delay_unit": "minutes",
        "is_enabled": "on",
        "cancel_if_reply": "on",
        **fields,
    }
    return client.post(reverse("sms:automations", args=[job.pk]), data)


def test_the_jobs_recruiter_adds_a_rule_and_the_board_counts_it(
    recruiter_client, job, stage, invite
):
    response = add_rule(recruiter_client, job, stage("Interview"), invite, delay_unit="hours")
    assert response.status_code == 302
    rule = AutomationRule.objects.get()
    assert (rule.job, rule.stage, rule.delay_minutes) == (job, stage("Interview"), 600)
    assert rule.cancel_if_reply and rule.is_enabled

    board = recruiter_client.get(reverse("candidates:job_board", args=[job.pk])).content.decode()
    assert f'data-rules-for="{stage("Interview").pk}"' in board
    assert 'aria-label="1 automation on, 1 in all"' in board
    assert f'href="{reverse("sms:automations", args=[job.pk])}"' in board

    page = recruiter_client.get(reverse("sms:automations", args=[job.pk])).content.decode()
    assert "Interview invite" in page and "10 hours" in page


def test_a_delay_over_14_days_is_refused_on_the_field(recruiter_client, job, stage, invite):
    response = add_rule(
        recruiter_client, job, stage("Interview"), invite, delay_amount=15, delay_unit="days"
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "delay_amount": ["The delay can be at most 14 days."]
    }
    assert not AutomationRule.objects.exists()


def test_another_jobs_recruiter_cannot_change_them_and_sees_only_the_count(
    client, job, stage, invite, rule
):
    from django.contrib.auth.models import Group

    other = UserFactory(username="sam")
    other.groups.add(Group.objects.get(name="Recruiters"))
    client.force_login(other)
    rule()
    assert client.get(reverse("sms:automations", args=[job.pk])).status_code == 403
    assert add_rule(client, job, stage("Offer"), invite).status_code == 403
    assert AutomationRule.objects.count() == 1
    board = client.get(reverse("candidates:job_board", args=[job.pk])).content.decode()
    assert 'aria-label="1 automation on, 1 in all"' in board
    assert reverse("sms:automations", args=[job.pk]) not in board


def test_administrators_manage_any_jobs_rules_and_switch_them_off(administrator_client, job, rule):
    automation = rule()
    assert administrator_client.get(reverse("sms:automations", args=[job.pk])).status_code == 200
    administrator_client.post(reverse("sms:automation_toggle", args=[automation.pk]), {"on": "0"})
    automation.refresh_from_db()
    assert automation.is_enabled is False
    administrator_client.post(reverse("sms:automation_delete", args=[automation.pk]))
    assert not AutomationRule.objects.exists()


def test_company_defaults_are_copied_to_new_jobs(administrator_client, recruiter, invite):
    from django.test import Client

    response = administrator_client.post(
        reverse("sms:automation_defaults"),
        {
            "name": "Interview invite",
            "stage_name": "Interview",
            "template": invite.pk,
            "delay_amount": 1,
            "delay_unit": "days",
            "is_enabled": "on",
        },
    )
    assert response.status_code == 302
    default = AutomationRule.objects.get()
    assert (default.job, default.stage, default.stage_name) == (None, None, "Interview")
    as_recruiter = Client()
    as_recruiter.force_login(recruiter)
    assert as_recruiter.get(reverse("sms:automation_defaults")).status_code == 403

    new_job = services.create_job(title="Data Engineer")
    copy = AutomationRule.objects.get(job=new_job)
    assert copy.stage == new_job.stages.get(name="Interview")
    assert (copy.delay_minutes, copy.cancel_if_reply) == (24 * 60, False)


def test_move_selected_moves_every_chosen_card(recruiter_client, job, cards, stage):
    response = recruiter_client.post(
        reverse("candidates:bulk_move", args=[job.pk]),
        {"application": [cards["Ada"].pk, cards["Grace"].pk], "to_stage": stage("Offer").pk},
    )
    assert response.status_code == 302
    assert set(job.applications.values_list("stage__name", flat=True)) == {"Offer"}


def test_the_bubble_says_automated_and_the_inbox_filters_automated(
    recruiter_client, active_twilio, fake_provider, cards, stage, rule, move
):
    rule()
    move(cards["Ada"], stage("Interview"))
    message = Message.objects.get()
    profile = recruiter_client.get(
        reverse("candidates:detail", args=[cards["Ada"].candidate.pk])
    ).content.decode()
    assert "sms-tag-automated" in profile
    inbox = recruiter_client.get(reverse("sms:inbox"), {"show": "automated"})
    assert [t.pk for t in inbox.context["threads"]] == [message.thread_id]
    others = recruiter_client.get(reverse("sms:inbox"), {"show": "automated", "q": "Grace"})
    assert list(others.context["threads"]) == []


def test_the_automations_page_is_bounded_and_names_the_languages(
    recruiter_client, django_assert_max_num_queries, job, stage, invite, rule
):
    from sms.models import SmsTemplate

    SmsTemplate.objects.create(
        name="Invitation", body="Bonjour", language="fr", translation_of=invite
    )
    for n in range(12):
        rule(stage_name=["Interview", "Offer", "Hired"][n % 3], name=f"Rule {n}", delay=n)
    # Constant: session, user, permissions, badge, job, stages, rules (+ translations), the
    # form's choices, the missing defaults (3); one query per rule would need 24 or more.
    with django_assert_max_num_queries(15):
        html = recruiter_client.get(reverse("sms:automations", args=[job.pk])).content.decode()
    assert html.count('data-rule="') == 12
    assert "English, French <span" in html and "(others get English)" in html


def test_the_rule_form_offers_shared_and_own_templates_only(job, invite, recruiter, administrator):
    from sms.automations.forms import AutomationRuleForm
    from sms.models import SmsTemplate

    SmsTemplate.objects.create(name="Riley's own", body="Hi", owner=recruiter)
    SmsTemplate.objects.create(name="Alex's own", body="Hi", owner=administrator)
    SmsTemplate.objects.create(
        name="Traduction", body="Salut", language="fr", translation_of=invite
    )
    offered = AutomationRuleForm(job=job, user=recruiter).fields["template"].queryset
    assert [t.name for t in offered] == ["Interview invite", "Riley's own"]
    defaults = AutomationRuleForm(job=None, user=administrator).fields["template"].queryset
    assert [t.name for t in defaults] == ["Interview invite"]


def test_switching_a_rule_off_or_deleting_it_cancels_what_it_still_had_waiting(
    recruiter_client, active_twilio, cards, stage, rule, move
):
    nudge = rule(delay=60, name="Nudge")
    move(cards["Ada"], stage("Interview"))
    response = recruiter_client.post(
        reverse("sms:automation_toggle", args=[nudge.pk]), {"on": "0"}, follow=True
    )
    assert "1 text still waiting was cancelled." in response.content.decode()
    message = Message.objects.get()
    assert message.status == "canceled"
    assert message.error_message == "Cancelled — the automation “Nudge” was switched off."

    other = rule(delay=60, name="Other", stage_name="Offer")
    move(cards["Grace"], stage("Offer"))
    recruiter_client.post(reverse("sms:automation_delete", args=[other.pk]))
    assert set(Message.objects.values_list("status", flat=True)) == {"canceled"}


def test_a_rule_without_a_name_takes_its_templates(recruiter_client, job, stage, invite):
    add_rule(recruiter_client, job, stage("Interview"), invite, name="")
    assert AutomationRule.objects.get().name == "Interview invite"


def test_a_job_created_before_the_defaults_can_add_them_once(
    recruiter_client, job, invite, recruiter
):
    AutomationRule.objects.create(
        name="Interview invite", stage_name="interview", template=invite, delay_minutes=5
    )
    page = recruiter_client.get(reverse("sms:automations", args=[job.pk])).content.decode()
    assert "1 company default automation is not on this job yet." in page
    url = reverse("sms:automations_add_defaults", args=[job.pk])
    recruiter_client.post(url)
    recruiter_client.post(url)  # a second click adds nothing
    copy = AutomationRule.objects.get(job=job)
    assert (copy.stage.name, copy.delay_minutes) == ("Interview", 5)
    page = recruiter_client.get(reverse("sms:automations", args=[job.pk])).content.decode()
    assert "company default" not in page


def test_another_jobs_recruiter_cannot_edit_switch_or_delete_its_rules(client, rule):
    from django.contrib.auth.models import Group

    other = UserFactory(username="sam")
    other.groups.add(Group.objects.get(name="Recruiters"))
    client.force_login(other)
    automation = rule()
    assert client.get(reverse("sms:automation_edit", args=[automation.pk])).status_code == 403
    toggle = reverse("sms:automation_toggle", args=[automation.pk])
    assert client.post(toggle, {"on": "0"}).status_code == 403
    assert client.post(reverse("sms:automation_delete", args=[automation.pk])).status_code == 403
    add = reverse("sms:automations_add_defaults", args=[automation.job_id])
    assert client.post(add).status_code == 403
    automation.refresh_from_db()
    assert automation.is_enabled is True
