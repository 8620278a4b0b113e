"""After a new version takes effect, a member sees once that the policy changed (§12)."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from privacy.models import Consent
from tests.conftest import PASSWORD
from tests.privacy.conftest import login, seoul
from tests.privacy.factories import announce

pytestmark = pytest.mark.policy("12")


def test_no_banner_before_the_change_takes_effect(client, member_before_change):
    announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10))
    with time_machine.travel(seoul(2026, 3, 9, 12), tick=False):
        login(client, member_before_change)
        assert client.get("/").context["policy_change"] is None


def test_banner_after_the_change_links_text_and_diff_until_dismissed(client, member_before_change):
    version = announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10))
    with time_machine.travel(seoul(2026, 3, 10, 9), tick=False):
        login(client, member_before_change)
        html = client.get("/").content.decode()
        assert reverse("privacy:version", args=["2.0"]) in html
        assert reverse("privacy:diff", args=["1.0", "2.0"]) in html
        assert "2026-03-10" in html
        response = client.post(reverse("privacy:acknowledge"), {"next": "/notices/"})
        assert response["Location"] == "/notices/"
        assert client.get("/").context["policy_change"] is None
    ack = Consent.objects.get(member=member_before_change, kind=Consent.Kind.ACKNOWLEDGEMENT)
    assert (ack.policy_version, ack.given_at) == (version, seoul(2026, 3, 10, 9))


def test_acknowledging_twice_records_once(client, member_before_change):
    announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10))
    with time_machine.travel(seoul(2026, 3, 11), tick=False):
        login(client, member_before_change)
        client.post(reverse("privacy:acknowledge"))
        client.post(reverse("privacy:acknowledge"))
    assert Consent.objects.filter(kind=Consent.Kind.ACKNOWLEDGEMENT).count() == 1


def test_members_who_signed_up_under_the_new_version_see_no_banner(client, make_member, policy):
    announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10))
    with time_machine.travel(seoul(2026, 3, 12), tick=False):
        member = make_member(username="newcomer")
        login(client, member)
        assert client.get("/").context["policy_change"] is None


def test_acknowledge_is_post_only_and_for_members(client, member_before_change):
    assert client.post(reverse("privacy:acknowledge"))["Location"].startswith(
        reverse("accounts:login")
    )
    login(client, member_before_change)
    assert client.get(reverse("privacy:acknowledge")).status_code == 405


def test_my_data_shows_the_versions_agreed_to(client, member_before_change):
    announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10))
    with time_machine.travel(seoul(2026, 3, 11), tick=False):
        login(client, member_before_change)
        client.post(reverse("privacy:acknowledge"))
        client.post(reverse("accounts:reauth"), {"password": PASSWORD})
        page = client.get(reverse("accounts:me"))
    consents = list(page.context["consents"])
    assert [c.policy_version.label for c in consents] == ["2.0", "1.0"]
    # Each consent links to the text that was agreed to, not to whatever is in force now.
    for label in ("1.0", "2.0"):
        assert f'href="{reverse("privacy:version", args=[label])}"' in page.content.decode()
