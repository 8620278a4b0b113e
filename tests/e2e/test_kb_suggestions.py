"""The new-inquiry page in a real browser: knowledge-base articles appear as the member types
the title, from the page's own script under the site's Content Security Policy."""

from __future__ import annotations

import pytest

from selfservice.models import Article
from support.models import Inquiry
from tests.e2e.test_support_desk import log_in_member

pytestmark = [
    pytest.mark.feature,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_articles_matching_the_title_appear_as_the_member_types(live_server, page, member):
    Article.objects.create(
        title="야간 배치가 멈출 때",
        slug="야간-배치가-멈출-때",
        body="재시작하세요.",
        published=True,
    )
    Article.objects.create(title="Printer setup", slug="printer", body="No.", published=True)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    base = live_server.url
    log_in_member(page, base, member.username)
    page.goto(f"{base}/support/new/")
    box = page.locator("#kb-suggestions")
    assert box.is_hidden()
    page.type("input[name=title]", "배치가", delay=30)
    box.locator("a", has_text="야간 배치가 멈출 때").wait_for()
    assert box.is_visible()
    assert box.locator("a").count() == 1
    link = box.locator("a").first.get_attribute("href")
    assert (
        link == "/kb/%EC%95%BC%EA%B0%84-%EB%B0%B0%EC%B9%98%EA%B0%80-%EB%A9%88%EC%B6%9C-%EB%95%8C/"
    )
    page.fill("input[name=title]", "")
    page.type("input[name=title]", "x", delay=30)
    box.wait_for(state="hidden")
    assert not [text for text in messages if "Content Security Policy" in text]
    assert not Inquiry.objects.exists()
