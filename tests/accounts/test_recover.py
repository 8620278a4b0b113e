"""Account recovery without e-mail: the page that says how (policy §1 나, §10)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.policy("10")
def test_recover_page_gives_the_support_contact_and_what_is_asked(client, db):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("accounts:recover")).content.decode()
    assert settings.SUPPORT_PHONE in html and f"mailto:{settings.SUPPORT_EMAIL}" in html
    for item in ("ID", "company", "project", "product"):
        assert item in html


@pytest.mark.policy("10")
def test_login_page_links_to_recovery(client, db):
    assert reverse("accounts:recover") in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.policy("10")
def test_support_contact_is_the_one_the_policy_in_force_states(policy):
    assert settings.SUPPORT_PHONE in policy.body
    assert settings.SUPPORT_EMAIL in policy.body
