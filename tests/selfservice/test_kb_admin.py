"""The knowledge base in admin: articles, links to them in staff answers, and drafts made from a
resolved inquiry's answers without the member's data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from selfservice.models import Article
from staff.models import AccessRecord
from staff.roles import CONTRACT_MANAGER, PRIVACY_HANDLER, PRIVACY_OFFICER, SUPPORT_AGENT
from support import services
from support.models import Inquiry
from tests.support.conftest import detail

pytestmark = pytest.mark.feature

ARTICLES = reverse("admin:selfservice_article_changelist")
ADD_ARTICLE = reverse("admin:selfservice_article_add")

# A member whose ID, company and project must never reach a public article.
MEMBER = {"username": "kimsecret7", "company": "Hanbit Logistics", "project": "Nightowl ERP"}
MEMBER_TEXT = "Our server kimsecret7-db at Hanbit Logistics stops every night."
ANSWER = "Set scheduler.restart=true in batch.properties and restart the batch server."
NOTE = "Called the customer's engineer; internal only."


def article_form(**overrides) -> dict:
    data = {
        "title": "배치 스케줄러 재시작",
        "slug": "배치-스케줄러-재시작",
        "tags": "batch, scheduler",
        "body": "## 방법\n\n`scheduler.restart=true`",
        "published": "on",
        "last_reviewed_on": "2026-11-01",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def reply_url(inquiry) -> str:
    return reverse("admin:support_inquiry_reply", args=[inquiry.pk])


def draft_url(inquiry) -> str:
    return reverse("admin:selfservice_article_draft", args=[inquiry.pk])


def inquiry_page(inquiry) -> str:
    return reverse("admin:support_inquiry_change", args=[inquiry.pk])


@pytest.fixture
def open_inquiry(member):
    def make() -> Inquiry:
        return services.open_inquiry(
            member=member,
            product=member.product,
            category="question",
            title="Batch job stops at midnight",
            body="Since the upgrade the nightly batch stops.",
        )

    return make


@pytest.fixture
def secret_member(make_member):
    return make_member(**MEMBER)


@pytest.fixture
def resolved_inquiry(secret_member, make_staff):
    """A resolved inquiry: the member's message, a staff answer and an internal note."""
    agent = make_staff(username="answerer", role=SUPPORT_AGENT)
    inquiry = services.open_inquiry(
        member=secret_member,
        product=secret_member.product,
        category="defect",
        title="Nightowl ERP batch stops",
        body=MEMBER_TEXT,
    )
    services.staff_reply(inquiry=inquiry, staff=agent, body=ANSWER)
    services.staff_reply(inquiry=inquiry, staff=agent, body=NOTE, internal=True)
    services.resolve(inquiry=inquiry, by=secret_member)
    inquiry.refresh_from_db()
    return inquiry


