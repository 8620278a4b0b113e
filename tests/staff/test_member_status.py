"""The member list and page say whether a member may log in: active, withdrawn, suspended, or
locked out after failed logins until a time, which a handler can end at once (고시 제5조 ⑥)."""

from __future__ import annotations

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts_services
from staff.models import AccessRecord
from staff.roles import PRIVACY_HANDLER, PRIVACY_OFFICER, SUPPORT_AGENT
from staff.services import members as member_services
from tests.conftest import PASSWORD

SEOUL = ZoneInfo("Asia/Seoul")
LOCKED_AT = datetime.datetime(2026, 5, 4, 14, 0, tzinfo=SEOUL)
ADDRESS = "203.0.113.5"

pytestmark = pytest.mark.law("고시 제5조")


@pytest.fixture(autouse=True)
def _at_two_pm():
    # One clock for the lockouts and the staff's logins: a login clears django-axes' counters
    # older than the cool-off, as the clock it runs by reckons.
    with time_machine.travel(LOCKED_AT, tick=False):
        yield


def member_login(username, password, client=None):
    client = client or Client()
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ADDRESS
    )


def lock_out(member):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        member_login(member.username, "wrong-password")


def statuses(page: str) -> dict[str, str]:
    """Each listed member's ID and what the status column says, as rendered."""
    rows = re.findall(
        r'<th class="field-username"><a [^>]*>([^<]+)</a></th>.*?'
        r'<td class="field-status">([^<]*)</td>',
        page,
    )
    return {username: html.unescape(status) for username, status in rows}


@pytest.fixture
def members(make_member, staff_member):
    """One member in each state, locked out now."""

    def make(prefix: str) -> dict[str, str]:
        # Sign-ups from one address are limited per day: each member from an address of its own.
        active, withdrawn, suspended, locked = (
            make_member(username=f"{prefix}{name}", ip=f"10.0.{ord(prefix)}.{n}")
            for n, name in enumerate(("active", "gone", "banned", "locked"), start=1)
        )
        accounts_services.close_account(member=withdrawn)
        member_services.suspend_member(member=suspended, staff=staff_member, ip=None)
        lock_out(locked)
        until = timezone.localtime() + settings.AXES_COOLOFF_TIME
        return {
            active.username: "이용 중",
            withdrawn.username: "탈퇴",
            suspended.username: "이용 정지",
            locked.username: f"{until:%H:%M}까지 로그인 잠김",
        }

    return make


@pytest.fixture
def staff_member(make_staff):
    return make_staff(username="officer01", role=PRIVACY_OFFICER)


def test_the_list_shows_each_members_status_in_a_fixed_number_of_queries(
    client, members, staff_member
):
    expected = members("a")
    assert expected["alocked"] == "14:30까지 로그인 잠김"
    client.force_login(staff_member)
    url = reverse("admin:accounts_user_changelist")
    with time_machine.travel(LOCKED_AT + datetime.timedelta(minutes=10), tick=False):
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            page = client.get(url).content.decode()
        assert statuses(page) == expected
        expected |= members("b")
        with CaptureQueriesContext(connection) as more:
            page = client.get(url).content.decode()
    assert statuses(page) == expected
    assert len(more) == len(few)


def test_a_lockout_ends_by_itself_after_the_cool_off(client, make_member, staff_member):
    member = make_member()
    lock_out(member)
    url = reverse("admin:accounts_user_changelist")
    after = LOCKED_AT + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1)
    with time_machine.travel(after, tick=False):
        # Logged in now: a session idle since the lockout would have ended (STAFF_IDLE_MINUTES).
        client.force_login(staff_member)
        assert statuses(client.get(url).content.decode()) == {member.username: "이용 중"}


def test_failures_short_of_the_limit_are_no_lockout(client, make_member, staff_member):
    member = make_member()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        member_login(member.username, "wrong-password")
    client.force_login(staff_member)
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert statuses(page) == {member.username: "이용 중"}


def test_the_member_page_shows_the_lockout_and_an_unlock_button(client, make_member, login_as):
    member = make_member()
    lock_out(member)
    login_as(PRIVACY_HANDLER)
    with time_machine.travel(LOCKED_AT + datetime.timedelta(minutes=5), tick=False):
        page = client.get(reverse("admin:accounts_user_change", args=[member.pk])).content.decode()
    assert "14:30까지 로그인 잠김" in page
    assert f'action="{reverse("admin:accounts_user_unlock", args=[member.pk])}"' in page


