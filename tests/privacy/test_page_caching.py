"""The policy pages at scale: each text rendered once, and 304 to a browser that has the page."""

from __future__ import annotations

import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import MessageEncoder
from django.test import RequestFactory
from django.urls import reverse

from accounts.forms import LoginForm
from core.conditional import render_conditionally
from privacy import rendering
from privacy.models import Notice
from privacy.services import withdraw_policy_version
from tests.privacy.conftest import login
from tests.privacy.factories import announce

SEOUL = ZoneInfo("Asia/Seoul")
POLICY = reverse("privacy:policy")
HISTORY = reverse("privacy:history")
NOTICES = reverse("notices:list")
CONDITIONAL_PAGES = [POLICY, HISTORY, NOTICES]


def seoul(*args):
    return datetime.datetime(*args, tzinfo=SEOUL)


@pytest.fixture
def renders():
    """Every rendering of a Markdown text, from an empty cache."""
    rendering.rendered.cache_clear()
    with mock.patch.object(
        rendering, "render_markdown", wraps=rendering.render_markdown
    ) as render_markdown:
        yield render_markdown
    rendering.rendered.cache_clear()


def etag_of(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response["ETag"]


def revisit(client, url, etag, **headers):
    return client.get(url, headers={"if-none-match": etag, **headers})


@pytest.mark.infra
def test_a_policy_text_is_rendered_once_however_many_requests(client, policy, renders):
    for _ in range(3):
        assert client.get(POLICY).status_code == 200
    assert client.get(reverse("privacy:version", args=[policy.label])).status_code == 200
    renders.assert_called_once_with(policy.body)


@pytest.mark.infra
def test_each_version_is_rendered_once(client, policy, renders):
    second = announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10))
    for moment in (seoul(2026, 3, 5), seoul(2026, 3, 11), seoul(2026, 3, 5), seoul(2026, 3, 11)):
        with time_machine.travel(moment, tick=False):
            client.get(POLICY)
    assert [call.args for call in renders.call_args_list] == [(policy.body,), (second.body,)]


@pytest.mark.law("PIPA §30")
def test_the_kept_html_is_the_html_rendering_gives(client, policy):
    response = client.get(POLICY)
    fresh = rendering.render_markdown(policy.body)
    assert response.context["rendered"] == fresh
    assert fresh.body in response.content.decode() and fresh.toc in response.content.decode()


@pytest.mark.parametrize("url", CONDITIONAL_PAGES)
@pytest.mark.infra
def test_a_repeat_visit_with_the_etag_gets_304_and_no_body(client, policy, url):
    response = revisit(client, url, etag_of(client, url))
    assert response.status_code == 304
    assert response.content == b""
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("url", CONDITIONAL_PAGES)
@pytest.mark.infra
def test_another_etag_gets_the_whole_page(client, policy, url):
    assert revisit(client, url, '"an-older-page"').status_code == 200


@pytest.mark.parametrize("url", CONDITIONAL_PAGES)
@pytest.mark.law("PIPA §30")
def test_switching_language_gets_a_new_page_and_etag(client, policy, url):
    korean = etag_of(client, url)
    client.cookies["django_language"] = "en"
    response = revisit(client, url, korean)
    assert response.status_code == 200
    assert response["ETag"] != korean
    assert response["Content-Language"] == "en"


@pytest.mark.policy("12")
@pytest.mark.parametrize("url", [POLICY, HISTORY])
def test_announcing_a_version_changes_the_policy_pages(client, policy, url):
    with time_machine.travel(seoul(2026, 3, 1), tick=False):
        before = etag_of(client, url)
    announce("2.0", now=seoul(2026, 3, 1, 12), effective_at=seoul(2026, 3, 10))
    with time_machine.travel(seoul(2026, 3, 2), tick=False):
        response = revisit(client, url, before)
    assert response.status_code == 200 and response["ETag"] != before
    assert "2.0" in response.content.decode()


@pytest.mark.policy("12")
@pytest.mark.parametrize("url", [POLICY, HISTORY])
def test_a_version_taking_effect_changes_the_policy_pages(client, policy, url):
    announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10))
    with time_machine.travel(seoul(2026, 3, 9, 23, 59), tick=False):
        announced = etag_of(client, url)
        assert revisit(client, url, announced).status_code == 304
    with time_machine.travel(seoul(2026, 3, 10), tick=False):
        response = revisit(client, url, announced)
    assert response.status_code == 200 and response["ETag"] != announced


