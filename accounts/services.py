"""Every write about members: sign-up, records, correction, withdrawal."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.exceptions import NoPolicyInForce, SignupLimitReached
from accounts.models import (
    IdentityVerification,
    MemberSession,
    MisuseRecord,
    Product,
    StaffCredential,
    User,
    VisitRecord,
)
from accounts.validators import normalize_member_id
from privacy.disclosures import note_correction
from privacy.models import Consent
from privacy.selectors import policy_in_force

SIGNUP_WINDOW = datetime.timedelta(days=1)


def signups_left(*, ip: str | None, now: datetime.datetime) -> int:
    """How many more accounts ``ip`` may open now (policy §2 가 가입횟수 제한, 24 rolling hours)."""
    if ip is None:
        return settings.SIGNUPS_PER_IP_PER_DAY
    opened = Consent.objects.filter(
        kind=Consent.Kind.SIGNUP, ip=ip, given_at__gt=now - SIGNUP_WINDOW
    ).count()
    return max(settings.SIGNUPS_PER_IP_PER_DAY - opened, 0)


@transaction.atomic
def register_member(
    *,
    username: str,
    password: str,
    company: str,
    project: str,
    product: Product,
    ip: str | None,
    now: datetime.datetime | None = None,
) -> User:
    """Create a member and record their consent to the policy version in force.

    Policy §1 가: nothing but ID, password, company, project and product is stored. Raises
    SignupLimitReached when ``ip`` used up today's allowance, NoPolicyInForce when there is no
    policy to consent to. Validation of the values themselves is the form's job.
    """
    now = now or timezone.now()
    if signups_left(ip=ip, now=now) <= 0:
        raise SignupLimitReached
    version = policy_in_force(now=now)
    if version is None:
        raise NoPolicyInForce
    member = User.objects.create_user(
        username=username,
        password=password,
        company=company,
        project=project,
        product=product,
        date_joined=now,
    )
    Consent.objects.create(
        member=member, policy_version=version, kind=Consent.Kind.SIGNUP, given_at=now, ip=ip
    )
    return member


def record_identity_verification(
    *, member: User, ip: str | None, kind: str, now: datetime.datetime | None = None
) -> IdentityVerification:
    """Keep a 본인확인 record (policy §5 나: six months) of a login, re-check or password change."""
    return IdentityVerification.objects.create(
        member=member, ip=ip, kind=kind, time=now or timezone.now()
    )


def record_visit(
    *, ip: str | None, member: User | None, method: str, path: str, status: int
) -> VisitRecord:
    """Keep a 방문 record (policy §5 나: three months). The query string is never stored."""
    return VisitRecord.objects.create(
        ip=ip,
        member=member,
        method=method[: VisitRecord._meta.get_field("method").max_length],
        path=path[: VisitRecord._meta.get_field("path").max_length],
        status=status,
    )


def record_lockout(*, username: str, ip: str | None) -> MisuseRecord:
    """Keep a 부정이용 record (policy §5 가: one year) of a login lockout."""
    username = normalize_member_id(username)[
        : MisuseRecord._meta.get_field("username_tried").max_length
    ]
    return MisuseRecord.objects.create(
        kind=MisuseRecord.Kind.LOCKOUT,
        ip=ip,
        username_tried=username,
        member=User.objects.filter(username=username).first(),
    )


@transaction.atomic
def change_profile(*, member: User, company: str, project: str, product: Product) -> User:
    """Correct the member's company, project and product (policy §7 정정).

    Recipients that already received the member's data are queued to be told (policy §7).
    """
    changed = [
        name
        for name, value in (("company", company), ("project", project), ("product", product))
        if getattr(member, name) != value
    ]
    member.company = company
    member.project = project
    member.product = product
    member.save(update_fields=["company", "project", "product"])
    note_correction(member=member, fields=changed)
    return member


def end_sessions(*, member: User, keep_session_key: str | None = None) -> int:
    """End every session of ``member`` on every device, except ``keep_session_key``."""
    sessions = MemberSession.objects.filter(member=member)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    deleted, _ = sessions.delete()
    return deleted


@transaction.atomic
def close_account(*, member: User, now: datetime.datetime | None = None) -> User:
    """Withdraw the member (회원탈퇴, policy §7) at once.

    The account can no longer log in, its password hash and reset codes are discarded, every
    session ends, and ``closed_at`` starts the retention clock of the records the law makes us
    keep. The caller has confirmed the password first.
    """
    member.is_active = False
    member.closed_at = now or timezone.now()
    member.set_unusable_password()
    member.save(update_fields=["is_active", "closed_at", "password"])
    # A closing staff account discards its old hashes with the current one.
    StaffCredential.objects.filter(user=member).update(previous_hashes=[])
    # A reset code has no purpose once the account is closed.
    member.reset_codes.all().delete()
    end_sessions(member=member)
    return member
