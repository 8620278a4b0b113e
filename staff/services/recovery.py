"""Account recovery without e-mail, the staff's half: verify a caller, issue a one-time code.

Members give no e-mail address or phone number (policy §1 가), so the support center's own
channel — phone, letter or e-mail to the contacts of policy §10 — is the way back in. The member
redeems the code with ``accounts.services.redeem_reset_code``.
"""

from __future__ import annotations

import datetime
import unicodedata

from django.db import transaction
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import IdentityVerification, Product, User
from staff.exceptions import CallerNotVerified, NotAMember
from staff.models import AccessRecord
from staff.services.audit import record_member_access


def _comparable(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


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
    if not accounts_services.can_reset(member):
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
    """Return a new one-time code for the verified member (shown once), with its access record.

    Any code issued to the member before and not used is cancelled.
    """
    now = now or timezone.now()
    code = accounts_services.create_reset_code(verification=verification, issued_by=staff, now=now)
    record_member_access(
        staff=staff,
        ip=ip,
        action=AccessRecord.Action.RESET_CODE,
        member=verification.member,
        now=now,
    )
    return code