@pytest.mark.policy("12")
def test_withdrawing_a_version_changes_the_history(client, policy):
    version = announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10))
    with time_machine.travel(seoul(2026, 3, 2), tick=False):
        before = etag_of(client, HISTORY)
        withdraw_policy_version(version=version, now=seoul(2026, 3, 2))
        response = revisit(client, HISTORY, before)
    assert response.status_code == 200 and response["ETag"] != before


@pytest.mark.policy("12")
def test_a_new_or_edited_notice_changes_the_notices_page(client, policy):
    before = etag_of(client, NOTICES)
    notice = Notice.objects.create(title="점검 안내", body="본문")
    response = revisit(client, NOTICES, before)
    assert response.status_code == 200 and "점검 안내" in response.content.decode()
    published = response["ETag"]
    notice.title = "점검 일정 변경 안내"
    notice.save()
    response = revisit(client, NOTICES, published)
    assert response.status_code == 200 and "점검 일정 변경 안내" in response.content.decode()


@pytest.mark.policy("12")
def test_each_page_of_notices_has_its_own_etag(client, policy):
    for day in range(1, 13):
        Notice.objects.create(title=f"공지 {day}", body="본문", published_at=seoul(2026, 1, day))
    first = etag_of(client, NOTICES)
    assert revisit(client, f"{NOTICES}?page=2", first).status_code == 200


@pytest.mark.parametrize("url", CONDITIONAL_PAGES)
@pytest.mark.policy("9 나")
def test_a_member_always_gets_their_own_page_and_no_etag(client, member, url):
    anonymous = etag_of(client, url)
    login(client, member)
    response = revisit(client, url, anonymous)
    assert response.status_code == 200
    assert "ETag" not in response
    html = response.content.decode()
    assert member.username in html and "csrfmiddlewaretoken" in html


@pytest.mark.parametrize("url", CONDITIONAL_PAGES)
@pytest.mark.policy("9 나")
def test_a_page_for_anyone_embeds_no_csrf_token(client, policy, url):
    assert "csrfmiddlewaretoken" not in client.get(url).content.decode()


@pytest.mark.policy("9 나")
def test_a_page_that_embeds_a_csrf_token_gets_no_etag(policy):
    request = RequestFactory().get(reverse("accounts:login"))
    request.user = AnonymousUser()
    response = render_conditionally(
        request, "accounts/login.html", {"form": LoginForm()}, validators=[]
    )
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "ETag" not in response


@pytest.mark.infra
def test_a_waiting_message_is_shown_not_hidden_by_a_304(client, policy):
    etag = etag_of(client, POLICY)
    session = client.session
    session["_messages"] = MessageEncoder().encode([Message(constants.SUCCESS, "저장했습니다.")])
    session.save()
    response = revisit(client, POLICY, etag)
    assert response.status_code == 200 and "ETag" not in response
    assert "저장했습니다." in response.content.decode()
    assert revisit(client, POLICY, etag).status_code == 304


@pytest.mark.infra
def test_the_policy_page_takes_few_queries(client, member, policy, django_assert_max_num_queries):
    client.get(POLICY)
    # The version in force, those announced, and the visit record.
    with django_assert_max_num_queries(3):
        etag = etag_of(client, POLICY)
    with django_assert_max_num_queries(3):
        assert revisit(client, POLICY, etag).status_code == 304
    login(client, member)
    # And for a member: the session, the member, their standing with the policy, unread answers.
    with django_assert_max_num_queries(7):
        assert client.get(POLICY).status_code == 200


@pytest.mark.parametrize("url", CONDITIONAL_PAGES)
@pytest.mark.infra
def test_a_page_for_anyone_is_rendered_once_and_served_the_same(client, policy, url):
    first = client.get(url)
    again = client.get(url)
    assert first.templates and not again.templates
    assert again.content == first.content and again["ETag"] == first["ETag"]


@pytest.mark.policy("9 나")
def test_a_kept_page_is_kept_per_address(client, policy):
    client.get(POLICY)
    other = client.get(POLICY + "?from=home")
    assert other.templates
    assert b"?from=home" in other.content
