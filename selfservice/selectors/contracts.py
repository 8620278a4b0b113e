"""Reads about support contracts: who is covered, by what, and the desk's targets for them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.text import capfirst

from accounts.models import Product, User
from selfservice.models import Contract, Coverage


def member_coverages(member: User) -> QuerySet[Coverage]:
    """The member's current links to contracts, the contract ending last first."""
    return (
        Coverage.objects.filter(member=member, unlinked_at__isnull=True)
        .select_related("contract__tier")
        .order_by("-contract__ends_on", "-pk")
    )


def contract_in_force(
    member: User, *, product: Product | None = None, day: datetime.date | None = None
) -> Contract | None:
    """The contract that covers ``member`` on ``day`` (for ``product`` when given), if any."""
    day = day or timezone.localdate()
    contracts = Contract.objects.filter(
        coverages__member=member,
        coverages__unlinked_at__isnull=True,
        status=Contract.Status.ACTIVE,
        starts_on__lte=day,
        ends_on__gte=day,
    )
    if product is not None:
        contracts = contracts.filter(products=product)
    return contracts.select_related("tier").order_by("-ends_on", "-pk").first()


def first_response_hours(*, member: User, product: Product, category: str, day) -> int | None:
    """The first-answer target of the contract covering the member's product that day."""
    contract = contract_in_force(member, product=product, day=day)
    return contract.tier.hours(category) if contract else None


def coverage_panel(member: User) -> dict:
    """What the my-data and support pages show of the member's coverage (issue: days left,
    or that the contract has ended and the desk's default targets apply)."""
    today = timezone.localdate()
    rows = [
        {
            "contract": coverage.contract,
            "in_force": coverage.contract.in_force(today),
            "ended": coverage.contract.ends_on < today,
            "days_left": (coverage.contract.ends_on - today).days,
        }
        for coverage in member_coverages(member)
    ]
    return {
        "template": "selfservice/coverage_panel.html",
        "coverages": rows,
        "phone": settings.SUPPORT_PHONE,
    }


def member_export(member: User) -> dict:
    """The member's links to contracts, for the data export (policy §7 열람)."""
    return {
        "support_contracts": [
            {
                "contract": coverage.contract.number,
                "tier": coverage.contract.tier.name,
                "starts_on": coverage.contract.starts_on.isoformat(),
                "ends_on": coverage.contract.ends_on.isoformat(),
                "linked_at": timezone.localtime(coverage.linked_at).isoformat(),
                "unlinked_at": coverage.unlinked_at
                and timezone.localtime(coverage.unlinked_at).isoformat(),
            }
            for coverage in Coverage.objects.filter(member=member)
            .select_related("contract__tier")
            .order_by("linked_at", "pk")
        ]
    }


def export_labels() -> dict:
    """How the readable export (CSV, print view) shows ``member_export``'s section."""

    def label(model, name: str) -> str:
        return capfirst(model._meta.get_field(name).verbose_name)

    return {
        "support_contracts": {
            "title": capfirst(Contract._meta.verbose_name_plural),
            "columns": {
                "contract": label(Contract, "number"),
                "tier": label(Contract, "tier"),
                "starts_on": label(Contract, "starts_on"),
                "ends_on": label(Contract, "ends_on"),
                "linked_at": label(Coverage, "linked_at"),
                "unlinked_at": label(Coverage, "unlinked_at"),
            },
        }
    }


def covered_now(contract: Contract) -> QuerySet[Coverage]:
    """The links of the members ``contract`` covers now, by member ID, with their product."""
    return (
        Coverage.objects.filter(contract=contract, unlinked_at__isnull=True)
        .select_related("member", "member__product")
        .order_by("member__username")
    )


def linkable_members() -> QuerySet[User]:
    """The accounts a contract may cover: open member accounts, never staff."""
    return User.objects.filter(is_active=True, is_staff=False, is_superuser=False)


def _words(text: str) -> list[str]:
    """The distinctive words of a company or project name, without legal-form words."""
    ignored = {
        "주식회사",
        "(주)",
        "㈜",
        "유한회사",
        "inc",
        "inc.",
        "co.",
        "ltd",
        "ltd.",
        "corp",
        "corp.",
    }
    return [
        word
        for word in text.replace(",", " ").split()
        if word.casefold() not in ignored and len(word) > 1
    ]


def likely_members(contract: Contract, *, search: str = "", limit: int = 50) -> QuerySet[User]:
    """Open member accounts that may belong to ``contract``'s project, for staff to choose from.

    Members type their company and project freely, so this only proposes: a member whose
    company or project shares a word with the contract's, or who matches ``search`` (an ID,
    company or project typed by staff). Members using one of the contract's products first.
    """
    if search.strip():
        text = search.strip()
        wanted = Q(username__icontains=text) | Q(company__icontains=text)
        wanted |= Q(project__icontains=text)
    else:
        wanted = Q(pk__in=[])
        for word in _words(contract.company) + _words(contract.project):
            wanted |= Q(company__icontains=word) | Q(project__icontains=word)
    linked = Coverage.objects.filter(contract=contract, unlinked_at__isnull=True).values("member")
    on_product = Case(When(product__in=contract.products.all(), then=Value(0)), default=Value(1))
    return (
        linkable_members()
        .filter(wanted)
        .exclude(pk__in=linked)
        .select_related("product")
        .annotate(on_product=on_product)
        .order_by("on_product", "username")[:limit]
    )
