"""The record categories of policy §5 and their periods: the single source of truth.

Every page, report, command and test that needs a retention period reads it from here, and
every table that holds personal data is registered here under the category its rows belong
to, with the date column that starts the clock (``Source``). A table that is not registered
is a table the purge never cleans, so the registry test lists every model that can name a
member.

Period arithmetic follows the Civil Act (민법) §157 and §160, in the site's time zone: the day
a record is made is not counted; a period of N months ends at the end of the day before the
same day N months after the first counted day, or at the end of that month when it has no such
day. A record is due for destruction at 00:00 right after its period ends. So a record made at
any time on 15 January with a one-month period is due on 16 February 00:00, and one made on
31 January is due on 1 March 00:00. Leap days: a one-year record made on 29 February 2024
counts from 1 March 2024 and is due on 1 March 2025, and a one-month record made on
28 January 2024 counts from 29 January and is due on 29 February 2024.

The purge works the other way round: ``purge_cutoff(category, now)`` is the instant before
which every record is due at ``now``, so a bulk ``DELETE … WHERE clock < cutoff`` removes
exactly the records ``due_date`` says are due, and never one a day early.
"""

from __future__ import annotations

import calendar
import datetime
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce

from django.apps import apps
from django.db import models, router
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import local_midnight

# How a source's rows name the member they belong to, for legal holds and the my-data page.
MEMBER_FK = "member"  # a foreign key to the member (accounts.User)
MEMBER_ID = "username"  # a text column holding the member's ID
MEMBER_KEY = "key"  # the member's stable archive key, "accounts_user:<pk>"


@dataclass(frozen=True)
class Source:
    """One table whose rows belong to a category.

    ``model`` is "app_label.modelname"; ``clock`` the lookup of the date that starts the period
    (it may follow a relation, e.g. ``member__closed_at``); ``where`` narrows the table to the
    rows of this category; ``owners`` lists the columns that name a row's member and how
    (``MEMBER_FK``, ``MEMBER_ID`` or ``MEMBER_KEY``). A source with ``purge=False`` leaves its
    database only by being archived (a closed member's consents), never by being destroyed in
    place.
    """

    model: str
    clock: str
    owners: tuple[tuple[str, str], ...] = ()
    where: Q = field(default_factory=Q)
    purge: bool = True
    # (storage alias, field): each row names a file in that storage, which goes with the row.
    files: tuple[str, str] | None = None
    # Columns naming members whose legal hold keeps the row although it is not theirs (it does
    # not go to the archive with them): a contract stays while a held member's link needs it.
    held_with: tuple[tuple[str, str], ...] = ()

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def database(self) -> str:
        return router.db_for_write(self.model_class)

    def rows(self) -> models.QuerySet:
        """Every row of this source, in its own database; no instance is loaded."""
        return self.model_class._base_manager.using(self.database).filter(self.where)

    def owned_by(
        self,
        *,
        pks: Iterable[int] = (),
        usernames: Iterable[str] = (),
        keys: Iterable[str] = (),
        held: bool = False,
    ) -> Q:
        """A filter for the rows that name any of the given members; matches nothing if none.

        With ``held``, also the rows their legal hold keeps (``held_with``).
        """
        values = {MEMBER_FK: list(pks), MEMBER_ID: list(usernames), MEMBER_KEY: list(keys)}
        columns = self.owners + self.held_with if held else self.owners
        conditions = [
            Q(**{f"{column}__in": values[kind]}) for column, kind in columns if values[kind]
        ]
        if not conditions:
            return Q(pk__in=[])
        return reduce(operator.or_, conditions)


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    months: int
    basis: str
    clock: str
    sources: tuple[Source, ...] = ()

    @property
    def period(self) -> str:
        if self.months == 0:
            return "account"
        if self.months % 12 == 0:
            return f"{self.months // 12}y"
        return f"{self.months}m"


def _archived(key: str) -> Source:
    """A category's copies in the archive database (policy §6 가, "별도의 DB")."""
    return Source(
        "retention.archivedrecord", "time", (("member_key", MEMBER_KEY),), where=Q(category=key)
    )


def _support_rows(*, complaint: bool) -> tuple[Source, ...]:
    """The support desk's tables: complaints (policy §5 complaint records, clocked from their
    resolution) or ordinary inquiries (kept with the account, clocked from their creation)."""
    owner, attachment_file = (("member", MEMBER_FK),), ("attachments", "storage_name")
    clock = "resolved_at" if complaint else "created_at"
    parts = Q(inquiry__is_complaint=complaint)
    return (
        Source("support.attachment", f"inquiry__{clock}", owner, parts, files=attachment_file),
        Source("support.message", f"inquiry__{clock}", owner, parts),
        Source("support.statuschange", f"inquiry__{clock}", owner, parts),
        Source("support.inquiry", clock, owner, Q(is_complaint=complaint)),
    )


