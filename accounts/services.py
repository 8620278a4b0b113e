"""Every write about members: sign-up, records, correction, withdrawal, password reset codes."""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
import secrets
import threading
from collections.abc import Sequence
from contextlib import nullcontext

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from accounts.exceptions import (
    IdTaken,
    NoPolicyInForce,
    ResetCodeExpired,
    ResetCodeInvalid,
    ResetCodeUsed,
    SignupLimitReached,
)
from accounts.models import (
    IdentityVerification,
    MemberSession,
    MisuseRecord,
    PasswordResetCode,
    Product,
    User,
    VisitDay,
    VisitRecord,
)
from accounts.signals import account_closed
from accounts.validators import normalize_member_id
from core.dates import count_per_period, local_midnight
from privacy.models import Consent
from privacy.selectors import policy_in_force
from privacy.services import note_correction

logger = logging.getLogger("nexcore.accounts")

SIGNUP_WINDOW = datetime.timedelta(days=1)
ONE_DAY = datetime.timedelta(days=1)
# A request that began before midnight may write its visit record a little after: a day's
# count is kept only once the day has been over this long.
VISIT_DAY_SETTLES = datetime.timedelta(minutes=5)
RESET_CODE_LIFETIME = datetime.timedelta(minutes=30)
# No 0/O or 1/I/L: the code is read aloud over the phone.
RESET_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RESET_CODE_LENGTH = 10


def signups_left(*, ip: str | None, now: datetime.datetime) -> int:
    """How many more accounts ``ip`` may open now (policy §2 가 가입횟수 제한, 24 rolling hours)."""
    if ip is None:
        return settings.SIGNUPS_PER_IP_PER_DAY
    opened = Consent.objects.filter(
        kind=Consent.Kind.SIGNUP, ip=ip, given_at__gt=now - SIGNUP_WINDOW
    ).count()
    return max(settings.SIGNUPS_PER_IP_PER_DAY - opened, 0)


