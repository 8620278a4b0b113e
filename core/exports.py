"""Files the portal hands out for download, made safe for the programs that open them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse

# A cell starting with one of these is read as a formula by spreadsheet programs (OWASP, CSV
# injection): "=HYPERLINK(…)" typed as a project name must stay text in a staff export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """``value`` as a spreadsheet shows it, never as a formula: text that could start one is
    prefixed with an apostrophe; other values are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A CSV document of ``header`` and ``rows``, every cell passed through ``spreadsheet_safe``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def csv_tables(tables: Iterable[tuple[str, Iterable[str], Iterable[Iterable[object]]]]) -> str:
    """A CSV document of several tables down one sheet: each a row with its title, a row of
    headings and its rows, then an empty row; every cell passed through ``spreadsheet_safe``.

    One sheet of blocks rather than one wide table with a column per field of every table:
    it opens in a spreadsheet as the sections of a printed report.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for title, header, rows in tables:
        writer.writerow([spreadsheet_safe(title)])
        writer.writerow([spreadsheet_safe(cell) for cell in header])
        writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
        writer.writerow([])
    return buffer.getvalue()


# Spreadsheet programs (Excel) read a CSV file as UTF-8 only when it starts with this mark.
UTF8_BOM = "\ufeff"


def spreadsheet_download(text: str, *, filename: str) -> HttpResponse:
    """``text`` (CSV) as a file to save, which a spreadsheet program opens as UTF-8."""
    response = HttpResponse(UTF8_BOM + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