@pytest.mark.parametrize("role", [SUPPORT_AGENT, PRIVACY_HANDLER])
def test_no_unlock_button_without_a_lockout_or_without_the_permission(
    client, make_member, login_as, role
):
    member = make_member()
    unlock = reverse("admin:accounts_user_unlock", args=[member.pk])
    login_as(role)
    change = reverse("admin:accounts_user_change", args=[member.pk])
    assert unlock not in client.get(change).content.decode()
    lock_out(member)
    page = client.get(change).content.decode()
    assert (unlock in page) is (role == PRIVACY_HANDLER)


def test_an_agent_may_not_unlock(client, make_member, login_as):
    member = make_member()
    lock_out(member)
    login_as(SUPPORT_AGENT)
    assert client.post(reverse("admin:accounts_user_unlock", args=[member.pk])).status_code == 403
    assert AccessAttempt.objects.filter(username=member.username).exists()
    assert not AccessRecord.objects.filter(action="unlock").exists()


@pytest.mark.policy("9")
def test_unlocking_lets_the_member_log_in_again_and_is_recorded(make_member, login_as):
    member = make_member()
    lock_out(member)
    assert member_login(member.username, PASSWORD).status_code == 429
    staff = Client(enforce_csrf_checks=True)
    handler = login_as(PRIVACY_HANDLER)
    staff.force_login(handler)
    page = staff.get(reverse("admin:accounts_user_change", args=[member.pk])).content.decode()
    token = re.search(
        r'action="/admin/accounts/user/\d+/unlock/">\s*<input type="hidden" '
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        page,
    ).group(1)
    response = staff.post(
        reverse("admin:accounts_user_unlock", args=[member.pk]),
        {"csrfmiddlewaretoken": token},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response["Location"] == reverse("admin:accounts_user_change", args=[member.pk])
    assert not AccessAttempt.objects.filter(username=member.username).exists()
    record = AccessRecord.objects.get(action="unlock")
    assert (record.staff, record.member, record.ip) == (handler, member, "192.0.2.7")
    assert member_login(member.username, PASSWORD).status_code == 302


def test_an_unlock_without_its_token_is_refused(make_member, login_as):
    member = make_member()
    lock_out(member)
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(login_as(PRIVACY_HANDLER))
    assert staff.post(reverse("admin:accounts_user_unlock", args=[member.pk])).status_code == 403
    assert AccessAttempt.objects.filter(username=member.username).exists()


def test_opening_the_unlock_address_changes_nothing(client, make_member, login_as):
    member = make_member()
    lock_out(member)
    login_as(PRIVACY_HANDLER)
    response = client.get(reverse("admin:accounts_user_unlock", args=[member.pk]))
    assert response.status_code == 302
    assert AccessAttempt.objects.filter(username=member.username).exists()


def test_a_staff_account_is_not_unlocked_here(client, make_staff, login_as):
    colleague = make_staff(username="colleague1", role=PRIVACY_HANDLER)
    login_as(superuser=True)
    response = client.post(reverse("admin:accounts_user_unlock", args=[colleague.pk]))
    assert response.status_code == 403
    assert not AccessRecord.objects.filter(action="unlock").exists()


# --- The password on the member's page (superusers see the account in full) -------------------


@pytest.mark.policy("9")
def test_a_members_page_links_the_reset_code_not_a_password_form(client, member, login_as):
    login_as(superuser=True)
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk])).content.decode()
    assert 'href="../password/"' not in page
    assert reverse("admin:auth_user_password_change", args=[member.pk]) not in page
    assert f'href="{reverse("admin:accounts_user_reset_code", args=[member.pk])}"' in page
    assert "본인 확인을 마친 뒤 발급하는 일회용 코드" in page


def test_a_withdrawn_members_page_offers_no_reset(client, member, login_as):
    accounts_services.close_account(member=member)
    login_as(superuser=True)
    page = client.get(reverse("admin:accounts_user_change", args=[member.pk])).content.decode()
    assert 'href="../password/"' not in page
    assert reverse("admin:accounts_user_reset_code", args=[member.pk]) not in page


def test_a_staff_accounts_page_keeps_djangos_password_link_for_superusers(
    client, make_staff, login_as
):
    colleague = make_staff(username="colleague1", role=PRIVACY_HANDLER)
    login_as(superuser=True)
    page = client.get(reverse("admin:accounts_user_change", args=[colleague.pk])).content.decode()
    assert 'href="../password/"' in page
