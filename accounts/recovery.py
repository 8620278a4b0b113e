"""Account recovery without e-mail: staff verify a caller and issue a one-time reset code.

Members give no e-mail address or phone number (policy §1 가), so the support center's own
channel — phone, letter or e-mail to the contacts of policy §10 — is the way back in.
"""

from __future__ import annotations

import datetime
import logging
import secrets
import unicodedata

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.audit import record_member_access
from accounts.exceptions import (
    CallerNotVerified,
    NotAMember,
    ResetCodeExpired,
    ResetCodeInvalid,
    ResetCodeUsed,
)
from accounts.models import AccessRecord, IdentityVerification, PasswordResetCode, Product, User

logger = logging.getLogger("nexcore.accounts")

CODE_LIFETIME = datetime.timedelta(minutes=30)
# No 0/O or 1/I/L: the code is read aloud over the phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def _comparable(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def normalize_code(code: str) -> str:
    return "".join(char for char in code.upper() if char in CODE_ALPHABET)


def can_reset(member: User) -> bool:
    """Only an open member account is reset this way; never a staff or a closed one."""
    return member.is_active and not member.is_staff and not member.is_superuser


def verify_caller(
    *,
    member: User,
    staff: User,
    company: str,
    project: str,
    product: Product | None,
    channel: str,
    ip: str | None,
    now: datetime.datetime | None = None,
) -> IdentityVerification:
    """Check what the caller says against the stored company, project and product.

    Staff accounts and closed accounts are never reset this way. Every attempt, successful or
    not, is in the staff access records — written on its own, so a refusal keeps its record —
    and a success is also an identity-verification record.
    """
    if not can_reset(member):
        raise NotAMember
    now = now or timezone.now()
    matches = (
        _comparable(company) == _comparable(member.company)
        and _comparable(project) == _comparable(member.project)
        and product is not None
        and product.pk == member.product_id
    )
    record_member_access(
        staff=staff,
        ip=ip,
        action=AccessRecord.Action.VERIFY,
        member=member,
        detail=f"{channel}: {'verified' if matches else 'not verified'}",
        now=now,
    )
    if not matches:
        raise CallerNotVerified
    return IdentityVerification.objects.create(
        member=member,
        kind=IdentityVerification.Kind.STAFF_ASSISTED,
        verified_by=staff,
        channel=channel,
        time=now,
    )


@transaction.atomic
def issue_reset_code(
    *,
    verification: IdentityVerification,
    staff: User,
    ip: str | None,
    now: datetime.datetime | None = None,
) -> str:
    """Return a new one-time code for the verified member; only its hash is kept.

    Any code issued to the member before and not used is cancelled.
    """
    now = now or timezone.now()
    member = verification.member
    member.reset_codes.filter(used_at__isnull=True).delete()
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    PasswordResetCode.objects.create(
        member=member,
        code_hash=make_password(code),
        verification=verification,
        issued_by=staff,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    record_member_access(
        staff=staff,
        ip=ip,
        action=AccessRecord.Action.RESET_CODE,
        member=member,
        now=now,
    )
    return f"{code[:5]}-{code[5:]}"


def _matching_code(member: User | None, code: str) -> PasswordResetCode | None:
    if member is None:
        # Same work as for a real member, so timing does not tell which IDs exist.
        make_password(code)
        return None
    for candidate in member.reset_codes.order_by("-created_at")[:5]:
        if check_password(code, candidate.code_hash):
            return candidate
    return None


@transaction.atomic
def redeem_reset_code(
    *,
    username: str,
    code: str,
    new_password: str,
    ip: str | None,
    now: datetime.datetime | None = None,
) -> User:
    """Set the member's new password with a valid code, once; end every other session.

    Raises ResetCodeInvalid (no such code for this ID), ResetCodeExpired or ResetCodeUsed.
    The new password was validated by the form.
    """
    now = now or timezone.now()
    member = User.objects.filter(
        username=User.normalize_username(username), is_staff=False, is_active=True
    ).first()
    matching = _matching_code(member, normalize_code(code))
    if matching is None:
        raise ResetCodeInvalid
    matching = PasswordResetCode.objects.select_for_update().get(pk=matching.pk)
    if matching.used_at is not None:
        raise ResetCodeUsed
    if matching.expires_at <= now:
        raise ResetCodeExpired
    matching.used_at = now
    matching.save(update_fields=["used_at"])
    member.set_password(new_password)
    member.save(update_fields=["password"])
    services.end_sessions(member=member)
    services.record_identity_verification(
        member=member, ip=ip, kind=IdentityVerification.Kind.RESET_CODE, now=now
    )
    # Who and from where is in the identity-verification record, not in the log.
    logger.info("Password set with a reset code issued by the support center")
    return member
