"""Attachments: what a file is, judged from its bytes; encrypted before it reaches storage.

Files live in the ``attachments`` storage (``STORAGES``), outside any public URL, and only as
ciphertext: AES-256-GCM under their inquiry's own data key, with the storage name as associated
data, so a file cannot be passed off under another name. Destroying the key (the inquiry's
row) makes every copy of the file unreadable, backups included (policy §6 나, crypto-shredding).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from typing import IO

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files import File
from django.core.files.storage import storages

STORAGE = "attachments"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Kind:
    """A type of file members may send: its MIME type and the names it may carry."""

    key: str
    content_type: str
    extensions: tuple[str, ...]


KINDS = {
    kind.key: kind
    for kind in (
        Kind("png", "image/png", (".png",)),
        Kind("jpeg", "image/jpeg", (".jpg", ".jpeg")),
        Kind("gif", "image/gif", (".gif",)),
        Kind("webp", "image/webp", (".webp",)),
        Kind("pdf", "application/pdf", (".pdf",)),
        Kind("text", "text/plain; charset=utf-8", (".txt", ".log", ".csv")),
        Kind("zip", "application/zip", (".zip",)),
        Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (".docx",)),
        Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             (".xlsx",)),
        Kind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
             (".pptx",)),
        Kind("odt", "application/vnd.oasis.opendocument.text", (".odt",)),
        Kind("ods", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
        Kind("odp", "application/vnd.oasis.opendocument.presentation", (".odp",)),
        Kind("hwpx", "application/hwp+zip", (".hwpx",)),
        # Word, Excel, PowerPoint and Hangul before their XML formats share one container.
        Kind("ole", "application/x-ole-storage", (".doc", ".xls", ".ppt", ".hwp")),
    )
}  # fmt: skip
OLE_TYPES = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".hwp": "application/x-hwp",
}
ALLOWED_EXTENSIONS = sorted({ext for kind in KINDS.values() for ext in kind.extensions})

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"%PDF-", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
)
_ZIPPED_OFFICE = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
_OPEN_DOCUMENT = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
    b"application/hwp+zip": "hwpx",
}


def sniff(file: IO[bytes]) -> str | None:
    """The key of the kind ``file``'s bytes show it to be, or None for anything not allowed.

    The name and the browser's claimed type play no part. ``file`` must be seekable; it is
    left at its start.
    """
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for magic, key in _MAGIC:
        if head.startswith(magic):
            return key
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _sniff_zip(file)
    return "text" if _is_text(file) else None


def _sniff_zip(file: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                return _OPEN_DOCUMENT.get(archive.read("mimetype").strip(), "zip")
            if "[Content_Types].xml" in names:
                for prefix, key in _ZIPPED_OFFICE:
                    if any(name.startswith(prefix) for name in names):
                        return key
            return "zip"
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return None
    finally:
        file.seek(0)


def _is_text(file: IO[bytes]) -> bool:
    """UTF-8 text without NUL bytes, read in chunks (a log may be large)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        file.seek(0)
    return True


def content_type(kind: str, name: str) -> str:
    """The type a file of ``kind`` named ``name`` is served as."""
    if kind == "ole":
        return OLE_TYPES[os.path.splitext(name)[1].lower()]
    return KINDS[kind].content_type


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


@dataclass(frozen=True)
class Stored:
    storage_name: str
    size: int
    sha256: str


def store(file: IO[bytes], *, key: bytes) -> Stored:
    """Encrypt ``file`` chunk by chunk into the attachments storage; nothing is held in memory
    but a chunk. The stored object is nonce, ciphertext, tag."""
    storage_name = f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(storage_name.encode())
    digest, size = hashlib.sha256(), 0
    file.seek(0)
    with tempfile.TemporaryFile() as sealed:
        sealed.write(nonce)
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            sealed.write(encryptor.update(chunk))
        sealed.write(encryptor.finalize())
        sealed.write(encryptor.tag)
        sealed.seek(0)
        saved = storages[STORAGE].save(storage_name, File(sealed, name=storage_name))
    # The name is the ciphertext's associated data: a storage that renamed the file would
    # make it unreadable, so that must not pass unnoticed.
    if saved != storage_name:
        storages[STORAGE].delete(saved)
        raise OSError("the attachments storage renamed a new file")
    return Stored(storage_name=saved, size=size, sha256=digest.hexdigest())


def read(storage_name: str, *, key: bytes) -> bytes:
    """The plaintext of a stored file; raises ``cryptography.exceptions.InvalidTag`` when the
    key is not the file's or the file was altered."""
    with storages[STORAGE].open(storage_name, "rb") as sealed:
        data = sealed.read()
    nonce, ciphertext = data[:NONCE_BYTES], data[NONCE_BYTES:]
    return AESGCM(key).decrypt(nonce, ciphertext, storage_name.encode())


def discard(storage_names) -> None:
    """Delete stored files (those already gone are skipped)."""
    storage = storages[STORAGE]
    for name in storage_names:
        storage.delete(name)
