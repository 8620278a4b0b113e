"""Members with inquiries, files of every kind, and staff at the desk."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from support import services
from support.forms import new_submission
from support.models import Inquiry

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def zipped(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


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
    import os

    from django.core.files.storage import storages

    location = storages["attachments"].location
    for folder, _dirs, names in os.walk(location):
        for name in names:
            os.utime(os.path.join(folder, name), (moment.timestamp(), moment.timestamp()))
