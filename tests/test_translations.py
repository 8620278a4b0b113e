"""Korean first, English complete: the Korean catalogue is whole and compiled as committed."""

from __future__ import annotations

import gettext
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale/ko/LC_MESSAGES/django.po"


def test_every_string_has_a_korean_translation():
    result = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=True,
    )
    untranslated = [line for line in result.stdout.splitlines() if line.startswith("msgid ")]
    assert untranslated in ([], ['msgid ""']), untranslated


def test_committed_mo_is_compiled_from_the_po(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(CATALOGUE)], check=True)
    with fresh.open("rb") as built, CATALOGUE.with_suffix(".mo").open("rb") as committed:
        committed_catalog = gettext.GNUTranslations(committed)._catalog
        assert committed_catalog == gettext.GNUTranslations(built)._catalog
