"""Writes of the knowledge base: "was this helpful?" answers, and drafts from the desk's answers.

Articles are public, so neither write may put anyone's personal data into one: an answer is a
count and nothing else, and a draft takes only the text staff wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.text import slugify

from accounts.models import User
from selfservice.models import Article
from staff.models import AccessRecord
from staff.services import audit
from support.models import Inquiry, Message

# Paths under /kb/ that are not articles (selfservice/kb_urls.py).
RESERVED_SLUGS = frozenset({"suggest"})
# What stands in a draft where the member's ID, company, project or inquiry number was.
MASK = "○○○"
_SLUG_MAX_LENGTH = Article._meta.get_field("slug").max_length
_TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length


def record_helpful(*, article: Article, helpful: bool) -> None:
    """Count one "was this helpful?" answer: a single UPDATE adding one in the database, so
    answers sent at the same moment are all counted; who answered is not kept anywhere."""
    counter = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})


def draft_from_inquiry(
    *,
    inquiry: Inquiry,
    answers: Iterable[Message],
    title: str,
    staff: User,
    ip: str | None = None,
) -> Article:
    """An unpublished article with ``title`` and the text of the staff ``answers`` of
    ``inquiry``, about the inquiry's product.

    Only answers sent to the member are taken, never the member's messages nor internal notes;
    wherever the member's ID, company, project or the inquiry's number appears in them it is
    masked. Reading the thread for the draft is written to the access records (policy §9 다).
    """
    texts = [
        answer.body.strip()
        for answer in sorted(answers, key=lambda message: (message.created_at, message.pk))
        if answer.inquiry_id == inquiry.pk and answer.kind == Message.Kind.ANSWER
    ]
    member = inquiry.member
    identifiers = (member.username, member.company, member.project, inquiry.number)
    title = masked(title, identifiers)[:_TITLE_MAX_LENGTH]
    body = masked("\n\n".join(texts), identifiers)
    with transaction.atomic():
        article = _create_with_free_slug(title=title, body=body)
        article.products.set([inquiry.product_id])
        audit.record_member_access(
            staff=staff,
            ip=ip,
            action=AccessRecord.Action.ADMIN_ACTION,
            member=member,
            detail=f"inquiry {inquiry.number}: knowledge-base draft {article.slug}",
        )
    return article


def masked(text: str, identifiers: Iterable[str]) -> str:
    """``text`` with each of ``identifiers`` of two characters or more, in any case, as ``MASK``
    (the longest first, so that one containing another is masked whole)."""
    kept = {identifier.strip() for identifier in identifiers if len(identifier.strip()) >= 2}
    for identifier in sorted(kept, key=len, reverse=True):
        text = re.sub(re.escape(identifier), MASK, text, flags=re.IGNORECASE)
    return text


def _create_with_free_slug(*, title: str, body: str) -> Article:
    base = slugify(title, allow_unicode=True)[:_SLUG_MAX_LENGTH].strip("-") or "article"
    for n in range(1, 1000):
        suffix = "" if n == 1 else f"-{n}"
        slug = base[: _SLUG_MAX_LENGTH - len(suffix)] + suffix
        if slug in RESERVED_SLUGS or Article.objects.filter(slug=slug).exists():
            continue
        try:
            with transaction.atomic():
                return Article.objects.create(title=title, slug=slug, body=body, published=False)
        except IntegrityError:
            continue  # taken by a draft saved at the same moment: try the next number
    raise IntegrityError(f"No free slug for {base!r}.")
