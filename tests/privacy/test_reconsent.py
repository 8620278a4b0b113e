"""Notice-only changes inform members; changes to what they consented to ask them to agree again."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from privacy.models import Consent, Notice
from tests.conftest import PASSWORD
from tests.privacy.conftest import login, seoul
from tests.privacy.factories import announce

CONSENT = reverse("privacy:consent")
pytestmark = pytest.mark.policy("12")


@pytest.fixture
def logged_in_after_change(client, member_before_change):
    def change(*, requires_consent):
        announce(
            "2.0",
            now=seoul(2026, 3, 1),
            effective_at=seoul(2026, 3, 10),
            requires_consent=requires_consent,
        )
        login(client, member_before_change)
        return client

    return change


def test_notice_only_change_informs_without_blocking(logged_in_after_change):
    with time_machine.travel(seoul(2026, 3, 11), tick=False):
        client = logged_in_after_change(requires_consent=False)
        response = client.get("/")
    assert response.status_code == 200
    assert response.context["policy_change"]["version"].label == "2.0"


def test_consent_change_sends_the_member_to_agree_again(
    logged_in_after_change, member_before_change
):
    with time_machine.travel(seoul(2026, 3, 11), tick=False):
        client = logged_in_after_change(requires_consent=True)
        response = client.get(reverse("accounts:me_edit"))
        assert response.status_code == 302
        assert response["Location"] == f"{CONSENT}?next=%2Faccounts%2Fme%2Fedit%2F"
        page = client.get(response["Location"])
        assert reverse("privacy:diff", args=["1.0", "2.0"]) in page.content.decode()
        assert reverse("accounts:withdraw") in page.content.decode()
        refused = client.post(CONSENT, {"next": "/"})
        assert refused.status_code == 200 and refused.context["form"].errors
        agreed = client.post(CONSENT, {"agree_policy": "on", "next": "/notices/"})
        assert agreed["Location"] == "/notices/"
        assert client.get("/").status_code == 200
        assert client.get("/").context["policy_change"] is None
    consent = Consent.objects.get(member=member_before_change, kind=Consent.Kind.RECONSENT)
    assert consent.policy_version.label == "2.0"


def test_before_the_change_takes_effect_nobody_is_asked(logged_in_after_change):
    with time_machine.travel(seoul(2026, 3, 9, 23, 59), tick=False):
        client = logged_in_after_change(requires_consent=True)
        assert client.get("/").status_code == 200


def test_a_member_who_declines_can_still_withdraw(logged_in_after_change, member_before_change):
    with time_machine.travel(seoul(2026, 3, 11), tick=False):
        client = logged_in_after_change(requires_consent=True)
        assert client.get(reverse("privacy:policy")).status_code == 200
        client.post(reverse("accounts:reauth"), {"password": PASSWORD})
        response = client.post(
            reverse("accounts:withdraw"), {"password": PASSWORD, "confirm": "on"}
        )
    assert response["Location"] == reverse("accounts:withdrawn")
    assert not User.objects.get(pk=member_before_change.pk).is_active


@pytest.mark.policy("7")
def test_a_member_who_has_not_agreed_may_still_see_download_and_ask_about_their_data(
    logged_in_after_change, member_before_change
):
    with time_machine.travel(seoul(2026, 3, 11), tick=False):
        client = logged_in_after_change(requires_consent=True)
        client.post(reverse("accounts:reauth"), {"password": PASSWORD})
        for name in ("accounts:me", "accounts:export", "accounts:new_request", "accounts:withdraw"):
            assert client.get(reverse(name)).status_code == 200, name
        response = client.post(
            reverse("accounts:new_request"),
            {"kind": "withdrawal", "details": "I do not agree to version 2.0."},
        )
        assert response["Location"] == reverse("accounts:me")
        for path in ("/", reverse("accounts:me_edit"), reverse("accounts:password_change")):
            assert client.get(path)["Location"].startswith(CONSENT), path
    assert member_before_change.privacy_requests.get().kind == "withdrawal"


def test_a_later_notice_only_version_does_not_excuse_an_earlier_consent_change(
    client, member_before_change
):
    announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10), requires_consent=True)
    announce("3.0", now=seoul(2026, 3, 2), effective_at=seoul(2026, 3, 20))
    with time_machine.travel(seoul(2026, 3, 21), tick=False):
        login(client, member_before_change)
        assert client.get("/")["Location"].startswith(CONSENT)
        client.post(CONSENT, {"agree_policy": "on"})
        assert client.get("/").status_code == 200
    assert Consent.objects.get(kind=Consent.Kind.RECONSENT).policy_version.label == "3.0"


def test_members_who_signed_up_under_it_are_not_asked(client, make_member, policy):
    announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10), requires_consent=True)
    with time_machine.travel(seoul(2026, 3, 12), tick=False):
        newcomer = make_member(username="newcomer")
        login(client, newcomer)
        assert client.get("/").status_code == 200


def test_the_notice_says_members_will_be_asked(policy):
    version = announce(
        "2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10), requires_consent=True
    )
    assert "다시 동의" in Notice.objects.get(policy_version=version).body
