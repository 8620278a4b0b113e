"""On real SQLite files: a withdrawn member's contract link and supply records leave no byte
behind once due, while the contract itself stays until five years after its end (§5, §6 나)."""

from __future__ import annotations

import pytest

from tests.retention.test_files import (  # noqa: F401 (fixtures)
    PURGE_AT,
    files_containing,
    migrated,
    run,
    site_running,
    var_dir,
)

MEMBER_ID = b"zq8covered"
SUPPLIED = b"zq8-supply-marker.zip"
CONTRACT = b"ZQ8-CONTRACT-77"
INVOICE = b"ZQ8-INVOICE-55"
LINK = b"selfservice_coverage:"  # an archived link's key

SETUP = """
import datetime
import time_machine
from zoneinfo import ZoneInfo
from accounts import services
from accounts.models import Product
from selfservice.models import Contract, Coverage, Download, Payment, Tier

seoul = ZoneInfo("Asia/Seoul")
with time_machine.travel(datetime.datetime(2024, 1, 31, 10, tzinfo=seoul), tick=False):
    member = services.register_member(
        username="zq8covered", password="plum-orchard-1987!", company="Zq8 Works",
        project="Apollo", product=Product.objects.first(), ip="10.9.8.7",
    )
    tier = Tier.objects.create(
        name="Standard", hours_defect=4, hours_complaint=4, hours_question=8, hours_request=16
    )
    contract = Contract.objects.create(
        number="ZQ8-CONTRACT-77", company="Zq8 Works", project="Apollo", tier=tier,
        starts_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2024, 6, 30),
    )
    Coverage.objects.create(contract=contract, member=member)
    Payment.objects.create(
        contract=contract, contract_number=contract.number, invoice_number="ZQ8-INVOICE-55",
        amount=1000, issued_on=datetime.date(2024, 1, 5), paid_on=datetime.date(2024, 2, 10),
    )
    Download.objects.create(
        member=member, ip="10.9.8.7", product="NEXCORE", version="9.9",
        file_name="zq8-supply-marker.zip",
    )
with time_machine.travel(datetime.datetime(2024, 3, 15, 10, tzinfo=seoul), tick=False):
    services.close_account(member=member)
"""


def holding(folder, needle: bytes) -> list[str]:
    return [name for name in files_containing(folder, needle) if name.endswith(".sqlite3")]


@pytest.mark.policy("6 나")
def test_supply_records_payments_and_contracts_leave_no_byte_when_due(var_dir):  # noqa: F811
    run(var_dir, SETUP)
    with site_running(var_dir):
        run(var_dir, PURGE_AT.format(at="2024, 3, 16"))
        assert holding(var_dir, SUPPLIED) == ["archive.sqlite3"]
        assert holding(var_dir, CONTRACT) == ["primary.sqlite3"], "the contract stays"
        # Downloaded 31 January 2024: due 1 February 2029.
        run(var_dir, PURGE_AT.format(at="2029, 2, 1"))
        assert holding(var_dir, SUPPLIED) == []
        assert holding(var_dir, INVOICE) == ["primary.sqlite3"]
        # Paid 10 February 2024: due 11 February 2029.
        run(var_dir, PURGE_AT.format(at="2029, 2, 11"))
        assert holding(var_dir, INVOICE) == []
        assert holding(var_dir, CONTRACT) == ["primary.sqlite3"]
        # Withdrawn 15 March 2024: the member record is due 16 March 2029.
        run(var_dir, PURGE_AT.format(at="2029, 3, 16"))
        assert holding(var_dir, MEMBER_ID) == []
        assert holding(var_dir, LINK) == ["archive.sqlite3"], "the link outlives the member row"
        # Ended 30 June 2024: the contract and the archived link are due 1 July 2029.
        run(var_dir, PURGE_AT.format(at="2029, 7, 1"))
        assert holding(var_dir, CONTRACT) == []
        assert holding(var_dir, LINK) == []
