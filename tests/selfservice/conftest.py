"""Support contracts, tiers and coverage for the self-service tests."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify

from selfservice.models import Article, Contract, Coverage, Release, Tier
from selfservice.services.releases import add_release_file


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # Staff in admin log in without the second factor here; the browser tests use TOTP.
    settings.STAFF_REQUIRE_2FA = False


@pytest.fixture
def premium(db):
    return Tier.objects.create(
        name="Premium", hours_defect=1, hours_complaint=2, hours_question=3, hours_request=4
    )


@pytest.fixture
def make_contract(premium, product):
    """A contract of the member's product, in force from a year ago for a year ahead."""

    def make(
        number="NXC-2026-001", *, starts_on=None, ends_on=None, products=None, **fields
    ) -> Contract:
        today = timezone.localdate()
        contract = Contract.objects.create(
            number=number,
            company=fields.pop("company", "Acme Corp"),
            project=fields.pop("project", "Billing Renewal"),
            tier=fields.pop("tier", premium),
            starts_on=starts_on or today - datetime.timedelta(days=365),
            ends_on=ends_on or today + datetime.timedelta(days=30),
            **fields,
        )
        contract.products.set(products or [product])
        return contract

    return make


@pytest.fixture
def cover():
    """Link a member to a contract directly (the admin path has tests of its own)."""

    def link(member, contract, **fields) -> Coverage:
        return Coverage.objects.create(contract=contract, member=member, **fields)

    return link


# Releases and their files (tests/selfservice/test_downloads.py, test_release_admin.py).


@pytest.fixture
def make_release(product):
    """A release of the member's product (by default published, for every member using it),
    with ``files`` ({name: bytes}) stored through the service."""

    def make(version="3.2.1", *, files=None, **fields):
        fields.setdefault("product", product)
        fields.setdefault("published", True)
        fields.setdefault("audience", Release.Audience.PRODUCT_USERS)
        release = Release.objects.create(version=version, **fields)
        for name, content in (files or {}).items():
            add_release_file(release=release, upload=ContentFile(content, name=name))
        return release

    return make


# Knowledge-base articles (tests/selfservice/test_kb*.py).


@pytest.fixture
def make_article(db):
    """An article, published unless told otherwise, about ``products`` (none by default)."""

    def make(
        title="배치 작업이 자정에 멈춤", *, slug=None, body="Restart the scheduler.", **fields
    ):
        products = fields.pop("products", [])
        fields.setdefault("published", True)
        article = Article.objects.create(
            title=title, slug=slug or slugify(title, allow_unicode=True), body=body, **fields
        )
        article.products.set(products)
        return article

    return make
