"""The inbox: the thread list (filters, search, windows), opening a thread, linking an unknown
sender, and the polling endpoints that answer 204 when nothing changed."""

import re
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_htmx.middleware import HtmxDetails

from integrations.providers.base import StatusEvent
from sms.conversations import inbox, queries, views
from sms.inbound.statuses import record_status
from sms.models import Message, OptOut, Thread
from sms.threads import link_unknown_sender
from tests.factories import CandidateFactory
from tests.helpers.messages import add_message
from tests.helpers.providers import CANDIDATE_PHONE

INBOX = reverse("sms:inbox")


def rows(html: str) -> list[int]:
    """Thread ids in the order the list shows them."""
    found = re.findall(r'<li class="thread-row[^"]*" id="thread-row-(\d+)"', html)
    return [int(pk) for pk in found]


def message_numbers(html: str) -> list[int]:
    """The n of each "Message n" bubble, in the order shown."""
    return [int(n) for n in re.findall(r"Message (\d+)\s*</div>", html)]


def htmx(target):
    return {"HX-Request": "true", "HX-Target": target}


@pytest.fixture
def threads(candidate, recruiter):
    """Ada (read, outbound last), Grace (unread), an unknown sender (unread), opted-out Alan."""
    ada = add_message(candidate, body="See you Monday", sent_by=recruiter).thread
    grace = CandidateFactory(first_name="Grace", last_name="Hopper", phone="+12025550188")
    add_message(grace, body="Is parking available?", direction="inbound")
    add_message(grace, body="Could we move it to 3pm?", direction="inbound")
    Thread.objects.filter(candidate=grace).update(unread_count=2)
    unknown = Thread.objects.create(
        phone_number="+61400000999", last_message_preview="Who is this?", unread_count=1
    )
    Message.objects.create(
        thread=unknown, direction="inbound", status="received", body="Who is this?"
    )
    alan = CandidateFactory(first_name="Alan", last_name="Turing", phone="+447700900123")
    add_message(alan, body="STOP", direction="inbound")
    Thread.objects.filter(candidate=alan).update(unread_count=0)
    OptOut.objects.create(
        phone_number=alan.phone, source="keyword", detail="STOP", changed_at=timezone.now()
    )
    # Newest first: Alan, unknown, Grace, Ada.
    now = timezone.now()
    for minutes, thread in enumerate(
        [Thread.objects.get(candidate=alan), unknown, Thread.objects.get(candidate=grace), ada]
    ):
        Thread.objects.filter(pk=thread.pk).update(last_message_at=now - timedelta(minutes=minutes))
    return {
        "ada": ada,
        "grace": Thread.objects.get(candidate=grace),
        "unknown": unknown,
        "alan": Thread.objects.get(candidate=alan),
    }


def test_the_list_shows_each_thread_newest_first(recruiter_client, threads):
    html = recruiter_client.get(INBOX).content.decode()
    assert rows(html) == [threads[k].pk for k in ("alan", "unknown", "grace", "ada")]
    grace = html[html.index(f'id="thread-row-{threads["grace"].pk}"') :]
    grace = grace[: grace.index("</li>")]
    assert "Grace Hopper" in grace and "Could we move it to 3pm?" in grace
    assert '<span class="badge badge-unread">2<span class="sr-only"> unread</span></span>' in grace
    assert 'class="thread-row is-unread"' in html
    assert '<span class="thread-you">You:</span> See you Monday' in html
    assert "+61 400 000 999" in html and "Unknown sender" in html
    alan = html[html.index(f'id="thread-row-{threads["alan"].pk}"') :]
    assert '<span class="badge badge-danger">Opted out</span>' in alan[: alan.index("</li>")]
    assert 'aria-current="page">Inbox' in html


