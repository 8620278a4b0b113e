"""Reads of the knowledge base: published articles, their search, and suggestions for the desk.

Articles are public pages: nothing here reads or returns anyone's personal data.

Search splits the query into words (letters and digits of any script) and requires every word.
On PostgreSQL the words are matched as prefixes of the words of the title and text (full-text
search with the ``simple`` configuration, which splits on spaces and punctuation and knows no
Korean morphology: "연결" finds "연결이" and "연결하기" but not "데이터베이스연결"); articles with
the words in their title come first. When that finds nothing, the words are looked for anywhere
in the titles, so a word inside a Korean compound of a title is still found. On SQLite every
word is looked for anywhere in the title or the text.

A search reads the ids of every match in one query, and then the rows of one page: a second
pass over the matches to count them would cost as much as the search itself (SQLite reads every
text again; PostgreSQL would rank every match again).
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from selfservice.models import Article
from support.models import Inquiry

# A query longer than a title, or with more words than a question has, only costs time.
MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
SUGGESTIONS = 5
# Full-text search configuration: "simple" lowercases and splits, for Korean and English alike.
CONFIG = "simple"
# The expression the GIN index of migration 0003_article_search is built on: a query must use
# exactly this one for PostgreSQL to use the index.
SEARCH_VECTOR = SearchVector("title", "body", config=CONFIG)
# Ranked by the title only: ranking by the text would turn every matching article's text into
# a vector again, a second or more for a common word among 10,000 articles (bench/kb.py).
TITLE_VECTOR = SearchVector("title", config=CONFIG)
# Letters and digits of any script; everything else (punctuation, "_", control characters)
# separates words and never reaches a query.
_WORD = re.compile(r"[^\W_]+")
# What a slug may be (SlugField with allow_unicode).
_SLUG = re.compile(r"[-\w]+")


def published() -> QuerySet[Article]:
    return Article.objects.filter(published=True)


def words(query: str) -> list[str]:
    """The words searched for in ``query``, at most ``MAX_WORDS``, lower-cased."""
    return [word.lower() for word in _WORD.findall(query[:MAX_QUERY_LENGTH])][:MAX_WORDS]


def search_page(*, query: str = "", product: str = "", number=1, per_page: int = 20) -> Page:
    """Page ``number`` (any value: a bad one gives the first or last page) of the published
    articles matching every word of ``query`` (all of them for no words), about the product with
    slug ``product`` when given, each with its products."""
    articles = published()
    if product:
        articles = articles.filter(products__slug=product)
    page = Paginator(_matching_ids(articles, words(query)), per_page).get_page(number)
    rows = Article.objects.prefetch_related("products").in_bulk(page.object_list)
    page.object_list = [rows[pk] for pk in page.object_list]
    return page


def _matching_ids(
    articles: QuerySet[Article], terms: list[str], limit: int | None = None
) -> list[int]:
    """The ids of ``articles`` matching every word, best first (up to ``limit``)."""
    if not terms:
        return list(articles.order_by("title", "pk").values_list("pk", flat=True)[:limit])
    if connection.vendor != "postgresql":
        found = _everywhere(articles, terms, ("title", "body"))
        return list(found.values_list("pk", flat=True)[:limit])
    ids = list(full_text(articles, terms).values_list("pk", flat=True)[:limit])
    if ids:
        return ids
    return list(_everywhere(articles, terms, ("title",)).values_list("pk", flat=True)[:limit])


def full_text(articles: QuerySet[Article], terms: list[str]) -> QuerySet[Article]:
    """PostgreSQL: ``articles`` whose title or text has a word starting with each of ``terms``,
    those with them in the title first."""
    # Each word is letters and digits only (``words``), so the raw tsquery cannot be malformed.
    query = SearchQuery(" & ".join(f"{term}:*" for term in terms), config=CONFIG, search_type="raw")
    return (
        articles.alias(search=SEARCH_VECTOR, rank=SearchRank(TITLE_VECTOR, query))
        .filter(search=query)
        .order_by("-rank", "title", "pk")
    )


def _everywhere(
    articles: QuerySet[Article], terms: list[str], fields: tuple[str, ...]
) -> QuerySet[Article]:
    for term in terms:
        matches = Q()
        for field in fields:
            matches |= Q(**{f"{field}__icontains": term})
        articles = articles.filter(matches)
    return articles.order_by("title", "pk")


def article(slug: str, *, with_products: bool = True) -> Article | None:
    """The published article with ``slug`` (with its products), or None; an address that is no
    slug at all is looked up nowhere."""
    if not _SLUG.fullmatch(slug):
        return None
    articles = published().filter(slug=slug)
    return (articles.prefetch_related("products") if with_products else articles).first()


def suggestions(*, title: str, product=None) -> list[dict]:
    """``support.hooks.suggestions``: up to five published articles matching every word of an
    inquiry's ``title``, about its ``product`` (a Product, or None for any) or about no product
    in particular."""
    terms = words(title)
    if not terms:
        return []
    articles = published()
    if product is not None:
        # One join row per article at most: the one of ``product``, or none at all.
        articles = articles.filter(Q(products=product) | Q(products__isnull=True))
    ids = _matching_ids(articles, terms, limit=SUGGESTIONS)
    rows = Article.objects.only("title", "slug").in_bulk(ids)
    return [
        {"title": rows[pk].title, "url": reverse("kb:article", args=[rows[pk].slug])} for pk in ids
    ]


def article_choices() -> list[tuple[str, str]]:
    """``support.hooks.article_choices``: (slug, title) of every published article."""
    return list(published().order_by("title", "pk").values_list("slug", "title"))


def article_links(slugs: list[str]) -> list[dict]:
    """``support.hooks.article_links``: the published articles of ``slugs`` in that order, each
    with ``title`` and ``url`` (a path of this site)."""
    titles = dict(published().filter(slug__in=slugs).values_list("slug", "title"))
    return [
        {"title": titles[slug], "url": reverse("kb:article", args=[slug])}
        for slug in slugs
        if slug in titles
    ]


def can_draft_from(inquiry: Inquiry) -> bool:
    """Only a resolved inquiry (closed since, or not) has an answer worth an article."""
    return inquiry.resolved_at is not None and inquiry.status in (
        Inquiry.Status.RESOLVED,
        Inquiry.Status.CLOSED,
    )


def draft_tool(*, inquiry: Inquiry, user) -> dict | None:
    """``support.hooks.inquiry_tools``: the button that drafts an article from a resolved
    inquiry's answers, for staff who may add articles."""
    if not (can_draft_from(inquiry) and user.has_perm("selfservice.add_article")):
        return None
    return {
        "label": _("Draft a knowledge-base article"),
        "url": reverse("admin:selfservice_article_draft", args=[inquiry.pk]),
    }
