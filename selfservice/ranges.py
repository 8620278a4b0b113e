"""Files streamed with single byte ranges (RFC 9110 §14), which Django's FileResponse lacks.

A release may be gigabytes: a browser or a download manager that lost the connection asks for
the rest (``Range: bytes=<where it stopped>-``) instead of starting again. One range per
request; a request for several ranges, or a header that does not parse, gets the whole file,
as RFC 9110 allows. No more than a chunk of the file is ever in memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO

from django.http import FileResponse, HttpResponse

CHUNK = 256 * 1024
CONTENT_TYPE = "application/octet-stream"
_SINGLE_RANGE = re.compile(r"bytes=(\d*)-(\d*)", re.IGNORECASE)
# Past the end of any file; Python refuses to convert thousands of digits to a number.
_BEYOND = 10**18


class Unsatisfiable(Exception):
    """The range starts past the end of the file (answered 416)."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # the last byte, included, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def _number(digits: str) -> int:
    return int(digits) if len(digits) <= 18 else _BEYOND


def requested_range(
    header: str | None, *, size: int, if_range: str | None = None, etag: str | None = None
) -> ByteRange | None:
    """The one range of a ``size``-byte file that ``header`` asks for; None for the whole file.

    ``bytes=a-b``, ``bytes=a-`` and ``bytes=-n`` (the last n bytes) are honoured; several
    ranges, a malformed header, or an ``If-Range`` that is not ``etag`` (the file changed
    since the client's first part) mean the whole file. Raises Unsatisfiable for a range that
    starts at or past the end, or asks for the last 0 bytes.
    """
    if not header or (if_range is not None and if_range.strip() != etag):
        return None
    match = _SINGLE_RANGE.fullmatch(header.strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first:
        if not last:
            return None
        suffix = _number(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(size - suffix, 0), size - 1)
    start = _number(first)
    end = _number(last) if last else _BEYOND
    if end < start:
        return None
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, min(end, size - 1))


class _Bounded:
    """``length`` bytes of ``file`` from where it stands, never more.

    Without ``fileno`` on purpose: a server that sends files with sendfile(2) (gunicorn) would
    otherwise be free to send on to the end of the file; here it reads chunk by chunk instead.
    """

    def __init__(self, file: IO[bytes], length: int):
        self.file = file
        self.remaining = length

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self.remaining:
            size = self.remaining
        data = self.file.read(size) if size else b""
        self.remaining -= len(data)
        return data

    def close(self) -> None:
        self.file.close()


def file_response(
    file: IO[bytes], byte_range: ByteRange | None, *, size: int, name: str, etag: str
) -> FileResponse:
    """``file`` (open, at its start) as a download named ``name``: whole (200) or the range
    (206), never shown by the browser as a page."""
    if byte_range is None:
        response = FileResponse(file, as_attachment=True, filename=name, content_type=CONTENT_TYPE)
    else:
        file.seek(byte_range.start)
        response = FileResponse(
            _Bounded(file, byte_range.length),
            status=206,
            as_attachment=True,
            filename=name,
            content_type=CONTENT_TYPE,
        )
        response.headers["Content-Length"] = str(byte_range.length)
        response.headers["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{size}"
    response.block_size = CHUNK
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["ETag"] = etag
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def unsatisfiable(size: int) -> HttpResponse:
    """416, naming the file's size so that the client can ask again."""
    response = HttpResponse(status=416)
    response.headers["Content-Range"] = f"bytes */{size}"
    response.headers["Accept-Ranges"] = "bytes"
    return response
