"""Support contracts in admin: every change kept, bad input refused, members linked by staff."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from selfservice.exceptions import DuplicateNumber
from selfservice.models import Contract, ContractChange, Coverage, Payment
from selfservice.services import contracts as services
from staff.models import AccessRecord

pytestmark = pytest.mark.policy("5 나")

ADD = reverse("admin:selfservice_contract_add")
PAYMENT_ADD = reverse("admin:selfservice_payment_add")


def contract_form(product, premium, **overrides) -> dict:
    data = {
        "number": "NXC-2026-001",
        "company": "Acme Corp",
        "project": "Billing Renewal",
        "products": [product.pk],
        "tier": premium.pk,
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "status": "active",
        "coverages-TOTAL_FORMS": "0",
        "coverages-INITIAL_FORMS": "0",
        "payments-TOTAL_FORMS": "0",
        "payments-INITIAL_FORMS": "0",
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def payment_form(of, **overrides) -> dict:
    data = {
        "contract": of.pk,
        "invoice_number": "INV-2026-0001",
        "amount": "12000000",
        "issued_on": "2026-01-05",
        "paid_on": "2026-01-20",
    }
    data.update(overrides)
    return data


@pytest.mark.policy("5 나")
def test_a_contract_manager_creates_a_contract_and_every_change_is_kept(
    client, login_as, product, premium
):
    manager = login_as(role="contract_manager")
    response = client.post(ADD, contract_form(product, premium))
    assert response.status_code == 302, response.context and response.context["errors"]
    contract = Contract.objects.get(number="NXC-2026-001")
    assert list(contract.products.all()) == [product]
    change = reverse("admin:selfservice_contract_change", args=[contract.pk])
    client.post(change, contract_form(product, premium, ends_on="2027-06-30"))
    history = list(ContractChange.objects.filter(contract=contract).order_by("time", "pk"))
    assert [entry.changed_by_username for entry in history] == [manager.username] * 2
    assert history[0].change.startswith("created: number: NXC-2026-001")
    assert history[1].change == "ends_on: 2026-12-31 → 2027-06-30"
    page = client.get(change).content.decode()
    assert "ends_on: 2026-12-31 → 2027-06-30" in page


def test_saving_a_contract_unchanged_adds_no_history(client, login_as, product, premium):
    login_as(role="contract_manager")
    client.post(ADD, contract_form(product, premium))
    contract = Contract.objects.get()
    client.post(
        reverse("admin:selfservice_contract_change", args=[contract.pk]),
        contract_form(product, premium),
    )
    assert ContractChange.objects.filter(contract=contract).count() == 1


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"ends_on": "2025-12-31"}, "ends_on", "The end date cannot be before the start date."),
        ({"starts_on": "2026-02-30"}, "starts_on", "Enter a valid date."),
        ({"number": ""}, "number", "This field is required."),
        ({"products": []}, "products", "This field is required."),
    ],
)
def test_bad_contract_input_is_a_form_error_and_stores_nothing(
    client, login_as, product, premium, overrides, field, message, settings
):
    settings.LANGUAGE_CODE = "en"
    login_as(role="contract_manager")
    client.cookies["django_language"] = "en"
    response = client.post(ADD, contract_form(product, premium, **overrides))
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    assert not Contract.objects.exists() and not ContractChange.objects.exists()


def test_a_duplicate_contract_number_is_refused(client, login_as, product, premium, make_contract):
    make_contract("NXC-2026-001")
    login_as(role="contract_manager")
    response = client.post(ADD, contract_form(product, premium))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["number"]
    assert Contract.objects.count() == 1


def test_a_number_taken_after_the_form_checked_it_stores_nothing_and_leaves_the_record_new(
    make_contract, make_staff, premium, product
):
    # What a concurrent save would do between validation and the save (test_contract_races.py
    # races it for real on PostgreSQL).
    taken = make_contract("NXC-2026-001")
    staff = make_staff(username="manager1")
    contract = Contract(
        number=taken.number, company="Other", project="Other", tier=premium,
        starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
    )  # fmt: skip
    with pytest.raises(DuplicateNumber):
        services.save_contract(contract=contract, products=[product], by=staff)
    assert contract.pk is None
    payment = Payment(
        contract=taken, invoice_number="INV-1", amount=1, issued_on=datetime.date(2026, 1, 5)
    )
    services.save_payment(payment=payment, by=staff)
    again = Payment(
        contract=taken, invoice_number="INV-1", amount=2, issued_on=datetime.date(2026, 1, 5)
    )
    with pytest.raises(DuplicateNumber):
        services.save_payment(payment=again, by=staff)
    assert again.pk is None
    assert Contract.objects.count() == 1 and Payment.objects.get().amount == 1
    assert ContractChange.objects.count() == 1, "only the first payment's change"


@pytest.mark.policy("5 나")
def test_a_payment_is_recorded_with_its_contract_number_and_kept_in_the_history(
    client, login_as, make_contract
):
    contract = make_contract()
    login_as(role="contract_manager")
    response = client.post(PAYMENT_ADD, payment_form(contract))
    assert response.status_code == 302
    payment = Payment.objects.get()
    assert (payment.contract_number, payment.amount) == (contract.number, 12_000_000)
    (entry,) = ContractChange.objects.filter(contract=contract)
    assert entry.change.startswith("payment added INV-2026-0001: invoice_number: INV-2026-0001")


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"amount": "-5000"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1200.50"}, "amount"),
        ({"amount": "12,000"}, "amount"),
        ({"amount": "1" * 30}, "amount"),
        ({"paid_on": "2026-01-01"}, "paid_on"),
        ({"issued_on": "yesterday"}, "issued_on"),
        ({"contract": ""}, "contract"),
    ],
)
def test_bad_payment_input_is_a_form_error_and_stores_nothing(
    client, login_as, make_contract, overrides, field
):
    contract = make_contract()
    login_as(role="contract_manager")
    response = client.post(PAYMENT_ADD, payment_form(contract, **overrides))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    assert not Payment.objects.exists() and not ContractChange.objects.exists()


def test_a_duplicate_invoice_number_is_refused(client, login_as, make_contract):
    contract = make_contract()
    login_as(role="contract_manager")
    client.post(PAYMENT_ADD, payment_form(contract))
    response = client.post(PAYMENT_ADD, payment_form(contract, amount="5"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["invoice_number"]
    assert Payment.objects.get().amount == 12_000_000


def members_page(contract) -> str:
    return reverse("admin:selfservice_contract_members", args=[contract.pk])


@pytest.mark.policy("9 다")
def test_staff_see_likely_members_and_the_list_is_an_access_record(
    client, login_as, make_member, make_contract
):
    contract = make_contract(company="(주)에이씨엠이 Acme Corp", project="Billing Renewal")
    same_company = make_member(username="acme01", company="ACME corp.", project="Other")
    same_project = make_member(username="bill01", company="Another", project="Billing")
    stranger = make_member(username="zeta01", company="Zeta", project="Nothing")
    staff = login_as(role="contract_manager")
    page = client.get(members_page(contract))
    shown = {member.username for member in page.context["candidates"]}
    assert {same_company.username, same_project.username} <= shown
    assert stranger.username not in shown
    records = AccessRecord.objects.filter(staff=staff, action="list")
    assert set(records.values_list("target", flat=True)) == {"selfservice.coverage"}
    listed = set(records.values_list("member", flat=True))
    assert listed == {member.pk for member in page.context["candidates"]}
    searched = client.get(members_page(contract), {"q": "zeta"})
    assert [member.username for member in searched.context["candidates"]] == ["zeta01"]


@pytest.mark.policy("9 다")
def test_the_contract_page_listing_its_members_is_an_access_record_even_redisplayed(
    client, login_as, member, make_contract, cover, product, premium
):
    contract = make_contract(starts_on=datetime.date(2026, 1, 1))
    cover(member, contract)
    staff = login_as(role="contract_manager")
    change = reverse("admin:selfservice_contract_change", args=[contract.pk])
    assert member.username in client.get(change).content.decode()
    data = contract_form(product, premium, ends_on="2020-01-01")
    data.update({"coverages-TOTAL_FORMS": "1", "coverages-INITIAL_FORMS": "1"})
    data["coverages-0-id"] = contract.coverages.get().pk
    invalid = client.post(change, data)
    assert invalid.status_code == 200 and member.username in invalid.content.decode()
    views = AccessRecord.objects.filter(staff=staff, member=member, action="view")
    assert views.count() == 2


@pytest.mark.parametrize("search", ["acme\x00", "bell\x07", "x" * 101])
def test_a_bad_member_search_gets_a_message_and_the_proposals_never_a_500(
    client, login_as, make_member, make_contract, search
):
    contract = make_contract(company="Acme Corp")
    make_member(username="acme01", company="Acme Corp")
    staff = login_as(role="contract_manager")
    page = client.get(members_page(contract), {"q": search})
    assert page.status_code == 200
    assert page.context["search_form"].errors["q"]
    assert 'class="errornote"' in page.content.decode()
    assert [member.username for member in page.context["candidates"]] == ["acme01"]
    (record,) = AccessRecord.objects.filter(staff=staff, action="list")
    assert record.detail == f"contract {contract.number}"


@pytest.mark.policy("9 다")
def test_linking_a_member_covers_them_once_and_is_kept_and_audited(
    client, login_as, member, make_contract
):
    contract = make_contract()
    staff = login_as(role="contract_manager")
    for _ in range(2):
        response = client.post(members_page(contract), {"action": "link", "pk": member.pk})
        assert response.status_code == 302
    coverage = Coverage.objects.get(member=member)
    assert coverage.linked_by == staff and coverage.unlinked_at is None
    assert ContractChange.objects.filter(change=f"member linked: {member.username}").count() >= 1
    assert AccessRecord.objects.filter(staff=staff, member=member, action="change").exists()
    client.post(members_page(contract), {"action": "unlink", "pk": coverage.pk})
    coverage.refresh_from_db()
    assert coverage.unlinked_at is not None
    assert ContractChange.objects.filter(change=f"member unlinked: {member.username}").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "link", "pk": "abc"},
        {"action": "link", "pk": "999999"},
        {"action": "unlink", "pk": "999999"},
        {"action": "explode", "pk": "1"},
        {"action": "link", "pk": "²"},
        {"action": "unlink", "pk": "²"},
        {"action": "link", "pk": "9" * 30},
        {},
    ],
)
def test_bad_link_requests_change_nothing_and_never_fail(client, login_as, make_contract, data):
    contract = make_contract()
    login_as(role="contract_manager")
    response = client.post(members_page(contract), data)
    assert response.status_code == 302
    assert not Coverage.objects.exists()


def test_staff_accounts_cannot_be_linked(client, login_as, make_staff, make_contract):
    contract = make_contract()
    colleague = make_staff(username="agent07", role="support_agent")
    login_as(role="contract_manager")
    client.post(members_page(contract), {"action": "link", "pk": colleague.pk})
    assert not Coverage.objects.exists()


@pytest.mark.parametrize("role", ["support_agent", "privacy_handler"])
def test_only_contract_managers_and_the_officer_change_contracts(
    client, login_as, make_contract, role
):
    contract = make_contract()
    login_as(role=role)
    assert client.get(ADD).status_code == 403
    assert client.get(members_page(contract)).status_code == 403
    assert client.get(PAYMENT_ADD).status_code == 403
    view = client.get(reverse("admin:selfservice_contract_change", args=[contract.pk]))
    assert view.status_code == 200  # read only: the tier sets their targets


def test_the_officer_may_link_members(client, login_as, member, make_contract):
    contract = make_contract()
    login_as(role="privacy_officer")
    client.post(members_page(contract), {"action": "link", "pk": member.pk})
    assert Coverage.objects.filter(member=member).exists()


def test_the_contract_list_costs_the_same_at_two_and_at_twenty(
    client, login_as, make_contract, django_assert_max_num_queries
):
    login_as(role="contract_manager")
    for n in range(2):
        make_contract(f"NXC-A-{n}")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("admin:selfservice_contract_changelist"))
    for n in range(18):
        make_contract(f"NXC-B-{n}")
    with django_assert_max_num_queries(12) as many:
        client.get(reverse("admin:selfservice_contract_changelist"))
    assert len(few.captured_queries) == len(many.captured_queries)


def test_a_contract_not_in_force_is_told_apart(make_contract):
    today = timezone.localdate()
    ended = make_contract("OLD", ends_on=today - datetime.timedelta(days=1))
    suspended = make_contract("SUS", status="suspended")
    assert not ended.in_force() and not suspended.in_force()
    assert make_contract("NOW").in_force()
