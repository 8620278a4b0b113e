"""Support contracts: their changes kept (who, when, what), payments, and who they cover.

Every write here records a ``ContractChange`` in the same transaction, so a contract's history
is complete whichever page or command changed it (issue: "every change is kept").
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Product, User
from selfservice.exceptions import DuplicateNumber
from selfservice.models import Contract, ContractChange, Coverage, Payment
from staff.models import AccessRecord
from staff.services import audit

CONTRACT_FIELDS = ("number", "company", "project", "tier", "starts_on", "ends_on", "status")
PAYMENT_FIELDS = ("invoice_number", "amount", "issued_on", "paid_on")


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    return str(value)


def contract_state(contract: Contract) -> dict[str, str]:
    """What a contract says, field by field, as the history records it."""
    state = {name: _shown(getattr(contract, name)) for name in CONTRACT_FIELDS}
    state["status"] = contract.status
    if contract.pk:
        state["products"] = ", ".join(sorted(p.name for p in contract.products.all()))
    return state


def payment_state(payment: Payment) -> dict[str, str]:
    return {name: _shown(getattr(payment, name)) for name in PAYMENT_FIELDS}


def describe_change(before: dict[str, str] | None, after: dict[str, str]) -> str:
    """``field: old → new`` per changed field; every field of a new record."""
    if before is None:
        return "; ".join(f"{name}: {value}" for name, value in after.items())
    return "; ".join(
        f"{name}: {before.get(name, '—')} → {value}"
        for name, value in after.items()
        if before.get(name) != value
    )


def _record(contract: Contract, *, by: User, change: str, now: datetime.datetime) -> None:
    ContractChange.objects.create(
        contract=contract,
        time=now,
        changed_by=by,
        changed_by_username=by.username,
        change=change,
    )


def _state_before(
    record: Contract | Payment, state: Callable[..., dict[str, str]]
) -> dict[str, str] | None:
    """What ``record`` said before this change (its row locked until the commit), or None for
    a new one."""
    if record.pk is None:
        return None
    return state(type(record).objects.select_for_update().get(pk=record.pk))


@contextmanager
def _numbered(record: Contract | Payment, number: str) -> Iterator[None]:
    """The transaction of a save that may lose ``number`` (unique) to a concurrent request:
    ``DuplicateNumber`` then, with nothing stored and a new ``record`` left unsaved."""
    adding = record.pk is None
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if adding:
            record.pk = None
        raise DuplicateNumber(number) from error


def save_contract(
    *,
    contract: Contract,
    products: Iterable[Product],
    by: User,
    now: datetime.datetime | None = None,
) -> Contract:
    """Create or change ``contract`` (already validated) with its products, and keep the change.

    A change that changes nothing is not recorded. ``DuplicateNumber`` when a concurrent request
    took the number between validation and the save; nothing is stored then.
    """
    now = now or timezone.now()
    adding = contract.pk is None
    with _numbered(contract, contract.number):
        before = _state_before(contract, contract_state)
        contract.save()
        contract.products.set(products)
        change = describe_change(before, contract_state(contract))
        if change:
            _record(contract, by=by, change=("created: " if adding else "") + change, now=now)
    return contract


def save_payment(*, payment: Payment, by: User, now: datetime.datetime | None = None) -> Payment:
    """Create or change a payment (already validated); the change is kept with its contract."""
    now = now or timezone.now()
    verb = "payment added" if payment.pk is None else "payment changed"
    with _numbered(payment, payment.invoice_number):
        before = _state_before(payment, payment_state)
        payment.contract_number = payment.contract.number
        payment.save()
        change = describe_change(before, payment_state(payment))
        if change:
            change = f"{verb} {payment.invoice_number}: {change}"
            _record(payment.contract, by=by, change=change, now=now)
    return payment


def link_member(
    *,
    contract: Contract,
    member: User,
    by: User,
    ip: str | None,
    now: datetime.datetime | None = None,
) -> Coverage:
    """Cover ``member`` by ``contract``: staff chose them, never a match on text alone.

    Linking twice, even at once, makes one link and returns it. The link is an access record
    (staff handled the member's account) and a change of the contract.
    """
    now = now or timezone.now()
    current = Coverage.objects.filter(contract=contract, member=member, unlinked_at__isnull=True)
    try:
        with transaction.atomic():
            coverage = Coverage.objects.create(
                contract=contract, member=member, linked_at=now, linked_by=by
            )
            _record(contract, by=by, change=f"member linked: {member.username}", now=now)
            audit.record_member_access(
                staff=by,
                ip=ip,
                action=AccessRecord.Action.CHANGE,
                member=member,
                detail=f"covered by contract {contract.number}",
                now=now,
            )
    except IntegrityError:
        # Linked by a concurrent request: the partial unique constraint kept one link.
        coverage = current.get()
    return coverage


def unlink_member(
    *,
    coverage: Coverage,
    by: User,
    ip: str | None,
    now: datetime.datetime | None = None,
) -> Coverage:
    """End a member's coverage; the link stays as the record of who was covered when."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = Coverage.objects.filter(pk=coverage.pk, unlinked_at__isnull=True).update(
            unlinked_at=now
        )
        if changed:
            member = coverage.member
            _record(coverage.contract, by=by, change=f"member unlinked: {member.username}", now=now)
            audit.record_member_access(
                staff=by,
                ip=ip,
                action=AccessRecord.Action.CHANGE,
                member=member,
                detail=f"no longer covered by contract {coverage.contract.number}",
                now=now,
            )
    coverage.refresh_from_db()
    return coverage


def unlink_withdrawn(*, member: User) -> int:
    """A member who withdraws is no longer covered; the contracts and the links remain, the
    links as the record of who was covered when (in the withdrawal's transaction)."""
    return Coverage.objects.filter(member=member, unlinked_at__isnull=True).update(
        unlinked_at=member.closed_at
    )
