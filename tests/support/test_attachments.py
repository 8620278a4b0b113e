"""Attachments: private, checked by their bytes, encrypted at rest, served only to their owner."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from cryptography.exceptions import InvalidTag
from django.core.files.storage import storages
from django.urls import reverse

from support import files
from support.models import Attachment, Inquiry
from tests.support.conftest import PDF, PNG, inquiry_form, upload, zipped

pytestmark = pytest.mark.policy("6 나")

NEW = reverse("support:new")
DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


def sniffed(content: bytes) -> str | None:
    return files.sniff(io.BytesIO(content))


@pytest.mark.parametrize(
    "content, kind",
    [
        (PNG, "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "jpeg"),
        (b"GIF89a" + b"\x00" * 8, "gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (PDF, "pdf"),
        ("2026-11-29 ERROR 배치 작업 실패\n".encode(), "text"),
        (zipped({"a.log": b"x"}), "zip"),
        (DOCX, "docx"),
        (ODT, "odt"),
        (OLE, "ole"),
        (b"MZ\x90\x00" + b"\x00" * 60, None),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 9, None),
        (b"text with a \x00 NUL byte", None),
        (b"\xff\xfe not utf-8", None),
    ],
)
def test_a_files_kind_comes_from_its_bytes(content, kind):
    assert sniffed(content) == kind


def post(client, member, *attachments):
    return client.post(NEW, inquiry_form(member, attachments=list(attachments)))


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 60, "type_not_allowed"),
        ("photo.png", zipped({"a.txt": b"x"}), "type_mismatch"),
        ("empty.txt", b"", "empty"),
        ("report.exe", b"MZ\x90\x00", "type_not_allowed"),
    ],
)
def test_a_refused_file_stores_nothing_at_all(logged_in_client, member, name, content, code):
    response = post(logged_in_client, member, upload("fine.png", PNG), upload(name, content))
    assert response.status_code == 200
    assert response.context["form"].has_error("attachments", code=code)
    assert not Inquiry.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == []


def stored_files() -> list[str]:
    storage = storages[files.STORAGE]
    if not os.path.isdir(storage.location):
        return []
    return [name for folder in storage.listdir("")[0] for name in storage.listdir(folder)[1]]


def test_a_file_name_never_carries_a_path(logged_in_client, member):
    post(logged_in_client, member, upload("../../../etc/passwd.txt", b"root:x:0:0"))
    item = Attachment.objects.get()
    assert item.name == "passwd.txt"
    assert stored_files() == [item.storage_name.split("/")[1]]
    assert ".." not in item.storage_name


def test_the_message_names_the_allowed_types(logged_in_client, member):
    response = post(logged_in_client, member, upload("tool.exe", b"MZ\x90\x00"))
    message = " ".join(response.context["form"].errors["attachments"])
    assert ".pdf" in message and ".png" in message and ".docx" in message


def test_at_most_five_files(logged_in_client, member):
    uploads = [upload(f"shot{n}.png", PNG) for n in range(6)]
    response = post(logged_in_client, member, *uploads)
    assert response.context["form"].has_error("attachments", code="too_many_files")
    assert not Inquiry.objects.exists()


def test_a_file_over_ten_megabytes_is_refused(logged_in_client, member):
    big = upload("big.txt", b"a" * (10 * 1024 * 1024 + 1))
    response = post(logged_in_client, member, big)
    assert response.context["form"].has_error("attachments", code="too_large")
    assert not Inquiry.objects.exists()


def test_a_request_larger_than_five_full_files_is_refused_with_413(logged_in_client, settings):
    settings.MAX_REQUEST_BYTES = 1024
    response = logged_in_client.post(NEW, {"body": "x" * 4096})
    assert response.status_code == 413
    assert "MB" in response.content.decode()


def test_the_store_holds_only_ciphertext_bound_to_the_inquirys_key(logged_in_client, member):
    secret = b"%PDF-1.7\nconfidential license key NX-ABCDEF\n%%EOF\n"
    post(logged_in_client, member, upload("license.pdf", secret))
    item = Attachment.objects.get()
    stored = storages[files.STORAGE].open(item.storage_name).read()
    assert b"confidential" not in stored and len(stored) == len(secret) + 12 + 16
    key = bytes(item.inquiry.data_key)
    assert files.read(item.storage_name, key=key) == secret
    with pytest.raises(InvalidTag):
        files.read(item.storage_name, key=os.urandom(32))
    assert item.size == len(secret)
    assert item.sha256 == hashlib.sha256(secret).hexdigest()


def test_the_owner_downloads_the_file_as_an_attachment_with_its_korean_name(
    logged_in_client, member
):
    post(logged_in_client, member, upload("오류 화면.png", PNG, content_type="text/html"))
    item = Attachment.objects.get()
    response = logged_in_client.get(
        reverse("support:attachment", args=[item.inquiry.number, item.pk])
    )
    assert response.status_code == 200 and response.content == PNG
    assert response["Content-Type"] == "image/png"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%EC%98%A4%EB%A5%98%20%ED%99%94%EB%A9%B4.png" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_another_member_gets_404_for_the_file(logged_in_client, member, make_member, client):
    post(logged_in_client, member, upload("screen.png", PNG))
    item = Attachment.objects.get()
    other = make_member(username="other01")
    client.force_login(other)
    url = reverse("support:attachment", args=[item.inquiry.number, item.pk])
    assert client.get(url).status_code == 404
