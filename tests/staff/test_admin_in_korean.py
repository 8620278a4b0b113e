"""The staff side reads in Korean: every app and model on the first page, the login records'
screens of django-axes, the second-factor devices of django-otp, roles and their permissions."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from staff.admin.logins import AXES_LABELS
from staff.roles import CONTRACT_MANAGER, PRIVACY_HANDLER, PRIVACY_OFFICER, ROLES, SUPPORT_AGENT
from staff.services import audit
from tests.retention.conftest import make_row

LATIN = re.compile(r"[A-Za-z]")
IN_KOREAN = {
    SUPPORT_AGENT: "고객지원 상담원 (support_agent)",
    PRIVACY_HANDLER: "개인정보취급자 (privacy_handler)",
    PRIVACY_OFFICER: "개인정보 보호책임자 (privacy_officer)",
    CONTRACT_MANAGER: "계약 관리자 (contract_manager)",
}


def texts(page: str, pattern: str) -> list[str]:
    return [html.unescape(text).strip() for text in re.findall(pattern, page, re.DOTALL)]


def first_page_names(page: str) -> list[str]:
    """The app captions and the model names of the admin's first page, as rendered."""
    main = page.split('id="content-main"')[1].split('id="content-related"')[0]
    apps = texts(main, r'class="section"[^>]*>([^<]+)</a>')
    models = texts(main, r'<th scope="row"[^>]*>\s*(?:<a [^>]*>)?([^<]+)')
    return apps + models


def options(page: str, field: str) -> list[str]:
    select = page.split(f'id="id_{field}"')[1].split("</select>")[0]
    return texts(select, r"<option [^>]*>([^<]*)</option>")


@pytest.mark.policy("9")
@pytest.mark.parametrize(
    "role", [SUPPORT_AGENT, PRIVACY_HANDLER, PRIVACY_OFFICER, CONTRACT_MANAGER, None]
)
def test_the_first_page_names_every_app_and_model_in_korean(client, login_as, role):
    if role is None:
        login_as(superuser=True)
    else:
        login_as(role)
    response = client.get(reverse("admin:index"))
    shown = sum(1 + len(app["models"]) for app in response.context["app_list"])
    names = first_page_names(response.content.decode())
    assert len(names) == shown > 0
    assert [name for name in names if LATIN.search(name)] == []


@pytest.mark.policy("9")
def test_the_login_records_and_devices_appear_under_names_of_our_own(client, login_as):
    login_as(superuser=True)
    names = first_page_names(client.get(reverse("admin:index")).content.decode())
    assert {"로그인 실패 집계", "로그인 실패 기록", "로그인 이력", "2단계 인증 기기"} <= set(names)
    for original in ("axes_accessattempt", "axes_accesslog", "otp_totp_totpdevice"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:{original}_changelist")


@pytest.mark.policy("9")
@pytest.mark.parametrize(
    "screen, model", [("failedlogincounter", "axes.accessattempt"),
                      ("failedlogin", "axes.accessfailurelog"),
                      ("loginlog", "axes.accesslog")],
)  # fmt: skip
def test_the_login_record_screens_are_labelled_in_korean(client, login_as, member, screen, model):
    row = make_row(model, at=timezone.now(), member=member, category="")
    login_as(superuser=True)
    pages = [
        client.get(reverse(f"admin:staff_{screen}_changelist")),
        client.get(reverse(f"admin:staff_{screen}_change", args=[row.pk])),
    ]
    with translation.override("ko"):
        untranslated = [label for label in AXES_LABELS if translation.gettext(label) == label]
    assert untranslated == []
    for response in pages:
        assert response.status_code == 200
        page = response.content.decode()
        shown = [
            label for label in AXES_LABELS if re.search(rf">\s*{re.escape(label)}:?\s*<", page)
        ]
        assert shown == [], response.request["PATH_INFO"]


@pytest.mark.policy("9")
def test_the_device_screen_is_labelled_in_korean_and_shows_no_secret(client, login_as):
    ops = login_as(superuser=True)
    device = TOTPDevice.objects.create(user=ops, name="phone", confirmed=True)
    listing = client.get(reverse("admin:staff_secondfactordevice_changelist")).content.decode()
    page = client.get(reverse("admin:staff_secondfactordevice_change", args=[device.pk]))
    text = page.content.decode()
    for label in ("취급자 아이디", "기기 이름", "등록 확인됨", "등록 일시", "마지막 사용 일시"):
        assert label in listing and label in text
    assert device.key not in text and "None" not in text
    assert client.get(reverse("admin:staff_secondfactordevice_add")).status_code == 403


@pytest.mark.law("고시 제5조")
def test_the_role_form_shows_each_permission_in_korean(client, login_as):
    login_as(superuser=True)
    handler = Group.objects.get(name=PRIVACY_HANDLER)
    page = client.get(reverse("admin:auth_group_change", args=[handler.pk])).content.decode()
    labels = options(page, "permissions")
    assert "회원 | 회원 | 회원 보기" in labels
    assert "회원 | 방문에 관한 기록 | 방문에 관한 기록 보기" in labels
    assert "회원 | 회원 | 로그인 실패로 잠긴 회원의 잠금 해제" in labels
    assert "직원 | 로그인 실패 집계 | 로그인 실패 집계 삭제" in labels
    assert [label for label in labels if "Can " in label or "Otp" in label or "Axes" in label] == []


@pytest.mark.law("고시 제5조")
def test_a_staff_accounts_own_permissions_are_in_korean_too(client, login_as, make_staff):
    login_as(superuser=True)
    colleague = make_staff(username="colleague1", role=SUPPORT_AGENT)
    page = client.get(reverse("admin:accounts_user_change", args=[colleague.pk])).content.decode()
    labels = options(page, "user_permissions")
    assert "회원 | 회원 | 회원 데이터를 내보낼 수 있음" in labels
    assert [label for label in labels if "Can " in label] == []


@pytest.mark.law("고시 제5조")
def test_roles_are_named_in_korean_with_their_code(client, login_as, make_staff):
    ops = login_as(superuser=True)
    listing = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert set(IN_KOREAN) == set(ROLES)
    for label in IN_KOREAN.values():
        assert label in listing
    officer = Group.objects.get(name=PRIVACY_OFFICER)
    page = client.get(reverse("admin:auth_group_change", args=[officer.pk])).content.decode()
    assert "<h2>개인정보 보호책임자 (privacy_officer)</h2>" in page
    colleague = make_staff(username="colleague1", role=PRIVACY_HANDLER)
    page = client.get(reverse("admin:accounts_user_change", args=[colleague.pk])).content.decode()
    assert set(options(page, "groups")) == set(IN_KOREAN.values())
    with audit.acting(user=ops, ip=None):
        audit.record_privilege_change(group_name=PRIVACY_HANDLER, change="test")
    changes = client.get(reverse("admin:staff_privilegechange_changelist")).content.decode()
    assert IN_KOREAN[PRIVACY_HANDLER] in changes


@pytest.mark.law("고시 제5조")
def test_a_group_that_is_no_role_keeps_its_name(client, login_as):
    login_as(superuser=True)
    Group.objects.create(name="auditors")
    listing = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert ">auditors<" in listing


@pytest.mark.infra
def test_english_is_still_there_for_who_chose_it(db):
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(User.objects.create_superuser(username="ops02", password="unused-9!"))
    page = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert "Privacy handler (privacy_handler)" in page
