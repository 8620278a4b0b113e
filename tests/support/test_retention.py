"""How long the desk keeps what (policy §5): consultation while the account is open, complaint
records three years from their resolution, and files destroyed with their keys (§6 나)."""

from __future__ import annotations

import base64
import datetime
import io
import json

import pytest
import time_machine
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.storage import storages
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts_services
from privacy.models import PrivacyRequest
from privacy.services import record_request, resolve_request
from retention.models import ArchivedRecord, member_key
from retention.services.files import sweep
from support import files, services
from support.models import Attachment, Inquiry, Message
from tests.retention.conftest import _var_dir, purge  # noqa: F401 (_var_dir: autouse)
from tests.support.conftest import PDF, backdate_stored_files, checked, seoul

pytestmark = [pytest.mark.policy("5 나"), pytest.mark.django_db(databases=["default", "archive"])]


def with_file(open_inquiry, **kwargs) -> Inquiry:
    return open_inquiry(attachments=[checked("invoice.pdf", PDF)], **kwargs)


def stored(name: str) -> bool:
    return storages[files.STORAGE].exists(name)


@pytest.mark.policy("6 가")
def test_withdrawal_destroys_an_ordinary_inquiry_and_its_files_at_the_archive_step(
    open_inquiry, member
):
    with time_machine.travel(seoul(2026, 3, 2, 10), tick=False):
        inquiry = with_file(open_inquiry)
        storage_name = inquiry.attachments.get().storage_name
        accounts_services.close_account(member=member)
    backdate_stored_files(seoul(2026, 3, 2, 10))
    with time_machine.travel(seoul(2026, 3, 3, 3, 15), tick=False):
        call_command("archive_closed_accounts", stdout=io.StringIO())
    assert not Inquiry.objects.exists() and not Message.objects.exists()
    assert not Attachment.objects.exists() and not stored(storage_name)
    assert not ArchivedRecord.objects.filter(category="complaint").exists()


@pytest.mark.policy("6 가")
def test_a_complaint_is_archived_kept_three_years_after_resolution_then_destroyed(
    open_inquiry, member, make_staff
):
    with time_machine.travel(seoul(2026, 3, 2, 10), tick=False):
        inquiry = with_file(open_inquiry, category="complaint")
        item = inquiry.attachments.get()
        copy_taken_earlier = storages[files.STORAGE].open(item.storage_name).read()
        services.staff_reply(inquiry=inquiry, staff=make_staff(username="agent01"), body="Sorry.")
        services.resolve(inquiry=inquiry, by=member)
    backdate_stored_files(seoul(2026, 3, 2, 10))
    with time_machine.travel(seoul(2026, 3, 5, 10), tick=False):
        accounts_services.close_account(member=member)
    purge(at=seoul(2026, 3, 6, 3, 15))
    assert not Inquiry.objects.exists()
    archived = ArchivedRecord.objects.filter(category="complaint", member_key=member_key(member.pk))
    tables = {record.source_key.split(":")[0] for record in archived}
    assert tables == {
        "support_inquiry", "support_message", "support_attachment", "support_statuschange",
    }  # fmt: skip
    assert stored(item.storage_name), "the file stays while its complaint record is kept"
    # Resolved on 2 March 2026: counting from 3 March, three years end on 2 March 2029.
    purge(at=seoul(2029, 3, 2, 23, 59, 59))
    assert archived.filter(source_key__startswith="support_inquiry:").exists()
    archived_key = base64.b64decode(
        archived.get(source_key__startswith="support_inquiry:").data["data_key"]
    )
    assert files.read(item.storage_name, key=archived_key) == PDF
    purge(at=seoul(2029, 3, 3))
    assert list(archived.values_list("source_key", "time")) == []
    assert not stored(item.storage_name)
    # A copy of the file taken before is ciphertext that only the inquiry's key opens, and that
    # key exists nowhere any more.
    assert PDF not in copy_taken_earlier
    opened = AESGCM(archived_key).decrypt(
        copy_taken_earlier[:12], copy_taken_earlier[12:], item.storage_name.encode()
    )
    assert opened == PDF
    keys = [bytes(inquiry.data_key) for inquiry in Inquiry.objects.all()]
    keys += [
        base64.b64decode(record.data["data_key"])
        for record in ArchivedRecord.objects.filter(source_key__startswith="support_inquiry:")
    ]
    assert keys == []
    key_text = base64.b64encode(archived_key).decode()
    assert [r.pk for r in ArchivedRecord.objects.all() if key_text in json.dumps(r.data)] == []


