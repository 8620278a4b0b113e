"""The staff side is the support center's own tool: its name, a heading on every page, and the
staff pages each role uses linked from the admin's first page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.urls import reverse

from staff.roles import PRIVACY_OFFICER, SUPPORT_AGENT

pytestmark = pytest.mark.policy("9 다")


def test_the_login_page_names_the_site_and_has_a_heading(client, db):
    html = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "<h1>직원 로그인</h1>" in html
    assert "NEXCORE 고객지원 관리" in html and "Django" not in html


def test_the_first_page_links_what_the_officer_uses(client, login_as):
    login_as(PRIVACY_OFFICER)
    html = client.get(reverse("admin:index")).content.decode()
    for url in (reverse("staff_dashboard"), reverse("access_review")):
        assert f'href="{url}"' in html
    assert f'href="{reverse("admin:support_inquiry_changelist")}"' in html


def test_the_first_page_links_only_what_an_agent_may_open(client, login_as):
    login_as(SUPPORT_AGENT)
    html = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:support_inquiry_changelist")}"' in html
    assert f'href="{reverse("access_review")}"' not in html


def test_messages_are_a_list_inside_a_live_region(rf, db):
    # A role on the list itself would strip its items of their list (axe: listitem).
    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string("base.html", {"messages": ["저장했습니다."]}, request=request)
    assert '<div role="status">' in html and '<ul class="messages">' in html
    assert "저장했습니다." in html.split('<div role="status">')[1].split("</div>")[0]
