""" "Was this helpful?" answers sent at the same moment, through gunicorn's workers on SQLite and
PostgreSQL: every one is counted, and none sets a cookie."""

from __future__ import annotations

import uuid

import pytest

from tests.live import at_once

pytestmark = pytest.mark.feature

YES, NO = 16, 8


def test_answers_sent_at_the_same_moment_are_all_counted(portal):
    slug = f"race-{uuid.uuid4().hex[:8]}"
    portal.databases.shell(
        "from selfservice.models import Article\n"
        f"Article.objects.create(title='Race', slug='{slug}', body='Counted.', published=True)"
    )
    answers = ["yes"] * YES + ["no"] * NO
    visitors = [portal.visitor(address=f"192.0.2.{100 + n}") for n in range(len(answers))]
    responses = at_once(
        [
            lambda visitor=visitor, answer=answer: visitor.post(
                f"/kb/{slug}/helpful/", {"answer": answer}
            )
            for visitor, answer in zip(visitors, answers, strict=True)
        ]
    )
    assert [response.status for response in responses] == [302] * len(answers)
    assert not any("Set-Cookie" in response.headers for response in responses)
    counts = portal.databases.query(
        "SELECT helpful_yes, helpful_no FROM selfservice_article WHERE slug = %s", (slug,)
    )
    assert counts == [(YES, NO)]
    assert "Traceback" not in portal.log()
