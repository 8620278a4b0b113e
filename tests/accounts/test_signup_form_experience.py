"""Sign-up as a person fills it in: every error at once, summarised at the top and linked to its
field, each rule's error on the field it is about, plain Korean, and no rule that binds only staff
shown to a member."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from tests.accounts.test_signup import signup_data

SIGNUP = reverse("accounts:signup")

pytestmark = pytest.mark.policy("1 가")


def post(client, **overrides):
    return client.post(SIGNUP, signup_data(**overrides), HTTP_ACCEPT_LANGUAGE="ko")


def summary(response) -> str:
    return response.content.decode().split('<div class="form-errors"')[1].split("</div>")[0]


def test_a_weak_password_is_refused_on_the_password_field(client, product):
    response = post(client, password1="1234567890", password2="1234567890")
    form = response.context["form"]
    assert form.has_error("password1", "password_entirely_numeric")
    assert "password2" not in form.errors
    assert 'href="#id_password1"' in summary(response)


def test_every_error_is_shown_at_once_and_linked_from_the_summary(client, product):
    response = client.post(SIGNUP, {}, HTTP_ACCEPT_LANGUAGE="ko")
    html = summary(response)
    for name in ("username", "password1", "password2", "company", "project", "product"):
        assert f'href="#id_{name}"' in html, name
    assert 'href="#id_agree_policy"' in html and 'href="#id_adult"' in html
    assert response.content.decode().count('class="field has-error') >= 8
    assert not User.objects.exists()


def test_required_fields_are_marked(client, product):
    html = client.get(SIGNUP).content.decode()
    for name in ("username", "password1", "company", "project", "product"):
        assert f'<label for="id_{name}" class="required">' in html, name


def test_a_taken_id_is_said_plainly(client, member):
    response = post(client, username=member.username.upper())
    assert "이미 사용 중인 아이디입니다." in response.content.decode()


def test_an_id_typed_in_capitals_is_kept_in_lower_case_and_the_member_is_told(client, product):
    response = client.post(
        SIGNUP, signup_data(username="NewMember"), HTTP_ACCEPT_LANGUAGE="ko", follow=True
    )
    assert User.objects.get().username == "newmember"
    assert "newmember" in response.content.decode()
    assert "소문자" in response.content.decode()


def test_an_id_typed_in_lower_case_gets_no_such_note(client, product):
    response = client.post(SIGNUP, signup_data(), HTTP_ACCEPT_LANGUAGE="ko", follow=True)
    assert "소문자" not in response.content.decode()


def test_rules_for_staff_passwords_are_not_shown_to_members(client, product, settings):
    html = client.get(SIGNUP, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "비밀번호는 최소 10자 이상이어야 합니다." in html
    assert "직원" not in html and "Staff:" not in html


def test_too_long_a_company_name_is_refused_in_plain_korean(client, product):
    response = post(client, company="가" * 101)
    assert response.context["form"].has_error("company", "max_length")
    html = response.content.decode()
    assert "최대 100자까지 입력할 수 있습니다" in html and "확인하세요" not in html
