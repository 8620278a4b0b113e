"""Sign-up: exactly the items of policy §1 가, consent to the version in force, §2 가 limits."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accounts.models import Product, User
from privacy.models import Consent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.policy("2 가")

SIGNUP = reverse("accounts:signup")


def signup_data(**overrides):
    data = {
        "username": "newmember",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "company": "Hanbit Systems",
        "project": "Core Banking",
        "product": "nexcore-framework",
        "agree_policy": "on",
        "adult": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.policy("1 가")
def test_member_model_holds_only_the_mandated_items():
    names = {field.name for field in User._meta.concrete_fields}
    assert names == {
        "id",
        "username",
        "password",
        "company",
        "project",
        "product",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
        "closed_at",
    }


@pytest.mark.policy("1 가")
def test_signup_page_asks_for_exactly_the_contract_fields(client, product):
    response = client.get(SIGNUP)
    form = response.context["form"]
    assert list(form.fields) == [
        "username",
        "password1",
        "password2",
        "company",
        "project",
        "product",
        "agree_policy",
        "adult",
    ]
    assert b'name="product"' in response.content and b"<select" in response.content


@pytest.mark.policy("1 나")
def test_signup_creates_member_logs_in_and_redirects(client, product, policy):
    response = client.post(SIGNUP, signup_data(), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
    member = User.objects.get(username="newmember")
    assert (member.company, member.project, member.product) == (
        "Hanbit Systems",
        "Core Banking",
        product,
    )
    assert int(client.session["_auth_user_id"]) == member.pk


@pytest.mark.policy("9 가")
@pytest.mark.production_hasher
def test_password_is_stored_as_an_argon2_hash(client, product):
    client.post(SIGNUP, signup_data())
    member = User.objects.get(username="newmember")
    assert member.password.startswith("argon2$argon2id$")
    cost = f"m={settings.ARGON2_MEMORY_KIB},t={settings.ARGON2_TIME_COST}"
    assert f"{cost},p={settings.ARGON2_PARALLELISM}" in member.password
    assert PASSWORD not in member.password


@pytest.mark.policy("2 가")
def test_signup_records_consent_to_the_version_in_force_with_time_and_ip(client, product, policy):
    client.post(SIGNUP, signup_data(), REMOTE_ADDR="192.0.2.7")
    consent = Consent.objects.get(member__username="newmember")
    assert consent.policy_version == policy
    assert consent.kind == Consent.Kind.SIGNUP
    assert consent.ip == "192.0.2.7"


@pytest.mark.policy("1 가")
def test_fields_beyond_the_policy_are_ignored(client, product):
    client.post(
        SIGNUP,
        signup_data(email="a@example.com", is_staff="on", is_superuser="on", phone="010"),
    )
    member = User.objects.get(username="newmember")
    assert not member.is_staff and not member.is_superuser
    assert not hasattr(member, "email")


@pytest.mark.parametrize("field", ["agree_policy", "adult"])
def test_both_agreements_are_required(client, product, field):
    response = client.post(SIGNUP, signup_data(**{field: None}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(username="newmember").exists()


@pytest.mark.parametrize(
    "username, accepted",
    [
        ("abc", False),
        ("abcd", True),
        ("a" * 20, True),
        ("a" * 21, False),
        ("kim_a.b-c", True),
        ("kim a", False),
        ("김철수abc", False),
        ("kim@a", False),
    ],
)
def test_id_length_and_characters(client, product, username, accepted):
    response = client.post(SIGNUP, signup_data(username=username))
    assert (response.status_code == 302) is accepted
    assert User.objects.filter(username=username.lower()).exists() is accepted


def test_id_is_stored_in_lower_case(client, product):
    client.post(SIGNUP, signup_data(username="Kim.Dev"))
    assert User.objects.filter(username="kim.dev").exists()


def test_id_is_unique_regardless_of_case(client, make_member, product):
    make_member(username="kim.dev")
    response = client.post(SIGNUP, signup_data(username="KIM.DEV"))
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert User.objects.filter(username="kim.dev").count() == 1


def test_forged_product_is_refused(client, product):
    response = client.post(SIGNUP, signup_data(product="no-such-product"))
    assert response.status_code == 200
    assert "product" in response.context["form"].errors
    assert not User.objects.exists()


def test_inactive_product_is_not_offered_nor_accepted(client, product):
    Product.objects.create(name="Retired", slug="retired", active=False)
    response = client.get(SIGNUP)
    assert b'value="retired"' not in response.content
    response = client.post(SIGNUP, signup_data(product="retired"))
    assert "product" in response.context["form"].errors


@pytest.mark.parametrize(
    "password, reason",
    [
        ("short9!", "too short"),
        ("4817362950", "all numeric"),
        ("password123", "common"),
        ("newmember1", "like the ID"),
        ("hanbitsystems", "like the company"),
    ],
)
def test_weak_passwords_are_refused(client, product, password, reason):
    response = client.post(SIGNUP, signup_data(password1=password, password2=password))
    assert response.status_code == 200, reason
    assert "password1" in response.context["form"].errors
    assert not User.objects.exists()


def test_passwords_must_match(client, product):
    response = client.post(SIGNUP, signup_data(password2=PASSWORD + "x"))
    assert "password2" in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("company", ""),
        ("project", "   "),
        ("company", "x" * 101),
        ("project", "a\x00b"),
        ("company", "Acme\u202eCorp"),
        ("project", "zero\u200bwidth"),
        ("username", ""),
    ],
)
def test_bad_values_get_an_error_and_change_nothing(client, product, field, value):
    response = client.post(SIGNUP, signup_data(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.policy("2 가")
def test_one_address_opens_at_most_five_accounts_a_day(client, product, settings):
    assert settings.SIGNUPS_PER_IP_PER_DAY == 5
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        for number in range(5):
            client.post(SIGNUP, signup_data(username=f"member{number}"), REMOTE_ADDR="198.51.100.9")
            client.post(reverse("accounts:logout"))
        refused = client.post(SIGNUP, signup_data(username="member5"), REMOTE_ADDR="198.51.100.9")
        assert refused.status_code == 429
        assert refused.context["form"].non_field_errors()
        assert not User.objects.filter(username="member5").exists()
        other = client.post(SIGNUP, signup_data(username="member6"), REMOTE_ADDR="198.51.100.10")
        assert other.status_code == 302
    client.post(reverse("accounts:logout"))
    with time_machine.travel(
        datetime.datetime(2026, 3, 3, 9, 0, 1, tzinfo=datetime.UTC), tick=False
    ):
        later = client.post(SIGNUP, signup_data(username="member5"), REMOTE_ADDR="198.51.100.9")
        assert later.status_code == 302


def test_company_markup_is_escaped_on_the_pages(client, product):
    client.post(SIGNUP, signup_data(company='<script>alert("x")</script>'))
    client.post(reverse("accounts:reauth"), {"password": PASSWORD})
    page = client.get(reverse("accounts:me"))
    assert b'<script>alert("x")</script>' not in page.content
    assert b"&lt;script&gt;" in page.content


def test_a_logged_in_member_is_sent_home_from_signup(logged_in_client):
    assert logged_in_client.get(SIGNUP).status_code == 302


@pytest.mark.policy("9 가")
def test_a_password_longer_than_128_characters_is_refused_with_a_clear_message(client, product):
    password = "Long-passphrase-" * 9
    response = client.post(SIGNUP, signup_data(password1=password, password2=password))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.has_error("password1", code="max_length")
    assert form.has_error("password2", code="max_length")
    assert "128" in response.content.decode()
    assert not User.objects.filter(username="newmember").exists()
