"""Withdrawal (회원탈퇴, policy §7): closed at once, everywhere, for good."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import MemberSession, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.policy("7")

WITHDRAW = reverse("accounts:withdraw")


@pytest.mark.policy("7")
def test_withdrawal_closes_the_account_at_once(reauthed_client, member):
    response = reauthed_client.post(WITHDRAW, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:withdrawn")
    member.refresh_from_db()
    assert not member.is_active
    assert member.closed_at is not None
    assert not member.has_usable_password()
    assert member.password.startswith("!")
    assert "_auth_user_id" not in reauthed_client.session


@pytest.mark.policy("7")
def test_withdrawal_ends_every_session_everywhere(reauthed_client, member):
    devices = [Client(), Client()]
    for device in devices:
        device.post(reverse("accounts:login"), {"username": member.username, "password": PASSWORD})
    assert MemberSession.objects.filter(member=member).count() == 3
    reauthed_client.post(WITHDRAW, {"password": PASSWORD, "confirm": "on"})
    assert not MemberSession.objects.filter(member=member).exists()
    for device in devices:
        assert device.get(reverse("accounts:me"))["Location"].startswith(reverse("accounts:login"))


def test_a_withdrawn_member_cannot_log_in(reauthed_client, member, client):
    reauthed_client.post(WITHDRAW, {"password": PASSWORD, "confirm": "on"})
    response = client.post(
        reverse("accounts:login"), {"username": member.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_withdrawn_id_cannot_sign_up_again(reauthed_client, member, client):
    reauthed_client.post(WITHDRAW, {"password": PASSWORD, "confirm": "on"})
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": member.username,
            "password1": "lantern-quiet-7731",
            "password2": "lantern-quiet-7731",
            "company": "X",
            "project": "Y",
            "product": "nexcore-framework",
            "agree_policy": "on",
            "adult": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert User.objects.filter(username=member.username).count() == 1


@pytest.mark.parametrize(
    "data", [{"password": PASSWORD}, {"password": "wrong", "confirm": "on"}, {}]
)
def test_withdrawal_needs_the_password_and_the_confirmation(reauthed_client, member, data):
    response = reauthed_client.post(WITHDRAW, data)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.is_active and member.closed_at is None and member.check_password(PASSWORD)


@pytest.mark.policy("7")
def test_the_withdraw_page_suggests_downloading_first(reauthed_client):
    html = reauthed_client.get(WITHDRAW).content.decode()
    before_the_form = html.split('<form method="post" novalidate')[0]
    assert "먼저 사본을 보관하세요" in before_the_form
    for name in ("export_csv", "export", "print"):
        assert f'href="{reverse(f"accounts:{name}")}"' in before_the_form


@pytest.mark.policy("5")
def test_the_done_page_lists_what_is_kept_and_for_how_long(client, db):
    response = client.get(reverse("accounts:withdrawn"))
    html = response.content.decode()
    kept = {entry.label: entry.months for entry in response.context["kept"]}
    for label, months in {
        "방문에 관한 기록": 3,
        "본인확인에 관한 기록": 6,
        "부정이용기록": 12,
        "소비자의 불만 또는 분쟁처리에 관한 기록": 36,
        "계약 또는 청약철회 등에 관한 기록": 60,
        "대금결제 및 재화 등의 공급에 관한 기록": 60,
    }.items():
        assert kept[label] == months
        assert f"<tr><td>{label}</td><td>{months}개월</td>" in html
    assert "통신비밀보호법" in html and "전자상거래 등에서의 소비자보호에 관한 법률" in html


@pytest.mark.policy("5")
def test_the_done_page_says_the_id_cannot_be_reused_while_records_are_kept(client, db):
    html = client.get(reverse("accounts:withdrawn")).content.decode()
    assert "누구도 이 아이디로 다시 가입할 수 없습니다" in html
    assert "오늘부터 60개월 동안" in html


def test_the_done_page_reads_nothing_from_the_database(client, db, django_assert_num_queries):
    # Only the visit record of the request itself: the periods come from the registry.
    with django_assert_num_queries(1):
        assert client.get(reverse("accounts:withdrawn")).status_code == 200


@pytest.mark.policy("7")
def test_after_withdrawal_the_member_lands_on_the_done_page_with_the_periods(
    reauthed_client, member
):
    response = reauthed_client.post(WITHDRAW, {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert response.request["PATH_INFO"] == reverse("accounts:withdrawn")
    assert "보존되는 기록과 보존 기간" in response.content.decode()