@pytest.mark.parametrize(
    ("show", "expected"),
    [("unread", ["unknown", "grace"]), ("unknown", ["unknown"]), ("all", None), ("bogus", None)],
)
def test_filters(recruiter_client, threads, show, expected):
    html = recruiter_client.get(INBOX, {"show": show}).content.decode()
    expected = expected or ["alan", "unknown", "grace", "ada"]
    assert rows(html) == [threads[k].pk for k in expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("grace", ["grace"]),
        ("ada love", ["ada"]),
        ("+1 (202) 555-0188", ["grace"]),  # a whole number in any format
        ("202.555.0188", ["grace"]),
        ("555 0188", ["grace"]),  # part of a number
        ("0411 111 111", ["ada"]),  # national format with the trunk 0
        ("61400000999", ["unknown"]),
        ("parking", ["grace"]),  # text of an older message, not the preview
        ("nothing like this", []),
    ],
)
def test_search_by_name_phone_or_message_text(recruiter_client, threads, query, expected):
    html = recruiter_client.get(INBOX, {"q": query}).content.decode()
    assert rows(html) == [threads[k].pk for k in expected]
    if not expected:
        assert f"No conversations match “{query}”." in html


def test_search_and_filter_combine_and_stay_in_links(recruiter_client, threads):
    response = recruiter_client.get(
        INBOX, {"q": "grace", "show": "unread"}, headers=htmx("inbox-threads")
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="inbox-threads" id="inbox-threads"')
    assert rows(html) == [threads["grace"].pk]
    assert f'href="/inbox/{threads["grace"].pk}/?show=unread&amp;q=grace"' in html
    assert 'href="/inbox/?show=unknown&amp;q=grace"' in html


def test_the_list_comes_in_windows_with_load_more(recruiter_client, db):
    now = timezone.now()
    Thread.objects.bulk_create(
        Thread(phone_number=f"+6140000{i:04d}", last_message_at=now - timedelta(seconds=i // 2))
        for i in range(120)  # pairs share a timestamp: the cursor must break ties by id
    )
    expected = list(Thread.objects.order_by("-last_message_at", "-id").values_list("pk", flat=True))
    html = recruiter_client.get(INBOX).content.decode()
    seen = rows(html)
    while True:
        more = re.search(r'hx-get="(/inbox/\?after=[^"]+)"', html)
        if not more:
            break
        html = recruiter_client.get(more.group(1).replace("&amp;", "&"), headers=htmx("")).content
        html = html.decode()
        assert "<h1" not in html  # rows only
        seen += rows(html)
    assert seen == expected
    assert len(rows(recruiter_client.get(INBOX).content.decode())) == queries.INBOX_PAGE_SIZE


def test_opening_a_thread_marks_it_read(recruiter_client, threads):
    grace = threads["grace"]
    response = recruiter_client.get(reverse("sms:inbox_thread", args=[grace.pk]))
    html = response.content.decode()
    grace.refresh_from_db()
    assert grace.unread_count == 0
    assert '<h2 id="conversation-title">Grace Hopper</h2>' in html
    assert "Is parking available?" in html and "Could we move it to 3pm?" in html
    assert f'id="thread-row-{grace.pk}"' in html  # the full page, with the list
    assert 'aria-current="true"' in html
    assert 'class="inbox has-selection"' in html


def test_the_full_inbox_page_shows_the_composer(active_twilio, recruiter_client, threads):
    # Regression: inside {% block %} Django names the block `block`; it must not read as a
    # reason not to send.
    url = reverse("sms:inbox_thread", args=[threads["grace"].pk])
    html = recruiter_client.get(url).content.decode()
    assert "<span>Send now</span>" in html
    assert "sms-blocked" not in html


def test_opening_with_htmx_returns_the_pane_the_read_row_and_the_badge(recruiter_client, threads):
    grace = threads["grace"]
    response = recruiter_client.get(
        reverse("sms:inbox_thread", args=[grace.pk]), headers=htmx("inbox-pane")
    )
    html = response.content.decode()
    assert "<h1" not in html
    assert f'<li class="thread-row" id="thread-row-{grace.pk}" hx-swap-oob="true">' in html
    assert re.search(r'<span id="nav-unread-badge"[^>]*hx-swap-oob="true">1<', html)


def test_an_unknown_sender_can_be_linked_to_a_candidate(
    recruiter_client, threads, candidate, recruiter
):
    unknown = threads["unknown"]
    page = recruiter_client.get(reverse("sms:inbox_thread", args=[unknown.pk])).content.decode()
    assert "Link to candidate" in page
    link = reverse("sms:link_thread", args=[unknown.pk])
    results = recruiter_client.get(link, {"q": "lovelace"}, headers=htmx("link-results"))
    assert f'name="candidate" value="{candidate.pk}"' in results.content.decode()
    response = recruiter_client.post(link, {"candidate": candidate.pk})
    ada = threads["ada"]
    assert response.url.startswith(reverse("sms:inbox_thread", args=[ada.pk]) + "?linked=")
    assert not Thread.objects.filter(pk=unknown.pk).exists()
    assert Message.objects.filter(thread=ada, body="Who is this?").exists()


def test_the_link_picker_suggests_candidates_who_have_the_number(recruiter_client, db):
    unknown = Thread.objects.create(phone_number="+61400000777", unread_count=1)
    nia = CandidateFactory(first_name="Nia", last_name="Late", phone="+61400000777")  # added later
    html = recruiter_client.get(reverse("sms:inbox_thread", args=[unknown.pk])).content.decode()
    assert "Candidates with this number" in html
    assert f'name="candidate" value="{nia.pk}" checked' in html


def test_linking_without_a_choice_explains(recruiter_client, threads):
    link = reverse("sms:link_thread", args=[threads["unknown"].pk])
    response = recruiter_client.post(link, {}, follow=True)
    assert "Choose the candidate this number belongs to." in response.content.decode()
    assert Thread.objects.filter(pk=threads["unknown"].pk).exists()


def test_without_js_the_link_search_renders_the_inbox_with_results(
    recruiter_client, threads, candidate
):
    link = reverse("sms:link_thread", args=[threads["unknown"].pk])
    html = recruiter_client.get(link, {"q": "ada"}).content.decode()
    assert '<details class="link-picker" open>' in html
    assert f'value="{candidate.pk}"' in html


# --- Polling: one query when nothing changed ------------------------------------------------------


def direct_get(view, user, path, params, **kwargs):
    """Call a view as a signed-in user whose permissions are already loaded (the middleware's
    session and user queries, and the permission queries, are not part of the view's cost)."""
    request = RequestFactory().get(path, params)
    request.user = user
    request.htmx = HtmxDetails(request)
    return view(request, **kwargs)


@pytest.fixture
def warm_recruiter(recruiter):
    assert recruiter.has_perm("sms.view_inbox") and recruiter.has_perm("sms.view_thread")
    return recruiter


def test_the_list_poll_costs_one_query_when_nothing_changed(
    warm_recruiter, threads, django_assert_num_queries
):
    version = queries.inbox_version()
    with django_assert_num_queries(1):
        response = direct_get(inbox.inbox_poll, warm_recruiter, "/inbox/poll/", {"v": version})
    assert response.status_code == 204


def test_the_list_poll_returns_the_list_after_a_change(recruiter_client, threads):
    version = queries.inbox_version()
    add_message(threads["ada"].candidate, body="Tuesday works", direction="inbound")
    response = recruiter_client.get(
        reverse("sms:inbox_poll"),
        {"v": version, "shown": "80", "selected": threads["ada"].pk},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(html)[0] == threads["ada"].pk
    assert f'hx-get="/inbox/poll/?v={queries.inbox_version()}"' in html
    assert 'aria-current="true"' in html
    assert 'id="nav-unread-badge"' in html and 'hx-swap-oob="true"' in html


def test_the_conversation_poll_costs_one_query_when_nothing_changed(
    warm_recruiter, threads, candidate, django_assert_num_queries
):
    ada = Thread.objects.get(pk=threads["ada"].pk)
    version = queries.version_token(ada.changed_at)
    with django_assert_num_queries(1):
        response = direct_get(
            inbox.inbox_thread_poll, warm_recruiter, "/", {"v": version}, pk=ada.pk
        )
    assert response.status_code == 204
    with django_assert_num_queries(1):
        response = direct_get(
            views.candidate_poll, warm_recruiter, "/", {"v": version}, pk=candidate.pk
        )
    assert response.status_code == 204


def test_a_profile_without_a_thread_polls_version_zero(
    warm_recruiter, candidate, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = direct_get(
            views.candidate_poll, warm_recruiter, "/", {"v": "0"}, pk=candidate.pk
        )
    assert response.status_code == 204


def test_the_conversation_poll_returns_new_messages_and_marks_them_read(recruiter_client, threads):
    grace = threads["grace"]
    version = queries.version_token(grace.changed_at)
    url = reverse("sms:inbox_thread_poll", args=[grace.pk])
    assert recruiter_client.get(url, {"v": version}).status_code == 204
    add_message(grace.candidate, body="Also, is there parking?", direction="inbound")
    response = recruiter_client.get(url, {"v": version})
    html = response.content.decode()
    assert "Also, is there parking?" in html
    grace.refresh_from_db()
    assert grace.unread_count == 0
    assert f'?v={queries.version_token(grace.changed_at)}"' in html
    assert re.search(r'id="nav-unread-badge"[^>]*hx-swap-oob="true">1<', html)


def test_a_status_change_is_seen_by_the_poll(active_twilio, recruiter_client, candidate, recruiter):
    message = add_message(candidate, "sent", "On my way", sent_by=recruiter)
    thread = Thread.objects.get(pk=message.thread_id)
    url = reverse("sms:candidate_poll", args=[candidate.pk])
    version = queries.version_token(thread.changed_at)
    event = StatusEvent(
        provider_message_id="",
        status="delivered",
        error_code="",
        error_message="",
        occurred_at=None,
        raw={},
        reference=str(message.pk),
    )
    assert record_status("twilio", event)
    html = recruiter_client.get(url, {"v": version}).content.decode()
    assert 'data-status="delivered"' in html


def test_a_merged_thread_sends_the_poller_back_to_the_inbox(recruiter_client, threads, candidate):
    unknown = threads["unknown"]
    link_unknown_sender(unknown, candidate)
    response = recruiter_client.get(reverse("sms:inbox_thread_poll", args=[unknown.pk]), {"v": "1"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == INBOX


def test_the_nav_badge_counts_unread_threads(recruiter_client, threads):
    html = recruiter_client.get(reverse("sms:unread_badge")).content.decode()
    assert re.search(r'<span id="nav-unread-badge" class="badge badge-unread"[^>]*>2<', html)
    assert 'hx-trigger="every 15s' in html
    Thread.objects.update(unread_count=0)
    html = recruiter_client.get(reverse("sms:unread_badge")).content.decode()
    assert 'class="badge badge-unread is-hidden"' in html


# --- Conversation windows -------------------------------------------------------------------------


def test_a_long_conversation_is_windowed_with_load_earlier(recruiter_client, candidate):
    thread = Thread.objects.create(candidate=candidate, phone_number=CANDIDATE_PHONE)
    start = timezone.now() - timedelta(days=3)
    Message.objects.bulk_create(
        Message(thread=thread, direction="inbound", status="received", body=f"Message {i}")
        for i in range(120)
    )
    # Spread them over three days (bulk_create stamps them all "now").
    for i, pk in enumerate(thread.messages.order_by("pk").values_list("pk", flat=True)):
        Message.objects.filter(pk=pk).update(created_at=start + timedelta(minutes=30 * i))
    html = recruiter_client.get(reverse("sms:inbox_thread", args=[thread.pk])).content.decode()
    assert message_numbers(html) == list(range(70, 120))
    earlier = re.search(r'hx-get="(/inbox/\d+/earlier/\?before=[^"]+)"', html).group(1)
    html = recruiter_client.get(earlier.replace("&amp;", "&")).content.decode()
    assert message_numbers(html) == list(range(20, 70))
    assert "Load earlier messages" in html
    # A refresh keeps everything from the oldest message the reader has loaded.
    first = Message.objects.get(thread=thread, body="Message 20")
    cursor = queries.encode_cursor(first.created_at, first.pk)
    url = reverse("sms:inbox_thread_poll", args=[thread.pk])
    html = recruiter_client.get(url, {"v": "0", "since": cursor}).content.decode()
    assert html.count('<li class="sms sms-inbound') == 100
