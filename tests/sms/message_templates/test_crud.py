"""Create, edit, duplicate, delete and switch templates on and off, with and without htmx."""

from django.urls import reverse

from sms.models import SmsTemplate

LIST = reverse("sms:template_list")


def test_the_list_shows_name_excerpt_state_and_actions(administrator_client, invite):
    SmsTemplate.objects.create(name="Old reminder", body="Reminder: " + "x" * 200, is_active=False)
    html = administrator_client.get(LIST).content.decode()

    assert "Interview invite" in html
    assert "Hi {{first_name}}, can we talk about {{job_title}}" in html
    assert "Reminder: xxx" in html and "x" * 150 not in html  # an excerpt, not the whole body
    assert html.count('role="switch"') == 2
    assert 'aria-checked="true" aria-label="Active: Interview invite"' in html
    assert 'aria-checked="false" aria-label="Active: Old reminder"' in html
    assert f'href="{reverse("sms:template_edit", args=[invite.pk])}"' in html
    assert "Duplicate" in html and "Delete" in html


def test_an_empty_list_invites_to_create_one(administrator_client):
    html = administrator_client.get(LIST).content.decode()
    assert "No templates yet" in html
    assert reverse("sms:template_create") in html


def test_it_creates_a_template(administrator_client, administrator):
    response = administrator_client.post(
        reverse("sms:template_create"),
        {
            "name": "  Offer follow-up ",
            "body": "Hi {{ first_name }}, any questions?",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert response.url == LIST
    template = SmsTemplate.objects.get()
    assert (template.name, template.body, template.is_active) == (
        "Offer follow-up",
        "Hi {{ first_name }}, any questions?",
        True,
    )
    assert template.created_by == administrator
    followed = administrator_client.get(LIST).content.decode()
    assert "Template “Offer follow-up” created." in followed


def test_a_template_saved_inactive_says_recruiters_do_not_see_it(administrator_client):
    administrator_client.post(
        reverse("sms:template_create"), {"name": "Draft", "body": "Hello {{first_name}}"}
    )
    assert SmsTemplate.objects.get().is_active is False
    assert "recruiters don&#x27;t see it yet" in administrator_client.get(LIST).content.decode()


def test_it_edits_a_template(administrator_client, invite):
    url = reverse("sms:template_edit", args=[invite.pk])
    page = administrator_client.get(url).content.decode()
    assert "Interview invite" in page and "Save changes" in page

    response = administrator_client.post(
        url, {"name": "Interview invitation", "body": "Hi {{full_name}}!", "is_active": "on"}
    )
    assert response.status_code == 302
    invite.refresh_from_db()
    assert (invite.name, invite.body) == ("Interview invitation", "Hi {{full_name}}!")


def test_update_preview_renders_without_saving(administrator_client, invite):
    url = reverse("sms:template_edit", args=[invite.pk])
    response = administrator_client.post(
        url,
        {
            "name": "Interview invite",
            "body": "Hi {{first_name}} from {{company_name}}",
            "preview": "1",
        },
    )
    assert response.status_code == 200
    assert "Hi Maya from Nextal" in response.content.decode()
    invite.refresh_from_db()
    assert invite.body.startswith("Hi {{first_name}}, can we talk")


def test_duplicate_makes_an_inactive_copy_and_opens_it(administrator_client, administrator, invite):
    response = administrator_client.post(reverse("sms:template_duplicate", args=[invite.pk]))
    copy = SmsTemplate.objects.get(name="Copy of Interview invite")
    assert response.status_code == 302
    assert response.url == reverse("sms:template_edit", args=[copy.pk])
    assert copy.body == invite.body
    assert copy.is_active is False
    assert copy.created_by == administrator

    administrator_client.post(reverse("sms:template_duplicate", args=[invite.pk]))
    assert SmsTemplate.objects.filter(name="Copy of Interview invite (2)").exists()


def test_duplicate_keeps_long_names_within_the_limit(administrator_client):
    original = SmsTemplate.objects.create(name="N" * 100, body="Hi")
    administrator_client.post(reverse("sms:template_duplicate", args=[original.pk]))
    administrator_client.post(reverse("sms:template_duplicate", args=[original.pk]))
    names = sorted(SmsTemplate.objects.exclude(pk=original.pk).values_list("name", flat=True))
    assert [len(name) for name in names] == [100, 100]
    assert names[0].endswith("N (2)") and names[1].startswith("Copy of NNN")


def test_duplicate_needs_a_post(administrator_client, invite):
    response = administrator_client.get(reverse("sms:template_duplicate", args=[invite.pk]))
    assert response.status_code == 405
    assert SmsTemplate.objects.count() == 1


def test_delete_asks_first_then_deletes(administrator_client, invite):
    url = reverse("sms:template_delete", args=[invite.pk])
    page = administrator_client.get(url).content.decode()
    assert "Delete “Interview invite”?" in page
    assert "<html" in page  # a whole page without htmx

    dialog = administrator_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'role="dialog"' in dialog and "<html" not in dialog
    assert SmsTemplate.objects.filter(pk=invite.pk).exists()

    response = administrator_client.post(url)
    assert response.status_code == 302 and response.url == LIST
    assert not SmsTemplate.objects.filter(pk=invite.pk).exists()


def test_delete_with_htmx_reloads_the_list(administrator_client, invite):
    url = reverse("sms:template_delete", args=[invite.pk])
    response = administrator_client.post(url, headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == LIST
    assert not SmsTemplate.objects.exists()


def test_deleting_a_used_template_keeps_the_sent_messages(administrator_client, invite):
    from sms.models import Direction, Message, Thread

    thread = Thread.objects.create(phone_number="+12025550111")
    message = Message.objects.create(
        thread=thread, direction=Direction.OUTBOUND, status="sent", body="Hi", template=invite
    )
    administrator_client.post(reverse("sms:template_delete", args=[invite.pk]))
    message.refresh_from_db()
    assert message.template is None
    assert message.body == "Hi"


def test_the_toggle_with_htmx_returns_the_row(administrator_client, invite):
    url = reverse("sms:template_active", args=[invite.pk])
    response = administrator_client.post(url, {"active": "0"}, headers={"HX-Request": "true"})
    row = response.content.decode()
    assert row.strip().startswith(f'<tr id="template-{invite.pk}"')
    assert 'aria-checked="false"' in row
    assert 'name="active" value="1"' in row  # the next click switches it back on
    invite.refresh_from_db()
    assert invite.is_active is False


def test_the_toggle_without_javascript_redirects_with_a_message(administrator_client, invite):
    invite.is_active = False
    invite.save()
    url = reverse("sms:template_active", args=[invite.pk])
    response = administrator_client.post(url, {"active": "1"}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "“Interview invite” is now active" in response.content.decode()
    invite.refresh_from_db()
    assert invite.is_active is True


def test_a_repeated_toggle_post_keeps_the_state_it_asked_for(administrator_client, invite):
    url = reverse("sms:template_active", args=[invite.pk])
    for _ in range(2):
        administrator_client.post(url, {"active": "0"}, headers={"HX-Request": "true"})
    invite.refresh_from_db()
    assert invite.is_active is False


def test_the_toggle_needs_a_post(administrator_client, invite):
    response = administrator_client.get(reverse("sms:template_active", args=[invite.pk]))
    assert response.status_code == 405
