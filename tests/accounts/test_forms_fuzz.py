"""Any input to the sign-up and correction forms: a clear error or success, never a 500."""

from __future__ import annotations

import unicodedata

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from privacy.models import Consent

pytestmark = pytest.mark.policy("9 나")

FIELDS = ["username", "password1", "password2", "company", "project", "product"]
text = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", " ", "\x00", "<b>x</b>", "a" * 500, "nexcore-framework", "on", "\u202e", "𝓐𝓑𝓒𝓓"]
)
fuzz_settings = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@fuzz_settings
@given(data=st.fixed_dictionaries({}, optional={name: text for name in FIELDS}))
def test_signup_never_fails_and_saves_nothing_invalid(client, product, policy, data):
    users_before, consents_before = User.objects.count(), Consent.objects.count()
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert (User.objects.count(), Consent.objects.count()) == (users_before, consents_before)


@fuzz_settings
@given(data=st.fixed_dictionaries({}, optional={n: text for n in FIELDS[3:]}))
def test_correction_never_fails_and_changes_nothing_when_invalid(reauthed_client, member, data):
    def stored():
        fresh = User.objects.get(pk=member.pk)
        return fresh.company, fresh.project, fresh.product_id

    before = stored()
    response = reauthed_client.post(reverse("accounts:me_edit"), data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors
        assert stored() == before
    else:
        assert stored()[0] == unicodedata.normalize("NFC", data["company"].strip())


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_on_forms_are_refused_cleanly(client, db, method):
    response = getattr(client, method)(reverse("accounts:signup"))
    assert response.status_code == 405