# Admin log entries about member and group rows record who was given or lost staff rights;
# every other admin log entry records a staff member handling data (개인정보 접속기록).
_PRIVILEGE_LOG = Q(content_type__app_label="accounts", content_type__model="user") | Q(
    content_type__app_label="auth", content_type__model="group"
)

CATEGORIES: tuple[Category, ...] = (
    Category(
        key="visit",
        label=_("Visit records"),
        months=3,
        basis=_("Protection of Communications Secrets Act"),
        clock=_("the visit"),
        sources=(
            Source("accounts.visitrecord", "time", (("member", MEMBER_FK),)),
            # django-axes' access log (AXES_DISABLE_ACCESS_LOG keeps it empty; registered anyway).
            Source("axes.accesslog", "attempt_time", (("username", MEMBER_ID),)),
            _archived("visit"),
        ),
    ),
    Category(
        key="identity",
        label=_("Identity-verification records"),
        months=6,
        basis=_("Network Act"),
        clock=_("the verification"),
        sources=(
            Source("accounts.identityverification", "time", (("member", MEMBER_FK),)),
            _archived("identity"),
        ),
    ),
    Category(
        key="misuse",
        label=_("Misuse records"),
        months=12,
        basis=_("Internal policy: preventing misuse"),
        clock=_("the event"),
        sources=(
            Source(
                "accounts.misuserecord",
                "time",
                # A lockout names the ID tried, which may be the member's with or without a
                # link to their row (the link is made only when the ID existed at the time).
                (("member", MEMBER_FK), ("username_tried", MEMBER_ID)),
            ),
            # django-axes' failed-login counters name the ID and address that were tried.
            Source("axes.accessattempt", "attempt_time", (("username", MEMBER_ID),)),
            Source("axes.accessfailurelog", "attempt_time", (("username", MEMBER_ID),)),
            _archived("misuse"),
        ),
    ),
    Category(
        key="complaint",
        label=_("Consumer complaint and dispute records"),
        months=36,
        basis=_("E-Commerce Consumer Protection Act"),
        clock=_("the complaint's resolution"),
        sources=(
            # Requests under policy §7 received from members by letter, phone, e-mail or web.
            # The clock starts at the answer: an open request is never due.
            Source("privacy.privacyrequest", "resolved_at", (("member", MEMBER_FK),)),
            # Support inquiries marked as complaints, with their thread; the parts before the
            # inquiry itself, as the archive move copies them in this order.
            *_support_rows(complaint=True),
            _archived("complaint"),
        ),
    ),
    Category(
        key="contract",
        label=_("Contract and withdrawal records"),
        months=60,
        basis=_("E-Commerce Consumer Protection Act"),
        clock=_("the withdrawal from membership or the contract's end"),
        sources=(
            # While the account is open its consents have no due date; at withdrawal they move
            # to the archive with the member record, whose clock is the withdrawal.
            Source("privacy.consent", "member__closed_at", (("member", MEMBER_FK),), purge=False),
            # A staff account's second factor and password history: not records, they go with
            # the account.
            Source("otp_totp.totpdevice", "user__closed_at", (("user", MEMBER_FK),), purge=False),
            Source("staff.staffcredential", "user__closed_at", (("user", MEMBER_FK),), purge=False),
            Source("retention.archivedmember", "closed_at", (("source_key", MEMBER_KEY),)),
            # Support contracts concern a company: kept five years from the contract's end. A
            # member's link to one (who was covered when) is that member's contract record and
            # goes to the archive at withdrawal; the contract itself stays. Links and changes
            # before the contract, as the purge deletes in this order.
            Source("selfservice.coverage", "contract__ends_on", (("member", MEMBER_FK),)),
            # Changes name the staff member who made them, not a member of the contract.
            Source(
                "selfservice.contractchange",
                "contract__ends_on",
                held_with=(("contract__coverages__member", MEMBER_FK),),
            ),
            Source(
                "selfservice.contract",
                "ends_on",
                held_with=(("coverages__member", MEMBER_FK),),
            ),
            _archived("contract"),
        ),
    ),
    Category(
        key="payment",
        label=_("Payment and supply records"),
        months=60,
        basis=_("E-Commerce Consumer Protection Act"),
        clock=_("the payment or supply"),
        sources=(
            # Invoices of a contract, from their payment: an unpaid one's clock has not started.
            Source("selfservice.payment", "paid_on"),
            # 재화 등의 공급에 관한 기록: each download of a release by a member.
            Source("selfservice.download", "time", (("member", MEMBER_FK),)),
            _archived("payment"),
        ),
    ),
    Category(
        key="staff_access",
        label=_("Staff access records to personal data"),
        months=24,
        basis=_("Personal information safety standard"),
        clock=_("the access"),
        sources=(
            Source(
                "admin.logentry",
                "action_time",
                (("object_repr", MEMBER_ID),),
                where=~_PRIVILEGE_LOG,
            ),
            # The portal's own access records, named by member and by the handler's ID.
            Source(
                "staff.accessrecord",
                "time",
                (("member", MEMBER_FK), ("staff_username", MEMBER_ID)),
            ),
            # Provision of a member's data to a third party (policy §3) is a handling of it.
            Source("privacy.disclosedmember", "time", (("member", MEMBER_FK),)),
            # Who a personal-data breach affected (PIPA §34), listed for the officer's
            # notification: a handling of the member's data too; a row per member.
            Source("incidents.affectedmember", "time", (("member", MEMBER_FK),)),
            # The officer's monthly sign-off of the access records (고시 제8조) goes with them.
            # It names the officer only, and stays in place: a month once signed off must not
            # look unreviewed again because the officer's account was closed.
            Source("staff.accessreviewsignoff", "signed_at"),
            _archived("staff_access"),
        ),
    ),
    Category(
        key="privilege_change",
        label=_("Grants and removals of staff privileges"),
        months=36,
        basis=_("Personal information safety standard"),
        clock=_("the change"),
        sources=(
            Source(
                "admin.logentry", "action_time", (("object_repr", MEMBER_ID),), where=_PRIVILEGE_LOG
            ),
            Source(
                "staff.privilegechange",
                "time",
                (("subject", MEMBER_FK), ("changed_by_username", MEMBER_ID)),
            ),
            _archived("privilege_change"),
        ),
    ),
)

