"""Validation of what members type in (policy §1 가: only the mandated items, well-formed)."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

MEMBER_ID_MIN_LENGTH = 4
MEMBER_ID_MAX_LENGTH = 20


def normalize_member_id(value: str) -> str:
    """IDs are compared and stored in NFKC lower case, so ``Kim.A`` and ``kim.a`` are one ID."""
    return unicodedata.normalize("NFKC", value).strip().lower()


member_id_validator = RegexValidator(
    regex=rf"\A[a-z0-9_.\-]{{{MEMBER_ID_MIN_LENGTH},{MEMBER_ID_MAX_LENGTH}}}\Z",
    message=_("An ID is 4 to 20 characters: lower-case letters a–z, digits 0–9, and _ - . only."),
    code="invalid_member_id",
)

# Control, format, surrogate, private-use, unassigned and line/paragraph separators: invisible
# or unprintable characters have no place in a company or project name.
REJECTED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


@deconstructible
class PrintableTextValidator:
    message = _("Use visible characters only; control and invisible characters are not allowed.")
    code = "unprintable"

    def __call__(self, value: str) -> None:
        if any(unicodedata.category(char) in REJECTED_CATEGORIES for char in value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, PrintableTextValidator)


printable_text_validator = PrintableTextValidator()


PASSWORD_MAX_LENGTH = 128


class MaximumLengthValidator:
    """A password is at most ``PASSWORD_MAX_LENGTH`` characters, so that nobody makes the site
    hash a 100 KB one; login and re-check fields refuse longer input the same way."""

    def __init__(self, max_length: int = PASSWORD_MAX_LENGTH):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long: use at most %(max_length)d character.",
                    "This password is too long: use at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self):
        return ngettext(
            "Your password can’t be longer than %(max_length)d character.",
            "Your password can’t be longer than %(max_length)d characters.",
            self.max_length,
        ) % {"max_length": self.max_length}
