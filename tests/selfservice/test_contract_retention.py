"""How long contracts, payments and supply records are kept (policy §5: five years each, from
the contract's end, the payment and the supply), and what a member's withdrawal does to them."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts import services as accounts_services
from retention.models import ArchivedRecord, LegalHold, member_key
from retention.registry import category, due_date
from selfservice.models import Contract, ContractChange, Coverage, Download, Payment
from tests.retention.conftest import _var_dir, purge, seoul  # noqa: F401 (_var_dir: autouse)

pytestmark = [pytest.mark.policy("5 나"), pytest.mark.django_db(databases=["default", "archive"])]


@pytest.fixture
def ended_contract(make_contract):
    """A contract that ran through 2024 and ended on 31 December 2024."""
    return make_contract(
        "NXC-2024-007", starts_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2024, 12, 31)
    )


def supply(member, at) -> Download:
    return Download.objects.create(
        time=at, ip="10.0.0.9", member=member, product="NEXCORE", version="4.2.1",
        file_name="nexcore-4.2.1-patch.zip",
    )  # fmt: skip


def test_a_contract_is_kept_five_years_from_its_end_with_its_history(ended_contract):
    ContractChange.objects.create(
        contract=ended_contract, changed_by_username="manager1", change="created"
    )
    # Ended 31 December 2024: counting from 1 January 2025, five years end on 31 December 2029.
    purge(at=seoul(2029, 12, 31, 23, 59, 59))
    assert Contract.objects.filter(pk=ended_contract.pk).exists()
    purge(at=seoul(2030, 1, 1))
    assert not Contract.objects.exists() and not ContractChange.objects.exists()


def test_a_payment_goes_five_years_after_payment_while_its_contract_stays(ended_contract):
    Payment.objects.create(
        contract=ended_contract, contract_number=ended_contract.number, invoice_number="INV-1",
        amount=5_500_000, issued_on=datetime.date(2024, 1, 5), paid_on=datetime.date(2024, 1, 20),
    )  # fmt: skip
    unpaid = Payment.objects.create(
        contract=ended_contract, contract_number=ended_contract.number, invoice_number="INV-2",
        amount=5_500_000, issued_on=datetime.date(2024, 7, 5),
    )  # fmt: skip
    purge(at=seoul(2029, 1, 20, 23, 59, 59))
    assert Payment.objects.count() == 2
    purge(at=seoul(2029, 1, 21))
    assert list(Payment.objects.all()) == [unpaid], "an unpaid invoice's clock has not started"
    assert Contract.objects.filter(pk=ended_contract.pk).exists()
    purge(at=seoul(2030, 1, 1))
    assert not Contract.objects.exists()
    unpaid.refresh_from_db()
    assert unpaid.contract is None and unpaid.contract_number == "NXC-2024-007"


def test_withdrawal_unlinks_the_member_and_the_contract_remains(member, ended_contract, cover):
    coverage = cover(member, ended_contract)
    with time_machine.travel(seoul(2024, 6, 1, 10), tick=False):
        accounts_services.close_account(member=member)
    coverage.refresh_from_db()
    assert coverage.unlinked_at == seoul(2024, 6, 1, 10)
    purge(at=seoul(2024, 6, 2, 3, 15))
    assert not Coverage.objects.exists()
    assert Contract.objects.filter(pk=ended_contract.pk).exists()


def test_the_link_and_the_supply_records_go_to_the_archive_and_are_destroyed_on_time(
    member, ended_contract, cover
):
    cover(member, ended_contract, linked_at=seoul(2024, 1, 2, 9))
    downloaded = supply(member, seoul(2024, 2, 10, 14))
    with time_machine.travel(seoul(2024, 6, 1, 10), tick=False):
        accounts_services.close_account(member=member)
    purge(at=seoul(2024, 6, 2, 3, 15))
    assert not Download.objects.exists() and not Coverage.objects.exists()
    archived = ArchivedRecord.objects.filter(member_key=member_key(member.pk))
    by_category = {record.source_key.split(":")[0]: record for record in archived.all()}
    assert by_category["selfservice_download"].category == "payment"
    assert by_category["selfservice_download"].data["file_name"] == "nexcore-4.2.1-patch.zip"
    assert by_category["selfservice_coverage"].category == "contract"
    # Downloaded 10 February 2024: kept through 10 February 2029.
    purge(at=seoul(2029, 2, 10, 23, 59, 59))
    assert archived.filter(source_key=f"selfservice_download:{downloaded.pk}").exists()
    purge(at=seoul(2029, 2, 11))
    assert not archived.filter(category="payment").exists()
    # The link is a contract record: kept until five years after the contract's end.
    purge(at=seoul(2029, 12, 31, 23, 59, 59))
    assert archived.filter(category="contract", source_key__startswith="selfservice_").exists()
    purge(at=seoul(2030, 1, 1))
    assert not archived.exists()


def test_a_legal_hold_on_a_covered_member_keeps_the_contract_and_the_link(
    member, ended_contract, cover, make_staff
):
    cover(member, ended_contract)
    LegalHold.objects.create(
        member_key=member_key(member.pk),
        reason="Dispute 2029-17",
        review_on=datetime.date(2031, 1, 1),
        placed_by=make_staff(),
    )
    purge(at=seoul(2030, 1, 1))
    assert Coverage.objects.filter(member=member).exists()
    assert Contract.objects.filter(pk=ended_contract.pk).exists()


def test_the_supply_record_is_listed_on_my_data_with_its_deletion_date(reauthed_client, member):
    with time_machine.travel(seoul(2026, 11, 2, 15), tick=False):
        supply(member, timezone.now())
    page = reauthed_client.get("/accounts/me/")
    text = page.content.decode()
    assert "nexcore-4.2.1-patch.zip" in text
    # Counting from 3 November 2026, five years end on 2 November 2031.
    assert "2031-11-03" in text
    assert due_date(category("payment"), seoul(2026, 11, 2, 15)) == seoul(2031, 11, 3)


def test_the_archive_step_alone_moves_a_withdrawn_members_supply_records(member):
    supply(member, seoul(2026, 3, 2, 9))
    with time_machine.travel(seoul(2026, 3, 3, 10), tick=False):
        accounts_services.close_account(member=member)
    with time_machine.travel(seoul(2026, 3, 4, 3, 15), tick=False):
        call_command("archive_closed_accounts", stdout=io.StringIO())
    assert ArchivedRecord.objects.filter(category="payment").count() == 1
    assert not Download.objects.exists()
