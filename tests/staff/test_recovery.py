"""Staff-assisted password reset: verify the caller, issue a one-time code, the member uses it."""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.hashers import check_password, identify_hasher
from django.test import Client
from django.urls import reverse

from accounts.models import IdentityVerification, MemberSession, PasswordResetCode
from staff.models import AccessRecord
from tests.conftest import PASSWORD

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=SEOUL)
NEW_PASSWORD = "copper-meadow-8812"
pytestmark = pytest.mark.policy("7")


def issue(client, member, **overrides):
    data = {
        "company": member.company,
        "project": member.project,
        "product": member.product.slug,
        "channel": "phone",
        **overrides,
    }
    return client.post(reverse("admin:accounts_user_reset_code", args=[member.pk]), data)


def redeem(code, *, username="member01", password=NEW_PASSWORD, ip="198.51.100.20"):
    return Client().post(
        reverse("accounts:recover_code"),
        {"username": username, "code": code, "new_password1": password, "new_password2": password},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def code(client, login_as, member):
    login_as("support_agent")
    with time_machine.travel(NOW, tick=False):
        return issue(client, member).context["code"]


@pytest.mark.parametrize("role", ["support_agent", "privacy_handler"])
def test_verified_caller_gets_a_code_that_resets_the_password(client, login_as, member, role):
    staff = login_as(role)
    member_device = Client()
    member_device.post(reverse("accounts:login"), {"username": "member01", "password": PASSWORD})
    assert MemberSession.objects.filter(member=member).exists()
    with time_machine.travel(NOW, tick=False):
        page = issue(client, member)
    code = page.context["code"]
    assert code and len(code) == 11
    assert "no-store" in page["Cache-Control"]
    stored = PasswordResetCode.objects.get(member=member).code_hash
    assert code.replace("-", "") not in stored
    assert identify_hasher(stored).algorithm == "argon2"
    assert check_password(code.replace("-", ""), stored)
    verification = IdentityVerification.objects.get(kind=IdentityVerification.Kind.STAFF_ASSISTED)
    assert (verification.member, verification.verified_by, verification.channel) == (
        member,
        staff,
        "phone",
    )
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        response = redeem(code.lower())
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert not MemberSession.objects.filter(member=member).exists()
    assert IdentityVerification.objects.filter(
        member=member, kind=IdentityVerification.Kind.RESET_CODE, ip="198.51.100.20"
    ).exists()
    actions = set(AccessRecord.objects.filter(member=member).values_list("action", flat=True))
    assert {AccessRecord.Action.VERIFY, AccessRecord.Action.RESET_CODE} <= actions


def test_wrong_answers_issue_no_code_and_are_recorded(client, login_as, member):
    login_as("support_agent")
    page = issue(client, member, company="Someone Else")
    assert page.context["code"] is None and page.context["form"].non_field_errors()
    assert not PasswordResetCode.objects.exists()
    assert not IdentityVerification.objects.filter(
        kind=IdentityVerification.Kind.STAFF_ASSISTED
    ).exists()
    record = AccessRecord.objects.get(member=member, action=AccessRecord.Action.VERIFY)
    assert "not verified" in record.detail


def test_answers_match_regardless_of_case_and_spacing(client, login_as, member):
    login_as("support_agent")
    page = issue(client, member, company="  acme   CORP ", project="apollo")
    assert page.context["code"]


def test_the_change_is_logged_without_personal_data(code, member, caplog):
    caplog.set_level(logging.DEBUG)
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        assert redeem(code).status_code == 302
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "Password set with a reset code" in text
    for secret in ("member01", code, code.replace("-", ""), NEW_PASSWORD, "198.51.100.20"):
        assert secret not in text


def test_a_code_is_valid_for_thirty_minutes(code, member):
    with time_machine.travel(NOW + datetime.timedelta(minutes=30), tick=False):
        response = redeem(code)
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "코드가 만료되었습니다. 고객지원센터에 다시 요청해 주세요."
    ]
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_a_code_still_works_in_its_last_second(code, member):
    with time_machine.travel(NOW + datetime.timedelta(minutes=30, seconds=-1), tick=False):
        assert redeem(code).status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_a_code_works_once(code, member):
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        assert redeem(code).status_code == 302
        second = redeem(code, password="another-valley-3390")
    assert second.status_code == 200
    assert second.context["form"].errors["code"] == [
        "이미 사용된 코드입니다. 고객지원센터에 다시 요청해 주세요."
    ]
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_a_new_code_cancels_the_previous_one(client, code, member):
    with time_machine.travel(NOW + datetime.timedelta(minutes=2), tick=False):
        newer = issue(client, member).context["code"]
        assert redeem(code).status_code == 200
        assert redeem(newer).status_code == 302


def test_guessed_codes_count_toward_the_lockout(code, member):
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        for _ in range(4):
            assert redeem("AAAAA-AAAAA").status_code == 200
        assert redeem("AAAAA-AAAAA").status_code == 429
        assert redeem(code).status_code == 429
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_code_of_one_member_does_not_open_another(code, make_member):
    make_member(username="other01")
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        assert redeem(code, username="other01").status_code == 200


def test_weak_new_password_is_refused_and_code_kept(code, member):
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        assert redeem(code, password="12345").status_code == 200
        assert redeem(code).status_code == 302


@pytest.mark.parametrize("role", ["support_agent", "privacy_handler"])
def test_no_code_for_staff_accounts(client, login_as, make_staff, role):
    login_as(role)
    colleague = make_staff(username="colleague", role="privacy_handler")
    response = client.post(
        reverse("admin:accounts_user_reset_code", args=[colleague.pk]),
        {"company": "", "project": "", "channel": "phone"},
    )
    assert response.status_code in (403, 404)
    assert not PasswordResetCode.objects.exists()


def test_roles_without_the_permission_cannot_issue_codes(client, login_as, member):
    login_as(username="noroles")
    assert issue(client, member).status_code in (302, 403)
    assert not PasswordResetCode.objects.exists()


def test_expired_codes_are_purged(code, member):
    from retention.services.purge import purge_expired

    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        purge_expired(now=NOW + datetime.timedelta(hours=1))
    assert not PasswordResetCode.objects.exists()


def test_handlers_see_who_issued_which_code_but_never_its_hash(client, login_as, code, member):
    handler = login_as("privacy_handler")
    issued = PasswordResetCode.objects.get(member=member)
    listing = client.get(reverse("admin:accounts_passwordresetcode_changelist"))
    assert listing.status_code == 200
    assert issued.issued_by.username in listing.content.decode()
    detail = client.get(reverse("admin:accounts_passwordresetcode_change", args=[issued.pk]))
    assert detail.status_code == 200
    assert issued.code_hash not in detail.content.decode()
    assert issued.code_hash not in listing.content.decode()
    assert AccessRecord.objects.filter(
        staff=handler, action=AccessRecord.Action.LIST, member=member
    ).exists()
