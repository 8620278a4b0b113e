"""The public knowledge base: search, product filter, articles, "was this helpful?", and the
suggestions on the new-inquiry page. No login, no personal data and no cookie of its own."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Product, VisitRecord
from selfservice.models import Article
from selfservice.selectors import kb
from support.models import Inquiry
from tests.support.conftest import PNG, inquiry_form, upload

pytestmark = pytest.mark.feature

LIST = reverse("kb:list")
SUGGEST = reverse("kb:suggest")
NEW_INQUIRY = reverse("support:new")


def article_url(article) -> str:
    return reverse("kb:article", args=[article.slug])


def helpful_url(article) -> str:
    return reverse("kb:helpful", args=[article.slug])


def listed(response) -> list[str]:
    assert response.status_code == 200
    page = response.context["page"]
    return [article.title for article in page.object_list] if page else []


def anonymous() -> Client:
    # CSRF enforced as in a browser: a page that needed a token would fail here.
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def other_product(db):
    return Product.objects.get(slug="nexcore-batch")


# --- The list and its search ---------------------------------------------------------------------


def test_anyone_sees_the_published_articles_without_logging_in(make_article):
    make_article("Batch stops at midnight")
    make_article("Draft not yet reviewed", published=False)
    assert listed(anonymous().get(LIST)) == ["Batch stops at midnight"]


def test_search_finds_a_word_of_the_title_or_of_the_text(make_article):
    make_article("Scheduler restarts", body="Nothing about it here.")
    make_article("Log rotation", body="The scheduler writes its log daily.")
    make_article("Unrelated", body="Nothing to see.")
    found = listed(anonymous().get(LIST, {"q": "Scheduler"}))
    assert sorted(found) == ["Log rotation", "Scheduler restarts"]


def test_search_requires_every_word(make_article):
    make_article("Batch job stops", body="At midnight the batch job stops.")
    make_article("Batch job starts late", body="In the morning.")
    assert listed(anonymous().get(LIST, {"q": "batch midnight"})) == ["Batch job stops"]


def test_search_finds_korean_words_with_particles_and_inside_compounds(make_article):
    make_article("데이터베이스연결 오류", body="연결이 끊기면 다시 시도합니다.")
    make_article("로그 보관", body="로그는 30일 보관합니다.")
    # A word followed by a particle in the text, and a word inside a compound of the title.
    assert listed(anonymous().get(LIST, {"q": "연결"})) == ["데이터베이스연결 오류"]
    assert listed(anonymous().get(LIST, {"q": "데이터베이스연결"})) == ["데이터베이스연결 오류"]


def test_a_search_without_words_lists_every_published_article(make_article):
    make_article("B article")
    make_article("A article")
    assert listed(anonymous().get(LIST, {"q": "  ?! "})) == ["A article", "B article"]


def test_unpublished_articles_are_never_found(make_article):
    make_article("Secret draft", body="scheduler", published=False)
    assert listed(anonymous().get(LIST, {"q": "scheduler"})) == []
    assert listed(anonymous().get(LIST, {"q": "secret"})) == []


def test_the_product_filter_lists_that_products_articles(make_article, product, other_product):
    make_article("Framework tuning", products=[product])
    make_article("Batch tuning", products=[other_product])
    make_article("General tuning")
    client = anonymous()
    assert listed(client.get(LIST, {"product": other_product.slug})) == ["Batch tuning"]
    assert listed(client.get(LIST, {"q": "tuning", "product": product.slug})) == [
        "Framework tuning"
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 201},
        {"q": "nul\x00byte"},
        {"q": "bell\x07"},
        {"product": "no-such-product"},
        {"product": "nul\x00"},
        {"product": ["a", "b"], "q": ["c", "d"]},
    ],
)
def test_bad_search_input_gets_a_message_never_a_500(make_article, params):
    make_article("Batch stops")
    response = anonymous().get(LIST, params)
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_valid()
    assert listed(response) == []
    html = response.content.decode()
    for messages in form.errors.values():
        assert all(escape(message) in html for message in messages), html


@pytest.mark.parametrize("page", ["abc", "0", "-1", "999", "\x00"])
def test_any_page_number_shows_a_page(make_article, page):
    make_article("Batch stops")
    assert listed(anonymous().get(LIST, {"page": page})) == ["Batch stops"]


def test_the_list_is_paginated_and_the_next_page_keeps_the_search(make_article):
    for n in range(25):
        make_article(f"Batch note {n:02d}")
    make_article("Other subject")
    response = anonymous().get(LIST, {"q": "batch"})
    assert len(listed(response)) == 20
    html = response.content.decode()
    assert re.search(r'href="\?q=batch&amp;page=2"', html), html
    assert len(listed(anonymous().get(LIST, {"q": "batch", "page": 2}))) == 5


@pytest.mark.parametrize("query", ["", "batch", "데이터베이스연결"])
@pytest.mark.infra
def test_the_list_runs_a_fixed_number_of_queries(
    make_article, product, query, django_assert_max_num_queries
):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert anonymous().get(LIST, {"q": query}).status_code == 200
        return len(captured)

    make_article("Batch one", products=[product], body="데이터베이스연결")
    few = count()
    for n in range(30):
        make_article(f"Batch {n}", products=[product], body="데이터베이스연결")
    assert count() == few
    # The catalog, the count, the page, its products, the visit record (and on PostgreSQL the
    # check whether full-text search found anything).
    with django_assert_max_num_queries(6):
        anonymous().get(LIST, {"q": query})


# --- An article ----------------------------------------------------------------------------------


@pytest.mark.policy("9 나")
def test_an_article_shows_its_markdown_as_html_without_any_script(make_article):
    article = make_article(
        "Safe text",
        body=(
            "## Steps\n\n1. **Stop** the batch\n\n<script>alert(1)</script>\n\n"
            '<img src=x onerror="alert(2)">\n\n[click](javascript:alert(3))'
        ),
    )
    html = anonymous().get(article_url(article)).content.decode()
    assert "<h2" in html and "<strong>Stop</strong>" in html
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


@pytest.mark.infra
def test_an_article_page_runs_a_fixed_number_of_queries(
    make_article, product, other_product, django_assert_max_num_queries
):
    article = make_article("Batch stops", products=[product, other_product])
    # The article, its products, the visit record.
    with django_assert_max_num_queries(3):
        response = anonymous().get(article_url(article))
    assert response.status_code == 200
    assert "NEXCORE Batch" in response.content.decode()


@pytest.mark.parametrize("slug", ["no-such-article", "bad!slug", "%ED%95%9C", "a" * 300])
def test_an_unknown_address_is_404(db, slug):
    assert anonymous().get(f"/kb/{slug}/").status_code == 404
    assert anonymous().post(f"/kb/{slug}/helpful/", {"answer": "yes"}).status_code == 404


def test_an_unpublished_article_is_404_and_takes_no_answer(make_article):
    article = make_article("Draft", published=False)
    assert anonymous().get(article_url(article)).status_code == 404
    assert anonymous().post(helpful_url(article), {"answer": "yes"}).status_code == 404
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (0, 0)


def test_a_korean_slug_is_an_address_of_its_own(make_article):
    article = make_article("배치 작업이 멈춤", slug="배치-작업이-멈춤")
    assert article_url(article) == (
        "/kb/%EB%B0%B0%EC%B9%98-%EC%9E%91%EC%97%85%EC%9D%B4-%EB%A9%88%EC%B6%A4/"
    )
    assert anonymous().get(article_url(article)).status_code == 200


# --- Was this helpful? ---------------------------------------------------------------------------


def test_yes_and_no_are_counted_and_the_visitor_is_thanked(make_article):
    article = make_article()
    client = anonymous()
    response = client.post(helpful_url(article), {"answer": "yes"})
    assert response.status_code == 302
    assert response["Location"] == article_url(article) + "?thanks=1#helpful"
    client.post(helpful_url(article), {"answer": "yes"})
    client.post(helpful_url(article), {"answer": "no"})
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (2, 1)
    page = client.get(response["Location"])
    assert page.context["thanks"] is True
    assert 'name="answer"' not in page.content.decode()


@pytest.mark.policy("8 나")
def test_reading_an_article_and_answering_set_no_cookie(make_article):
    article = make_article()
    client = anonymous()
    for response in (
        client.get(LIST, {"q": "batch"}),
        client.get(article_url(article)),
        client.post(helpful_url(article), {"answer": "no"}),
        client.get(article_url(article) + "?thanks=1"),
        client.post(SUGGEST, {"q": "batch"}),
    ):
        assert response.status_code in (200, 302)
        assert not response.cookies, response.cookies
        assert "Set-Cookie" not in response.headers
    assert not client.cookies
    page = client.get(article_url(article)).content.decode()
    assert "csrfmiddlewaretoken" not in page


@pytest.mark.policy("8 나")
def test_the_language_switch_works_without_a_token_or_cookie(make_article):
    article = make_article()
    client = anonymous()
    response = client.post("/i18n/setlang/", {"language": "en", "next": article_url(article)})
    assert response.status_code == 302
    assert response["Location"] == article_url(article)
    assert set(client.cookies) == {"django_language"}
    assert "Was this helpful?" in client.get(article_url(article)).content.decode()


@pytest.mark.parametrize("data", [{}, {"answer": "maybe"}, {"answer": ""}, {"answer": "\x00"}])
def test_a_bad_answer_is_refused_with_a_message_and_counts_nothing(make_article, data):
    article = make_article()
    response = anonymous().post(helpful_url(article), data)
    assert response.status_code == 400
    assert response.context["reason"]
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (0, 0)


def test_answers_are_taken_only_by_post(make_article):
    article = make_article()
    assert anonymous().get(helpful_url(article), {"answer": "yes"}).status_code == 405


@pytest.mark.policy("1 가")
def test_an_answer_is_stored_as_a_count_only(make_article, logged_in_client, member):
    article = make_article()
    # Every request writes its visit record (policy §1 나: method, path, status), which names
    # no answer; nothing else may gain a row.
    tables = [name for name in connection.introspection.table_names() if "visit" not in name]
    before = {table: _rows(table) for table in tables}
    logged_in_client.post(helpful_url(article), {"answer": "yes"})
    assert {table for table in tables if _rows(table) != before[table]} == set()
    article.refresh_from_db()
    assert article.helpful_yes == 1
    visit = VisitRecord.objects.filter(member=member).latest("time")
    assert (visit.method, visit.path) == ("POST", f"/kb/{article.slug}/helpful/")


def _rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from introspection
        return cursor.fetchone()[0]


# --- Suggestions on the new-inquiry page ---------------------------------------------------------


@pytest.mark.policy("1 가")
def test_find_articles_shows_matches_keeps_the_typed_form_and_creates_nothing(
    logged_in_client, member, make_article
):
    make_article("Batch job stops at midnight", slug="batch-midnight")
    make_article("Printer setup", slug="printer")
    data = inquiry_form(member, title="batch stops", body="My typed text\nline two")
    response = logged_in_client.post(NEW_INQUIRY, {**data, "action": "suggest"})
    assert response.status_code == 200
    assert response.context["suggestions"] == [
        {"title": "Batch job stops at midnight", "url": "/kb/batch-midnight/"}
    ]
    html = response.content.decode()
    assert 'href="/kb/batch-midnight/"' in html and "/kb/printer/" not in html
    assert 'value="batch stops"' in html
    assert "My typed text\nline two</textarea>" in html
    assert f'value="{data["submission"]}"' in html
    assert not response.context["form"].errors
    assert not Inquiry.objects.exists()
    # The form sent afterwards, with the same token, makes the inquiry.
    sent = logged_in_client.post(NEW_INQUIRY, data)
    assert sent.status_code == 302
    assert Inquiry.objects.get().title == "batch stops"


def test_find_articles_says_so_when_nothing_matches(logged_in_client, member, make_article):
    make_article("Printer setup")
    data = inquiry_form(member, title="batch stops")
    response = logged_in_client.post(NEW_INQUIRY, {**data, "action": "suggest"})
    assert response.context["suggestions"] == []
    assert 'class="kb-no-match"' in response.content.decode()


def test_find_articles_prefers_the_inquirys_product_and_general_articles(
    logged_in_client, member, make_article, product, other_product
):
    make_article("Batch on the framework", products=[product])
    make_article("Batch in general")
    make_article("Batch on the batch product", products=[other_product])
    data = inquiry_form(member, title="batch")
    response = logged_in_client.post(NEW_INQUIRY, {**data, "action": "suggest"})
    assert {s["title"] for s in response.context["suggestions"]} == {
        "Batch on the framework",
        "Batch in general",
    }


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "x" * 5000},
        {"title": "nul\x00 batch", "body": "\x00"},
        {"product": "nul\x00", "category": "\x00"},
        {"product": "no-such-product", "submission": "forged"},
        {"title": None, "body": None, "product": None, "category": None, "submission": None},
        {"title": "'; DROP TABLE selfservice_article; --"},
        {"title": "batch:* | !x & (y"},
    ],
)
def test_find_articles_never_fails_whatever_was_typed(
    logged_in_client, member, make_article, overrides
):
    make_article("Batch stops")
    data = inquiry_form(member, **overrides)
    response = logged_in_client.post(NEW_INQUIRY, {**data, "action": "suggest"})
    assert response.status_code == 200
    assert not Inquiry.objects.exists()
    assert Article.objects.count() == 1


def test_find_articles_tells_the_member_to_choose_files_again(logged_in_client, member):
    data = {**inquiry_form(member), "action": "suggest", "attachments": upload("a.png", PNG)}
    response = logged_in_client.post(NEW_INQUIRY, data)
    assert response.context["files_dropped"] is True
    assert not Inquiry.objects.exists()


def test_the_new_inquiry_page_loads_its_suggestion_script_from_a_file(logged_in_client):
    response = logged_in_client.get(NEW_INQUIRY)
    html = response.content.decode()
    assert '<script src="/static/js/kb-suggest.js" defer></script>' in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, "no inline script"
    assert f'data-suggest-url="{SUGGEST}"' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_suggestion_endpoint_answers_json(make_article, product, other_product):
    make_article("Batch on the framework", slug="batch-framework", products=[product])
    make_article("Batch on the batch product", products=[other_product])
    make_article("Hidden batch", published=False)
    response = anonymous().post(SUGGEST, {"q": "batch", "product": product.slug})
    assert response.status_code == 200
    assert response.json() == {
        "articles": [{"title": "Batch on the framework", "url": "/kb/batch-framework/"}]
    }
    assert anonymous().post(SUGGEST, {"q": ""}).json() == {"articles": []}


@pytest.mark.parametrize("params", [{"q": "x" * 201}, {"q": "\x00"}, {"product": "nope"}])
def test_the_suggestion_endpoint_refuses_bad_input_with_400(db, params):
    response = anonymous().post(SUGGEST, params)
    assert response.status_code == 400
    assert response.json()["articles"] == []


@pytest.mark.infra
def test_the_suggestion_endpoint_runs_a_fixed_number_of_queries(
    make_article, product, django_assert_max_num_queries
):
    for n in range(12):
        make_article(f"Batch {n}", products=[product])
    # The catalog, the product, the articles, the visit record (and on PostgreSQL the check
    # whether full-text search found anything).
    with django_assert_max_num_queries(5):
        response = anonymous().post(SUGGEST, {"q": "batch", "product": product.slug})
    assert len(response.json()["articles"]) == 5


def test_the_header_links_the_knowledge_base_for_everyone(db, logged_in_client):
    for client in (anonymous(), logged_in_client):
        assert f'href="{LIST}"' in client.get("/").content.decode()


# --- PostgreSQL's index --------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index is PostgreSQL's")
def test_postgresql_searches_through_the_full_text_index(make_article):
    make_article("Batch stops")
    queryset = kb.full_text(kb.published(), kb.words("batch stops"))
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = queryset.explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "selfservice_article_search" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite lists by title only")
def test_postgresql_lists_the_articles_with_the_words_in_their_title_first(make_article):
    make_article("A log rotation", body="The scheduler writes its log daily.")
    make_article("Z scheduler restarts", body="Restart it.")
    assert listed(anonymous().get(LIST, {"q": "schedul"})) == [
        "Z scheduler restarts",
        "A log rotation",
    ]


@pytest.mark.policy("9 나")
def test_the_typed_title_never_travels_in_an_address(db, make_article):
    """No personal data in URLs: a title may name a person, so it goes in the request's body."""
    make_article("Batch stops")
    assert anonymous().get(SUGGEST, {"q": "Batch"}).status_code == 405
    assert anonymous().post(SUGGEST, {"q": "Batch"}).json()["articles"]
