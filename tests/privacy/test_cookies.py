"""Policy §8: every cookie the site sets is declared, and the cookie page lists them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.conftest import PASSWORD

pytestmark = pytest.mark.policy("8 가")


def declared():
    return {cookie["name"] for cookie in settings.COOKIE_DECLARATION}


def test_main_flows_set_no_undeclared_cookie(client, product, policy):
    set_names = set()

    def visit(method, url, data=None):
        # Every Set-Cookie, redirects included, lands in the client's jar, deleted ones too.
        getattr(client, method)(url, data or {}, follow=True)
        set_names.update(client.cookies.keys())

    for url in (
        "/",
        reverse("privacy:policy"),
        reverse("notices:list"),
        reverse("privacy:cookies"),
    ):
        visit("get", url)
    visit(
        "post",
        reverse("accounts:signup"),
        {
            "username": "cookiejar",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "company": "C",
            "project": "P",
            "product": "nexcore-framework",
            "agree_policy": "on",
            "adult": "on",
        },
    )
    visit("post", reverse("accounts:logout"))
    visit("post", reverse("accounts:login"), {"username": "cookiejar", "password": PASSWORD})
    visit("post", "/i18n/setlang/", {"language": "en", "next": "/"})
    visit("post", reverse("accounts:reauth"), {"password": PASSWORD})
    visit("get", reverse("accounts:me"))
    visit("post", reverse("accounts:logout"))
    assert set_names, "the flows set cookies"
    assert set_names <= declared(), set_names - declared()
    assert {
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
    } <= set_names


def test_cookie_page_lists_each_declared_cookie_with_purpose_and_lifetime(client, db):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("privacy:cookies")).content.decode()
    for cookie in settings.COOKIE_DECLARATION:
        assert f"<code>{cookie['name']}</code>" in html
        assert escape(str(cookie["purpose"])) in html
    assert "12 hours" in html and "52 weeks" in html and "until you close the browser" in html


@pytest.mark.policy("8 나")
def test_reading_the_public_pages_sets_no_cookie(db, policy):
    # CSRF enforced as a browser would meet it: the header's language switch carries no token
    # (core.views.set_language), so that no page sets ``csrftoken`` just by being read.
    client = Client(enforce_csrf_checks=True)
    for url in (
        "/",
        reverse("privacy:policy"),
        reverse("privacy:history"),
        reverse("privacy:cookies"),
        reverse("notices:list"),
        reverse("accounts:recover"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, (url, response.cookies)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert set(client.cookies) == {settings.LANGUAGE_COOKIE_NAME}
