"""Korean first, English complete: the Korean catalogue is whole and compiled as committed."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.infra

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale/ko/LC_MESSAGES/django.po"

needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None or shutil.which("msgattrib") is None,
    reason="GNU gettext (msgfmt, msgattrib) is not installed: apt-get install gettext",
)


@needs_gettext
def test_every_string_has_a_korean_translation():
    result = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=True,
    )
    untranslated = [line for line in result.stdout.splitlines() if line.startswith("msgid ")]
    assert untranslated in ([], ['msgid ""']), untranslated


@needs_gettext
def test_committed_mo_is_compiled_from_the_po(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(CATALOGUE)], check=True)
    with fresh.open("rb") as built, CATALOGUE.with_suffix(".mo").open("rb") as committed:
        committed_catalog = gettext.GNUTranslations(committed)._catalog
        assert committed_catalog == gettext.GNUTranslations(built)._catalog


# A particle after a value chosen at run time ("버전 2.0이(가)") reads as a machine's sentence:
# the value decides 이/가, 은/는, 을/를, (으)로, 와/과. Korean translations are phrased so that no
# particle follows a placeholder, or the value sits in parentheses after a noun that takes it.
PARTICLE_AFTER_VALUE = re.compile(r"%\([a-z_]+\)[sd](?:이|가|은|는|을|를|으로|로|와|과)(?![가-힣])")
ALTERNATIVE_PARTICLE = re.compile(r"\((?:이|가|은|는|을|를|으|와|과)\)")


def test_no_particle_depends_on_a_value():
    catalog = CATALOGUE.read_text(encoding="utf-8")
    translations = "\n".join(
        "".join(re.findall(r'"(.*)"', block))
        for block in re.findall(r"^msgstr(?:\[\d\])? (.*(?:\n\".*\")*)", catalog, re.MULTILINE)
    )
    assert PARTICLE_AFTER_VALUE.findall(translations) == []
    assert ALTERNATIVE_PARTICLE.findall(translations) == []
