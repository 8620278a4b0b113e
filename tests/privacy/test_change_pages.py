"""Policy §12 as a reader meets it: the announced change on every page a member starts from,
and a diff that shows what changed, rendered, marked for eyes and for screen readers."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from privacy.services import withdraw_policy_version
from tests.conftest import PASSWORD
from tests.privacy.conftest import login, seoul
from tests.privacy.factories import announce

pytestmark = pytest.mark.policy("12")


@pytest.fixture
def reworded(policy):
    """Version 2.0 changes two sections of the 2013 text and drops a line of a third."""
    body = (
        policy.body.replace("| 부정 이용 방지 | 1년 |", "| 부정 이용 방지 | 2년 |")
        .replace("### 가. 쿠키의 사용 목적 {#s8-ga}", "### 가. 쿠키의 사용 목적과 범위 {#s8-ga}")
        .replace("- 종이에 출력된 개인정보는 분쇄기로 분쇄하거나 소각을 통하여 파기합니다.\n", "")
    )
    return announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10), body=body)


def test_the_diff_shows_only_the_changed_sections_rendered_and_marked(client, reworded):
    response = client.get(reverse("privacy:diff", args=["1.0", "2.0"]))
    html = response.content.decode()
    assert [section.anchor for section in response.context["sections"]] == [
        "s5-ga",
        "s6-na",
        "s8-ga",
    ]
    assert "<td><del>1년</del><ins>2년</ins></td>" in html
    assert "<li><del>종이에 출력된 개인정보는" in html
    assert '<h3 id="s8-ga">가. 쿠키의 사용 <del>목적</del><ins>목적과 범위</ins></h3>' in html
    # Rendered, not Markdown source; untouched sections are left out.
    assert "| 부정이용기록" not in html and "###" not in html
    assert "통신비밀보호법" not in html and "수집하는 개인정보의 항목" not in html
    assert reverse("privacy:version", args=["2.0"]) + "#s8-ga" in html


def test_the_same_text_says_so(client, policy):
    announce("2.0", now=seoul(2026, 3, 1), effective_at=seoul(2026, 3, 10), body=policy.body)
    response = client.get(reverse("privacy:diff", args=["1.0", "2.0"]))
    assert response.context["sections"] == []


def test_history_rows_link_to_the_diff_against_the_live_version_before(client, reworded):
    withdrawn = announce("2.1", now=seoul(2026, 3, 2), effective_at=seoul(2026, 3, 20))
    withdraw_policy_version(version=withdrawn, now=seoul(2026, 3, 3))
    announce("3.0", now=seoul(2026, 3, 4), effective_at=seoul(2026, 3, 30))
    with time_machine.travel(seoul(2026, 3, 5), tick=False):
        html = client.get(reverse("privacy:history")).content.decode()
    assert reverse("privacy:diff", args=["1.0", "2.0"]) in html
    assert reverse("privacy:diff", args=["2.0", "3.0"]) in html
    assert "/diff/2.1/" not in html and "/2.1/diff/" not in html


@pytest.mark.parametrize("page", ["home", "accounts:signup", "privacy:policy"])
def test_the_announced_version_is_on_the_pages_members_start_from(client, reworded, page):
    with time_machine.travel(seoul(2026, 3, 5), tick=False):
        html = client.get(reverse(page)).content.decode()
    assert 'class="banner"' in html and "2026-03-10" in html
    assert reverse("privacy:diff", args=["1.0", "2.0"]) in html
    with time_machine.travel(seoul(2026, 3, 10, 0, 1), tick=False):
        html = client.get(reverse(page)).content.decode()
    assert reverse("privacy:diff", args=["1.0", "2.0"]) not in html


def test_the_announced_version_is_on_my_data(client, make_member, reworded):
    with time_machine.travel(seoul(2026, 3, 5), tick=False):
        member = make_member()
        login(client, member)
        client.post(reverse("accounts:reauth"), {"password": PASSWORD})
        html = client.get(reverse("accounts:me")).content.decode()
    assert "2026-03-10" in html and reverse("privacy:version", args=["2.0"]) in html
    assert reverse("privacy:diff", args=["1.0", "2.0"]) in html


def test_a_members_page_reads_the_versions_once_for_the_standing_and_the_banner(
    client, make_member, reworded
):
    with time_machine.travel(seoul(2026, 3, 5), tick=False):
        login(client, make_member())
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("home")).content.decode()
    assert 'class="banner"' in html and reverse("privacy:diff", args=["1.0", "2.0"]) in html
    reads = [query["sql"] for query in queries if query["sql"].startswith("SELECT")]
    assert sum('FROM "privacy_policyversion"' in sql.split("WHERE")[0] for sql in reads) == 1
    # Nor is the text itself read, only what the banner shows.
    assert not any('"privacy_policyversion"."body"' in sql for sql in reads)


def test_no_banner_once_the_announced_version_is_in_force_for_a_member(
    client, make_member, reworded
):
    with time_machine.travel(seoul(2026, 3, 10, 0, 1), tick=False):
        login(client, make_member())
        html = client.get(reverse("home")).content.decode()
    assert reverse("privacy:diff", args=["1.0", "2.0"]) not in html


def test_a_version_not_yet_in_force_says_so_and_names_the_one_that_is(client, reworded):
    with time_machine.travel(seoul(2026, 3, 5), tick=False):
        upcoming = client.get(reverse("privacy:version", args=["2.0"])).content.decode()
        current = client.get(reverse("privacy:version", args=["1.0"])).content.decode()
    banner = upcoming.split('<aside class="banner" role="note">')[1].split("</aside>")[0]
    assert "2026-03-10" in banner and "1.0" in banner and reverse("privacy:policy") in banner
    assert 'class="banner" role="note"' not in current


def test_the_contents_fold_away_on_a_narrow_screen(client, policy):
    html = client.get(reverse("privacy:policy")).content.decode()
    assert '<details class="toc-narrow">' in html and 'class="toc-wide"' in html
