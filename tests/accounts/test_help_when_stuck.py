"""A member who is stuck is told what happens next and whom to call: attempts left before the
lockout (policy §9 나), the support center's phone, hours and e-mail (§10) on home, the lockout and
recovery pages, and a signed-in member's next steps on home."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.conftest import PASSWORD

LOGIN = reverse("accounts:login")


def attempt(client, username, password, ip="203.0.113.5"):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        HTTP_ACCEPT_LANGUAGE="ko",
    )


@pytest.mark.policy("9 나")
def test_a_wrong_password_says_how_many_attempts_are_left(client, member):
    first = attempt(client, member.username, "wrong-password")
    assert first.context["attempts_left"] == 4
    assert "4회 더 틀리면 30분 동안 로그인이 잠깁니다" in first.content.decode()
    assert attempt(client, member.username, "wrong-password").context["attempts_left"] == 3
    # Another address keeps its own count, as the lockout does.
    other = attempt(client, member.username, "wrong-password", ip="198.51.100.9")
    assert other.context["attempts_left"] == 4


@pytest.mark.policy("9 나")
def test_an_unknown_id_is_warned_alike_so_the_warning_reveals_no_member(client, db, policy):
    response = attempt(client, "nobody-here", "wrong-password")
    assert response.context["attempts_left"] == 4


@pytest.mark.policy("9 나")
def test_an_empty_form_warns_of_nothing(client, db):
    response = client.post(LOGIN, {"username": "", "password": ""})
    assert "attempts_left" not in response.context


@pytest.mark.policy("10")
def test_the_lockout_page_links_recovery_and_gives_the_phone(client, member, settings):
    for _ in range(5):
        response = attempt(client, member.username, "wrong-password")
    html = response.content.decode()
    assert response.status_code == 429
    assert reverse("accounts:recover") in html and settings.SUPPORT_PHONE in html


@pytest.mark.policy("10")
@pytest.mark.parametrize("page", ["home", "accounts:recover", "accounts:recover_code"])
def test_the_support_center_contact_is_where_a_member_looks(client, db, settings, page):
    html = client.get(reverse(page), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert f'href="tel:{settings.SUPPORT_PHONE}"' in html
    assert f'href="mailto:{settings.SUPPORT_EMAIL}"' in html
    assert "평일 09:00–18:00" in html


@pytest.mark.policy("10")
@override_settings(SUPPORT_HOURS="평일 09:30–17:30 (점심 12–13시 제외)")
def test_the_hours_can_be_said_in_the_centers_own_words(client, db):
    assert "평일 09:30–17:30 (점심 12–13시 제외)" in client.get(reverse("home")).content.decode()


@pytest.mark.policy("10")
def test_a_signed_in_member_gets_next_steps_on_home(logged_in_client):
    html = logged_in_client.get(reverse("home")).content.decode()
    for name in ("support:list", "downloads:list", "accounts:me", "notices:list"):
        assert f'href="{reverse(name)}"' in html
    assert PASSWORD not in html