def test_an_unresolved_complaint_keeps_the_member_until_it_is_resolved(
    open_inquiry, member, make_staff
):
    inquiry = open_inquiry(category="complaint")
    accounts_services.close_account(member=member)
    lines = purge()
    assert "archive archived=0 records=0 waiting=1" in lines
    assert Inquiry.objects.filter(pk=inquiry.pk).exists()
    services.update_by_staff(inquiry=inquiry, staff=make_staff(username="agent01"), status="closed")
    purge()
    assert not Inquiry.objects.exists()
    assert ArchivedRecord.objects.filter(source_key=f"support_inquiry:{inquiry.pk}").exists()


def test_an_inquiry_staff_mark_as_a_complaint_is_kept_as_one_after_withdrawal(
    open_inquiry, member, make_staff
):
    inquiry = open_inquiry(category="defect")
    agent = make_staff(username="agent01")
    services.update_by_staff(inquiry=inquiry, staff=agent, is_complaint=True, status="resolved")
    accounts_services.close_account(member=member)
    purge()
    assert not Inquiry.objects.exists()
    archived = ArchivedRecord.objects.get(source_key=f"support_inquiry:{inquiry.pk}")
    assert archived.category == "complaint"


def test_a_resolved_inquiry_closes_itself_fourteen_days_later(open_inquiry, member):
    with time_machine.travel(seoul(2026, 3, 2, 10), tick=False):
        inquiry = open_inquiry()
        services.resolve(inquiry=inquiry, by=member)
    lines = purge(at=seoul(2026, 3, 16, 9, 59))
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.RESOLVED and "inquiries closed=0" in lines
    lines = purge(at=seoul(2026, 3, 16, 10, 0))
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.CLOSED and "inquiries closed=1" in lines
    assert inquiry.status_changes.last().new_status == "closed"


def test_a_privacy_request_is_kept_three_years_from_its_answer_not_its_receipt(member):
    with time_machine.travel(seoul(2024, 1, 10, 9), tick=False):
        request = record_request(member=member, kind="correction", channel="letter")
    with time_machine.travel(seoul(2025, 6, 1, 9), tick=False):
        resolve_request(request=request, resolution="Corrected.")
    purge(at=seoul(2027, 1, 11))
    assert PrivacyRequest.objects.filter(pk=request.pk).exists()
    purge(at=seoul(2028, 6, 2))
    assert not PrivacyRequest.objects.filter(pk=request.pk).exists()


@pytest.mark.policy("7")
def test_my_data_and_its_export_list_inquiries_messages_files_and_staff_notes(
    reauthed_client, open_inquiry, member, make_staff
):
    inquiry = with_file(open_inquiry)
    agent = make_staff(username="agent01")
    services.staff_reply(
        inquiry=inquiry, staff=agent, body="Customer uses an old JDK", internal=True
    )
    page = reauthed_client.get(reverse("accounts:me"))
    html = page.content.decode()
    assert inquiry.number in html and "invoice.pdf" in html
    assert "Customer uses an old JDK" in html
    keys = {table.key for table in page.context["record_tables"]}
    assert {"account-inquiry", "account-message", "account-attachment"} <= keys
    data = json.loads(reauthed_client.get(reverse("accounts:export")).content)
    (exported,) = data["support_inquiries"]
    assert exported["number"] == inquiry.number
    assert exported["deletion"] == {"category": "account", "date": None}
    note = next(message for message in exported["messages"] if message["staff_note"])
    assert note["body"] == "Customer uses an old JDK"
    (attachment,) = exported["messages"][0]["attachments"]
    assert attachment == {
        "name": "invoice.pdf", "size": len(PDF), "sha256": inquiry.attachments.get().sha256,
    }  # fmt: skip
    assert "account" in [entry["category"] for entry in data["retention"]]


@pytest.mark.policy("7")
def test_the_export_dates_a_resolved_complaints_deletion(reauthed_client, open_inquiry, member):
    with time_machine.travel(seoul(2026, 3, 2, 10), tick=False):
        inquiry = open_inquiry(category="complaint")
        services.resolve(inquiry=inquiry, by=member)
    open_inquiry(category="complaint", title="Still open")
    data = json.loads(reauthed_client.get(reverse("accounts:export")).content)
    deletions = {item["title"]: item["deletion"] for item in data["support_inquiries"]}
    assert deletions[inquiry.title] == {
        "category": "complaint",
        "date": "2029-03-03T00:00:00+09:00",
    }
    assert deletions["Still open"] == {"category": "complaint", "date": None}


@pytest.mark.policy("6 나")
def test_a_stored_file_no_row_names_is_deleted_once_an_hour_old(db):
    orphan = files.store(io.BytesIO(b"left by a crash"), key=files.new_key())
    assert sweep(now=timezone.now()) == 0 and stored(orphan.storage_name)
    assert sweep(now=timezone.now() + datetime.timedelta(hours=2)) == 1
    assert not stored(orphan.storage_name)
