"""Visit records in plain words on my data (policy §7 열람): the page, read or sent, the outcome."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from accounts import visits
from accounts.models import VisitRecord

ME = reverse("accounts:me")


def visit_rows(response) -> list[list[str]]:
    """The visit table's rows on the my-data page: time, IP, page, what was done, outcome."""
    (table,) = [t for t in response.context["record_tables"] if t.key == "visit-visitrecord"]
    return [cells for cells, _due in table.rows]


@pytest.mark.policy("7")
def test_the_reauth_post_reads_as_the_reauth_page_submitted_and_moved_on(reauthed_client):
    response = reauthed_client.get(ME)
    assert ["비밀번호 재확인", "제출", "다른 페이지로 이동"] in [
        row[2:] for row in visit_rows(response)
    ]
    table = response.content.decode().split('id="visit-visitrecord"')[1].split("</section>")[0]
    assert "방문한 페이지" in table and "한 일" in table and "결과" in table
    for raw in ("POST", "/accounts/reauth/", "302"):
        assert raw not in table


@pytest.mark.policy("7")
def test_an_unknown_path_reads_as_a_page_that_does_not_exist(reauthed_client, member):
    VisitRecord.objects.create(member=member, method="GET", path="/wp-admin.php", status=404)
    rows = visit_rows(reauthed_client.get(ME))
    assert rows[0][2:] == ["없는 페이지", "열람", "없는 페이지"]
    assert "/wp-admin.php" not in reauthed_client.get(ME).content.decode()


@pytest.mark.policy("7")
def test_a_query_string_is_never_shown(reauthed_client, member):
    reauthed_client.get("/kb/?q=secret-search-term")
    # Rows stored before the middleware cut query strings are cut when shown.
    VisitRecord.objects.create(
        member=member, method="GET", path="/accounts/me/?token=secret-token", status=200
    )
    page = reauthed_client.get(ME).content.decode()
    csv = reauthed_client.get(reverse("accounts:export_csv")).content.decode("utf-8-sig")
    for text in (page, csv):
        assert "secret-search-term" not in text and "secret-token" not in text
    assert ["내 정보", "열람", "표시됨"] in [row[2:] for row in visit_rows(reauthed_client.get(ME))]


@pytest.mark.policy("7")
def test_a_page_with_an_identifier_names_it_after_the_page(db):
    with translation.override("ko"):
        assert visits.page_name("/kb/install-guide/") == "지식 베이스 문서 (install-guide)"
        assert visits.page_name("/admin/accounts/user/3/change/") == "직원 업무 화면"


@pytest.mark.policy("7")
@pytest.mark.parametrize(
    ("status", "words"),
    [
        (200, "표시됨"),
        (304, "표시됨"),
        (302, "다른 페이지로 이동"),
        (403, "거부됨"),
        (405, "거부됨"),
        (404, "없는 페이지"),
        (429, "시도 제한"),
        (500, "오류"),
    ],
)
def test_each_status_reads_as_words(status, words):
    with translation.override("ko"):
        assert visits.outcome(status) == words


@pytest.mark.policy("7")
@pytest.mark.parametrize(
    ("method", "words"), [("GET", "열람"), ("POST", "제출"), ("PUT", "기타 요청")]
)
def test_each_method_reads_as_words(method, words):
    with translation.override("ko"):
        assert visits.action(method) == words


def named_views(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= named_views(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


@pytest.mark.policy("7")
def test_every_page_of_the_site_has_a_name_in_words():
    # A page added without a name in accounts.visits would read as "a page of this site".
    pages = {name for name in named_views(get_resolver()) if not name.startswith("admin:")}
    assert pages - set(visits.PAGE_NAMES) == set()


@pytest.mark.policy("7")
def test_the_json_export_keeps_the_raw_fields(reauthed_client):
    data = reauthed_client.get(reverse("accounts:export")).json()
    reauth = reverse("accounts:reauth")
    assert {"method": "POST", "path": reauth, "status": 302}.items() <= next(
        visit for visit in data["visit_records"] if visit["path"] == reauth
    ).items()