def _serialise_signups(ip: str | None) -> None:
    """Make concurrent sign-ups from ``ip`` count and insert one after the other.

    PostgreSQL's READ COMMITTED would let each of them count the others' accounts as not yet
    there: a transaction-scoped advisory lock on the address orders them. SQLite already runs
    write transactions one at a time (``transaction_mode`` IMMEDIATE in settings).
    """
    connection = transaction.get_connection()
    if ip is None or connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"signup:{ip}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)]
        )


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
    policy to consent to, IdTaken when another sign-up took the ID a moment before. Validation
    of the values themselves is the form's job.
    """
    now = now or timezone.now()
    member = User(
        username=User.normalize_username(username),
        company=company,
        project=project,
        product=product,
        date_joined=now,
    )
    # Hashing is the slow part: done before the transaction, it holds no lock meanwhile.
    member.set_password(password)
    try:
        with transaction.atomic():
            _serialise_signups(ip)
            if signups_left(ip=ip, now=now) <= 0:
                raise SignupLimitReached
            version = policy_in_force(now=now)
            if version is None:
                raise NoPolicyInForce
            member.save()
            Consent.objects.create(
                member=member,
                policy_version=version,
                kind=Consent.Kind.SIGNUP,
                given_at=now,
                ip=ip,
            )
    except IntegrityError:
        if User.objects.filter(username=member.username).exists():
            raise IdTaken from None
        raise
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
) -> None:
    """Keep a 방문 record (policy §5 나: three months). The query string is never stored.

    Every request writes one, so it is a single prepared INSERT, not a model save (no signal
    listens to visit records). It is written before the response leaves, so a worker killed at
    any moment loses none. On PostgreSQL this one transaction commits without waiting for its
    WAL flush: only a crash of the database server itself, not of a worker, can lose the last
    few hundred milliseconds of visits (three ``wal_writer_delay``), and no other record.
    """
    row = {
        "ip": ip,
        "member_id": member.pk if member is not None else None,
        "method": method[: VisitRecord._meta.get_field("method").max_length],
        "path": path[: VisitRecord._meta.get_field("path").max_length],
        "status": status,
    }
    alias = router.db_for_write(VisitRecord)
    connection = connections[alias]
    sql, fields = _visit_insert(alias)
    values = [
        field.get_db_prep_save(
            row[field.attname] if field.attname in row else field.get_default(), connection
        )
        for field in fields
    ]
    # SQLite lets one writer in at a time and a thread that finds it busy sleeps in steps of a
    # millisecond or more; queuing the visit writes of a worker's threads here costs microseconds.
    # PostgreSQL takes them side by side.
    queue = _one_visit_write_at_a_time if connection.vendor == "sqlite" else nullcontext()
    with queue, connection.cursor() as cursor:
        cursor.execute(sql, values)


_one_visit_write_at_a_time = threading.Lock()


@functools.cache
def _visit_insert(alias: str) -> tuple[str, list]:
    """The INSERT of a visit record, over every concrete field but the automatic key."""
    quote = connections[alias].ops.quote_name
    fields = [field for field in VisitRecord._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(VisitRecord._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    if connections[alias].vendor == "postgresql":
        # One statement string, one round trip: the SET lasts only for this transaction.
        sql = f"SET LOCAL synchronous_commit TO OFF; {sql}"
    return sql, fields


def count_visits_per_day(
    *, days: Sequence[datetime.date], now: datetime.datetime
) -> dict[datetime.date, int]:
    """How many visits each local day of ``days`` had, every visitor counted.

    A day that is over is counted once and kept (``VisitDay``): the staff dashboard then reads
    a row per day, not three months of requests. Days not yet settled are counted afresh, all
    in one query.
    """
    settled = [day for day in days if local_midnight(day + ONE_DAY) + VISIT_DAY_SETTLES <= now]
    counts = dict(VisitDay.objects.filter(day__in=settled).values_list("day", "visits"))
    counted = [VisitDay(day=day, visits=_visits_on(day)) for day in settled if day not in counts]
    # Two dashboards counting the same day at once write the same number: keep either.
    VisitDay.objects.bulk_create(counted, ignore_conflicts=True)
    counts.update((row.day, row.visits) for row in counted)
    unsettled = sorted(set(days) - set(settled))
    if unsettled:
        bounds = [local_midnight(day) for day in unsettled]
        bounds.append(local_midnight(unsettled[-1] + ONE_DAY))
        # Only consecutive days can be unsettled (today, and yesterday just after midnight).
        counts.update(
            zip(unsettled, count_per_period(VisitRecord.objects.all(), "time", bounds), strict=True)
        )
    return {day: counts[day] for day in days}


def _visits_on(day: datetime.date) -> int:
    return VisitRecord.objects.filter(
        time__gte=local_midnight(day), time__lt=local_midnight(day + ONE_DAY)
    ).count()


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
    keep; ``account_closed`` lets other apps discard what they tie to the account, in the same
    transaction. The caller has confirmed the password first.
    """
    member.is_active = False
    member.closed_at = now or timezone.now()
    member.set_unusable_password()
    member.save(update_fields=["is_active", "closed_at", "password"])
    # A reset code has no purpose once the account is closed.
    member.reset_codes.all().delete()
    end_sessions(member=member)
    account_closed.send(sender=User, member=member)
    return member


# --- Password reset codes: account recovery without e-mail (policy §1 가, §10) ----------------
# Members give no e-mail address or phone number, so the support center's own channel is the
# way back in: staff verify a caller and issue a code (staff.services.recovery), the member
# redeems it here.


def can_reset(member: User) -> bool:
    """Only an open member account is reset with a code; never a staff or a closed one."""
    return member.is_active and not member.is_staff and not member.is_superuser


def normalize_code(code: str) -> str:
    return "".join(char for char in code.upper() if char in RESET_CODE_ALPHABET)


@transaction.atomic
def create_reset_code(
    *,
    verification: IdentityVerification,
    issued_by: User,
    now: datetime.datetime | None = None,
) -> str:
    """Return a new one-time code for the verified member, valid 30 minutes; only its hash is
    kept. Any unused code issued to the member before is cancelled."""
    now = now or timezone.now()
    # Two staff issuing codes at once: the second waits, then cancels the first one's code.
    member = User.objects.select_for_update().get(pk=verification.member_id)
    member.reset_codes.filter(used_at__isnull=True).delete()
    code = "".join(secrets.choice(RESET_CODE_ALPHABET) for _ in range(RESET_CODE_LENGTH))
    PasswordResetCode.objects.create(
        member=member,
        code_hash=make_password(code),
        verification=verification,
        issued_by=issued_by,
        created_at=now,
        expires_at=now + RESET_CODE_LIFETIME,
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
    end_sessions(member=member)
    record_identity_verification(
        member=member, ip=ip, kind=IdentityVerification.Kind.RESET_CODE, now=now
    )
    # Who and from where is in the identity-verification record, not in the log.
    logger.info("Password set with a reset code issued by the support center")
    return member