BY_KEY: dict[str, Category] = {category.key: category for category in CATEGORIES}

# Not records the law makes us keep: data that serves the account itself (policy §5 본문,
# "목적이 달성되면 지체 없이 파기"). Ordinary support inquiries are customer consultation; they are
# kept while the account is open and destroyed — not archived — when it closes. No period
# applies, so the purge never looks at them; the archive move deletes them.
WITH_THE_ACCOUNT = Category(
    key="account",
    label=_("Customer consultation (support inquiries)"),
    months=0,
    basis=_("Privacy policy §2 and §5: kept for the purpose, while you are a member"),
    clock=_("your withdrawal"),
    sources=_support_rows(complaint=False),
)

# Not records at all: Django sessions are destroyed as soon as they expire (policy §5 본문,
# "목적이 달성되면 지체 없이 파기"); the purge removes the expired rows the login flow leaves.
EXPIRING: tuple[Source, ...] = (
    Source("accounts.membersession", "expire_date", (("member", MEMBER_FK),)),
    Source("accounts.passwordresetcode", "expires_at", (("member", MEMBER_FK),)),
)


def category(key: str) -> Category:
    """Return the category registered under ``key``; KeyError for an unknown key."""
    return BY_KEY[key]


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the first day of the next month when there is none."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if day.day > calendar.monthrange(year, month)[1]:
        return add_months(datetime.date(year, month, 1), 1)
    return datetime.date(year, month, day.day)


def as_moment(value: datetime.date | datetime.datetime | None) -> datetime.datetime | None:
    """A clock's value as an instant: a date is its first moment in the site's time zone."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    return local_midnight(value)


def due_date(
    category: Category, started_at: datetime.datetime | datetime.date
) -> datetime.datetime:
    """Return the instant a record of ``category`` whose clock started at ``started_at`` is due.

    See the module docstring for the rule: the first counted day is the day after the local
    date of ``started_at``; the result is local midnight of that day ``category.months`` later.
    """
    zone = timezone.get_default_timezone()
    first_counted_day = timezone.localtime(as_moment(started_at), zone).date()
    first_counted_day += datetime.timedelta(days=1)
    return local_midnight(add_months(first_counted_day, category.months))


def purge_cutoff(category: Category, now: datetime.datetime) -> datetime.datetime:
    """The instant ``c`` such that a record started at ``t`` is due at ``now`` iff ``t < c``.

    Policy §5/§6: the inverse of ``due_date``, so the purge can select due rows with one indexed
    comparison. ``add_months`` never decreases as its day increases, so the first counted days
    whose due day has come form a run of dates ending at a last one, ``last``; a record is due
    when its local date is before ``last``, that is when it was made before midnight of ``last``.
    """
    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    # Start a few days before the same day ``months`` back (clamped to the month's end), where
    # the due day has certainly come, and walk forward to the last first-counted day that is due.
    back = today.month - 1 - category.months
    year, month = today.year + back // 12, back % 12 + 1
    last = datetime.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    last -= datetime.timedelta(days=4)
    while add_months(last, category.months) > today:
        last -= datetime.timedelta(days=1)
    while add_months(last + datetime.timedelta(days=1), category.months) <= today:
        last += datetime.timedelta(days=1)
    return local_midnight(last)
