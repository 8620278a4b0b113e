"""Access control of the staff side (안전성 확보조치 기준 제6조; policy §9 나/다).

Staff sessions end after ``STAFF_IDLE_MINUTES`` without a request; the admin answers only the
networks of ``ADMIN_ALLOWED_NETWORKS`` and keeps every refused attempt as a misuse record; after
logging in, a staff member is shown when and from where their account last logged in, so that
someone else's use of it is noticed.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import IdentityVerification, MisuseRecord, User

REFUSED_PATH_LENGTH = 255


@dataclass(frozen=True)
class PreviousLogin:
    """A staff account's successful login before the current one."""

    time: datetime.datetime
    ip: str | None


def staff_logged_in(
    *, user: User, ip: str | None, record: bool, now: datetime.datetime | None = None
) -> PreviousLogin | None:
    """The previous successful login of ``user``, read before this one is recorded.

    Logins are the identity-verification records (kept six months): ``record`` writes this
    login's, for a login page that does not write its own (the admin's; the member login page
    writes it itself). None when no earlier login is on record.
    """
    previous = (
        IdentityVerification.objects.filter(member=user, kind=IdentityVerification.Kind.LOGIN)
        .order_by("-time", "-id")
        .values_list("time", "ip")
        .first()
    )
    if record:
        accounts_services.record_identity_verification(
            member=user, ip=ip, kind=IdentityVerification.Kind.LOGIN, now=now
        )
    return PreviousLogin(*previous) if previous else None


def idle_too_long(*, last_activity: datetime.datetime, now: datetime.datetime) -> bool:
    """Whether a staff session whose last request was at ``last_activity`` has ended by ``now``."""
    return now - last_activity > datetime.timedelta(minutes=settings.STAFF_IDLE_MINUTES)


def admin_reachable_from(*, ip: str | None) -> bool:
    """Whether the admin answers ``ip``: anywhere when no networks are listed; otherwise only
    an address inside one of them (an address that cannot be known is outside)."""
    networks = settings.ADMIN_ALLOWED_NETWORKS
    if not networks:
        return True
    if ip is None:
        return False
    address = ipaddress.ip_address(ip)
    # A dual-stack listener reports an IPv4 client as ::ffff:a.b.c.d; the networks say a.b.c.d.
    address = getattr(address, "ipv4_mapped", None) or address
    return any(address in network for network in networks)


def refuse_admin_request(
    *, ip: str | None, user: User | None, method: str, path: str
) -> MisuseRecord:
    """Keep a misuse record (one year) of an admin request from outside the allowed networks.

    It holds what a misuse record holds: the time, the address, the account when the request
    came with a logged-in session, and the request line without its query string.
    """
    return MisuseRecord.objects.create(
        time=timezone.now(),
        kind=MisuseRecord.Kind.ADMIN_OUTSIDE_NETWORK,
        ip=ip,
        member=user,
        reason=f"{method} {path}"[:REFUSED_PATH_LENGTH],
    )
