"""The staff lines of the compliance page (안전성 확보조치 기준 제5조, 제6조, 제8조)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from compliance.checks import AMBER, GREEN, RED, Check, admin_url, local_today
from staff.models import PrivilegeChange
from staff.selectors.passwords import with_expired_passwords
from staff.selectors.review import unreviewed_months

# An account unused this long is one to remove (제5조 ①).
STAFF_IDLE_DAYS = 90


def _staff() -> QuerySet[User]:
    """The staff accounts that can log in now."""
    return User.objects.filter(is_staff=True, is_active=True)


def _staff_list(*, key: str, label: str, usernames: list[str], state: str) -> list[Check]:
    """A line naming the staff accounts it is about, ``state`` when there are any."""
    return [
        Check(
            area="staff",
            key=key,
            label=label,
            state=state if usernames else GREEN,
            value=str(len(usernames)),
            detail=", ".join(usernames),
            url=admin_url("accounts_user_changelist") + "?is_staff__exact=1",
        )
    ]


def access_reviews(*, now: datetime.datetime) -> list[Check]:
    """Months of the access review not signed off (고시 제8조): amber for last month, which the
    officer is still reviewing, red for any month before it."""
    months = unreviewed_months(now=now)
    last_month = (local_today(now).replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    late = any(month < last_month for month in months)
    state = RED if late else AMBER if months else GREEN
    return [
        Check(
            area="staff",
            key="staff.review",
            label=_("Access-review months not signed off"),
            state=state,
            value=str(len(months)),
            detail=", ".join(f"{month:%Y-%m}" for month in months),
            url=reverse("access_review"),
        )
    ]


def second_factor(*, now: datetime.datetime) -> list[Check]:
    """Active staff without a confirmed TOTP device: red when the second factor is required."""
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    missing = list(
        _staff().exclude(Exists(confirmed)).order_by("username").values_list("username", flat=True)
    )
    return _staff_list(
        key="staff.second_factor",
        label=_("Staff without a second factor"),
        usernames=missing,
        state=RED if settings.STAFF_REQUIRE_2FA else AMBER,
    )


def staff_passwords(*, now: datetime.datetime) -> list[Check]:
    """Staff passwords past their age or of unknown age, by the rule the admin itself enforces
    (``staff.selectors.passwords``), amber."""
    expired = list(
        with_expired_passwords(_staff(), now=now)
        .order_by("username")
        .values_list("username", flat=True)
    )
    return _staff_list(
        key="staff.passwords",
        label=_("Staff passwords past their age"),
        usernames=expired,
        state=AMBER,
    )


def idle_staff(*, now: datetime.datetime) -> list[Check]:
    """Staff accounts not used for 90 days: accounts to remove (제5조 ①), amber."""
    since = now - datetime.timedelta(days=STAFF_IDLE_DAYS)
    idle = list(
        _staff()
        .filter(Q(last_login__lt=since) | Q(last_login__isnull=True, date_joined__lt=since))
        .order_by("username")
        .values_list("username", flat=True)
    )
    return _staff_list(
        key="staff.idle",
        label=_("Staff not logged in for 90 days"),
        usernames=idle,
        state=AMBER,
    )


def privilege_changes(*, now: datetime.datetime) -> list[Check]:
    """Grants and removals of staff privileges this month: for the officer's knowledge."""
    start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    count = PrivilegeChange.objects.filter(time__gte=start).count()
    return [
        Check(
            area="staff",
            key="staff.privileges",
            label=_("Privilege changes this month"),
            state=GREEN,
            value=str(count),
            url=admin_url("staff_privilegechange_changelist"),
        )
    ]