# --- Articles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [SUPPORT_AGENT, PRIVACY_HANDLER, PRIVACY_OFFICER])
def test_the_desks_roles_write_an_article_with_a_korean_slug(client, login_as, product, role):
    login_as(role=role)
    response = client.post(ADD_ARTICLE, article_form(products=[product.pk]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.slug == "배치-스케줄러-재시작"
    assert list(article.products.all()) == [product]
    assert client.get(reverse("kb:article", args=[article.slug])).status_code == 200


def test_a_contract_manager_cannot_write_articles(client, login_as):
    login_as(role=CONTRACT_MANAGER)
    assert client.get(ADD_ARTICLE).status_code == 403
    assert client.post(ADD_ARTICLE, article_form()).status_code == 403
    assert not Article.objects.exists()


def test_the_add_page_fills_the_slug_from_a_korean_title(client, login_as):
    login_as(role=SUPPORT_AGENT)
    html = client.get(ADD_ARTICLE).content.decode()
    assert "&quot;allowUnicode&quot;: true" in html


def test_a_duplicate_slug_gets_a_clear_message(client, login_as, make_article):
    make_article("First", slug="batch-restart")
    login_as(role=SUPPORT_AGENT)
    response = client.post(ADD_ARTICLE, article_form(slug="batch-restart"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.has_error("slug", code="unique")
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    "slug, code",
    [("", "required"), ("배치 재시작", "invalid"), ("a/b", "invalid"), ("suggest", "reserved")],
)
def test_a_missing_bad_or_reserved_slug_is_refused(client, login_as, slug, code):
    login_as(role=SUPPORT_AGENT)
    response = client.post(ADD_ARTICLE, article_form(slug=slug))
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("slug", code=code)
    assert not Article.objects.exists()


def test_the_list_shows_helpful_counts_and_is_searched_and_filtered(
    client, login_as, make_article, product, django_assert_max_num_queries
):
    found = make_article("Scheduler restart", products=[product], body="batch.properties")
    make_article("Printer", published=False)
    Article.objects.filter(pk=found.pk).update(helpful_yes=7, helpful_no=2)
    login_as(role=SUPPORT_AGENT)
    with django_assert_max_num_queries(12):
        response = client.get(ARTICLES)
    html = response.content.decode()
    assert "Scheduler restart" in html and "Printer" in html
    assert '<td class="field-helpful_yes">7</td>' in html
    assert '<td class="field-helpful_no">2</td>' in html
    for params in (
        {"q": "properties"},
        {"published__exact": "1"},
        {"products__id__exact": product.pk},
    ):
        listed = client.get(ARTICLES, params).context["cl"].result_list
        assert [article.pk for article in listed] == [found.pk], params


@pytest.mark.policy("9 나")
def test_the_change_page_previews_the_markdown_safely(client, login_as, make_article):
    article = make_article(body="**bold** <script>alert(1)</script>")
    login_as(role=SUPPORT_AGENT)
    html = client.get(reverse("admin:selfservice_article_change", args=[article.pk])).content
    assert b"<strong>bold</strong>" in html and b"<script>alert(1)" not in html


# --- Links in answers ----------------------------------------------------------------------------


def test_an_answer_links_articles_that_the_member_can_click(
    client, login_as, open_inquiry, make_article, member
):
    restart = make_article("Scheduler restart", slug="scheduler-restart")
    korean = make_article("배치 재시작", slug="배치-재시작")
    make_article("Unpublished", slug="unpublished", published=False)
    inquiry = open_inquiry()
    login_as(role=SUPPORT_AGENT)
    page = client.get(inquiry_page(inquiry)).content.decode()
    assert 'value="scheduler-restart"' in page and 'value="unpublished"' not in page
    client.post(
        reply_url(inquiry),
        {"reply-body": "Please see these.", "reply-articles": [restart.slug, korean.slug]},
    )
    body = inquiry.messages.get(kind="answer").body
    assert body == (
        "Please see these.\n\n"
        "Scheduler restart — http://testserver/kb/scheduler-restart/\n"
        "배치 재시작 — http://testserver/kb/배치-재시작/"
    )
    client.force_login(member)
    html = client.get(detail(inquiry)).content.decode()
    assert '<a href="http://testserver/kb/scheduler-restart/" rel="nofollow">' in html
    assert (
        '<a href="http://testserver/kb/%EB%B0%B0%EC%B9%98-%EC%9E%AC%EC%8B%9C%EC%9E%91/" '
        'rel="nofollow">http://testserver/kb/배치-재시작/</a>'
    ) in html
    assert client.get("/kb/%EB%B0%B0%EC%B9%98-%EC%9E%AC%EC%8B%9C%EC%9E%91/").status_code == 200


def test_an_answer_may_be_only_article_links(client, login_as, open_inquiry, make_article):
    make_article("Scheduler restart", slug="scheduler-restart")
    inquiry = open_inquiry()
    login_as(role=SUPPORT_AGENT)
    client.post(reply_url(inquiry), {"reply-articles": ["scheduler-restart"]})
    assert inquiry.messages.get(kind="answer").body == (
        "Scheduler restart — http://testserver/kb/scheduler-restart/"
    )


@pytest.mark.parametrize("value", ["unpublished", "no-such-article", "\x00"])
def test_an_answer_cannot_link_an_unpublished_or_unknown_article(
    client, login_as, open_inquiry, make_article, value
):
    make_article("Unpublished", slug="unpublished", published=False)
    inquiry = open_inquiry()
    login_as(role=SUPPORT_AGENT)
    response = client.post(reply_url(inquiry), {"reply-body": "See", "reply-articles": [value]})
    assert response.status_code == 302
    assert not inquiry.messages.filter(kind="answer").exists()


# --- Drafts from resolved inquiries --------------------------------------------------------------


@pytest.mark.policy("9 다")
def test_a_draft_takes_only_the_staff_answer_and_the_title_written(
    client, login_as, resolved_inquiry, secret_member
):
    agent = login_as(role=SUPPORT_AGENT)
    answer = resolved_inquiry.messages.get(kind="answer")
    response = client.post(
        draft_url(resolved_inquiry), {"title": "배치가 밤마다 멈출 때", "answers": [answer.pk]}
    )
    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:selfservice_article_change", args=[article.pk])
    assert (article.title, article.body) == ("배치가 밤마다 멈출 때", ANSWER)
    assert not article.published
    assert list(article.products.all()) == [resolved_inquiry.product]
    stored = " ".join([article.title, article.slug, article.body, article.tags])
    for personal in (*MEMBER.values(), MEMBER_TEXT, NOTE, resolved_inquiry.number, "Nightowl"):
        assert personal.lower() not in stored.lower(), personal
    assert AccessRecord.objects.filter(
        staff=agent, member=secret_member, action=AccessRecord.Action.ADMIN_ACTION
    ).exists()
    # Unpublished: not on the public site until staff publish it.
    assert client.get(reverse("kb:article", args=[article.slug])).status_code == 404


@pytest.mark.law("고시 제8조")
def test_the_draft_page_offers_answers_only_and_writes_an_access_record(
    client, login_as, resolved_inquiry, secret_member
):
    agent = login_as(role=SUPPORT_AGENT)
    response = client.get(draft_url(resolved_inquiry))
    assert response.status_code == 200
    offered = list(response.context["form"].fields["answers"].queryset)
    assert [message.kind for message in offered] == ["answer"]
    html = response.content.decode()
    assert MEMBER_TEXT not in html and NOTE not in html
    assert AccessRecord.objects.filter(
        staff=agent, member=secret_member, action=AccessRecord.Action.VIEW
    ).exists()


@pytest.mark.policy("3")
def test_a_draft_masks_the_members_details_written_in_an_answer(
    client, login_as, resolved_inquiry, make_staff
):
    agent = make_staff(username="answerer2", role=SUPPORT_AGENT)
    services.reopen(inquiry=resolved_inquiry)
    username, number = MEMBER["username"], resolved_inquiry.number
    text = f"For HANBIT LOGISTICS ({username}), project Nightowl ERP, {number}: restart it."
    services.staff_reply(inquiry=resolved_inquiry, staff=agent, body=text)
    services.resolve(inquiry=resolved_inquiry, by=resolved_inquiry.member)
    answers = resolved_inquiry.messages.filter(kind="answer").order_by("created_at")
    login_as(role=PRIVACY_HANDLER)
    client.post(
        draft_url(resolved_inquiry),
        {"title": "Restart for Hanbit Logistics", "answers": [a.pk for a in answers]},
    )
    article = Article.objects.get()
    assert article.title == "Restart for ○○○"
    assert article.body == f"{ANSWER}\n\nFor ○○○ (○○○), project ○○○, ○○○: restart it."


@pytest.mark.parametrize(
    "data",
    [
        {"title": "", "answers": []},
        {"title": "T", "answers": ["not-a-number"]},
        {"title": "T", "answers": ["999999"]},
        {"title": "x" * 201, "answers": []},
        {"title": "bell\x07"},
    ],
)
def test_a_bad_draft_form_gets_a_message_and_saves_nothing(
    client, login_as, resolved_inquiry, data
):
    login_as(role=SUPPORT_AGENT)
    response = client.post(draft_url(resolved_inquiry), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'class="errorlist' in response.content.decode()
    assert not Article.objects.exists()


@pytest.mark.policy("3")
def test_the_member_message_or_a_note_cannot_be_posted_into_a_draft(
    client, login_as, resolved_inquiry
):
    login_as(role=SUPPORT_AGENT)
    for kind in ("member", "note"):
        message = resolved_inquiry.messages.get(kind=kind)
        response = client.post(draft_url(resolved_inquiry), {"title": "T", "answers": [message.pk]})
        assert response.context["form"].has_error("answers", code="invalid_choice"), kind
    assert not Article.objects.exists()


def test_the_draft_button_shows_on_a_resolved_inquiry_for_staff_who_may_write_articles(
    client, login_as, resolved_inquiry, open_inquiry
):
    login_as(role=SUPPORT_AGENT)
    page = client.get(inquiry_page(resolved_inquiry)).content.decode()
    assert f'href="{draft_url(resolved_inquiry)}"' in page
    unresolved = open_inquiry()
    assert draft_url(unresolved) not in client.get(inquiry_page(unresolved)).content.decode()


def test_a_draft_of_an_unresolved_inquiry_is_refused(client, login_as, open_inquiry):
    inquiry = open_inquiry()
    login_as(role=SUPPORT_AGENT)
    response = client.post(draft_url(inquiry), {"title": "T", "answers": []})
    assert response.status_code == 302 and response["Location"] == inquiry_page(inquiry)
    assert not Article.objects.exists()


def test_a_draft_of_a_resolved_inquiry_without_answers_is_refused(
    client, login_as, open_inquiry, member
):
    inquiry = open_inquiry()
    services.resolve(inquiry=inquiry, by=member)
    login_as(role=SUPPORT_AGENT)
    response = client.get(draft_url(inquiry))
    assert response.status_code == 302 and response["Location"] == inquiry_page(inquiry)


@pytest.mark.policy("9 다")
def test_a_contract_manager_cannot_make_a_draft(client, login_as, resolved_inquiry):
    manager = login_as(role=CONTRACT_MANAGER)
    answer = resolved_inquiry.messages.get(kind="answer")
    assert client.get(draft_url(resolved_inquiry)).status_code == 403
    response = client.post(draft_url(resolved_inquiry), {"title": "T", "answers": [answer.pk]})
    assert response.status_code == 403
    assert not Article.objects.exists()
    assert not AccessRecord.objects.filter(staff=manager).exists()
    page = client.get(inquiry_page(resolved_inquiry))
    assert draft_url(resolved_inquiry) not in page.content.decode()


def test_an_unknown_inquiry_is_404(client, login_as, db):
    login_as(role=SUPPORT_AGENT)
    assert client.get(reverse("admin:selfservice_article_draft", args=[999999])).status_code == 404


def test_drafts_with_the_same_title_get_slugs_of_their_own(client, login_as, resolved_inquiry):
    login_as(role=SUPPORT_AGENT)
    answer = resolved_inquiry.messages.get(kind="answer")
    for _ in range(3):
        client.post(draft_url(resolved_inquiry), {"title": "Suggest", "answers": [answer.pk]})
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "suggest-2",
        "suggest-3",
        "suggest-4",
    ]


def test_a_closed_inquiry_stays_resolved_for_drafts(client, login_as, resolved_inquiry):
    Inquiry.objects.filter(pk=resolved_inquiry.pk).update(status=Inquiry.Status.CLOSED)
    login_as(role=SUPPORT_AGENT)
    assert client.get(draft_url(resolved_inquiry)).status_code == 200
