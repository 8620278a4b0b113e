"""Members with inquiries, files of every kind, and staff at the desk."""

from __future__ import annotations

import datetime
import io
import os
import zipfile
from zoneinfo import ZoneInfo

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from support import services
from support.forms import AttachmentsField, new_submission
from support.models import Inquiry
from support.services import CheckedFile

SEOUL = ZoneInfo("Asia/Seoul")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def zipped(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def seoul(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SEOUL)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def checked(name: str, content: bytes) -> CheckedFile:
    """A file as the form accepts it, for the services' ``attachments``."""
    (item,) = AttachmentsField().clean([upload(name, content)])
    return item


def inquiry_form(member, **overrides) -> dict:
    data = {
        "product": member.product.slug,
        "category": "question",
        "title": "Batch job stops at midnight",
        "body": "Since the upgrade the nightly batch stops.\nLog attached.",
        "submission": new_submission(member),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def open_inquiry(member):
    """Open an inquiry of ``member`` (or another member) through the service."""

    def make(owner=None, **kwargs) -> Inquiry:
        owner = owner or member
        values = {
            "member": owner,
            "product": owner.product,
            "category": "question",
            "title": "Batch job stops at midnight",
            "body": "Since the upgrade the nightly batch stops.",
        }
        values.update(kwargs)
        return services.open_inquiry(**values)

    return make


def detail(inquiry) -> str:
    return reverse("support:detail", args=[inquiry.number])


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # Staff at the desk log in without the second factor here; the browser test uses TOTP.
    settings.STAFF_REQUIRE_2FA = False


def backdate_stored_files(moment) -> None:
    """Give every stored attachment the modification time ``moment``, as if written then: the
    file system keeps the real clock, which a test that travels in time does not move."""
    location = storages["attachments"].location
    for folder, _dirs, names in os.walk(location):
        for name in names:
            os.utime(os.path.join(folder, name), (moment.timestamp(), moment.timestamp()))
