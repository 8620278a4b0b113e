"""Every write of breach response (PIPA §34; 시행령 §39–40): the incident, who it affects, the
members' notification with its public notice, their acknowledgements, the report, the close."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Product
from accounts.validators import normalize_member_id
from incidents import selectors
from incidents.exceptions import (
    AlreadyNotified,
    BadReportDate,
    BadScope,
    NotificationsPending,
    PublicNoticeHeld,
    UnknownMembers,
)
from incidents.models import AffectedMember, Incident
from privacy import services as privacy_services
from privacy.models import Notice
from staff.models import AccessRecord

# How members are chosen: every member, the members of a product, the members whose records
# a staff account accessed in a period (its access records say whom), or a list of IDs.
SCOPE_ALL = "all"
SCOPE_PRODUCT = "product"
SCOPE_ACCESSED = "accessed"
SCOPE_IDS = "ids"
# Rows inserted per statement: bounds memory for a selection of every member.
INSERT_BATCH = 1000


@transaction.atomic
def save_incident(*, incident: Incident, by=None) -> Incident:
    """Record a new incident (by ``by``), or save the officer's changes to one."""
    if incident.pk is None:
        incident.created_by = by
    incident.save()
    return incident


def _members() -> QuerySet:
    """Open members' accounts: staff accounts are not members, a withdrawn one cannot log in to
    read the notice (the public notice tells them)."""
    return get_user_model().objects.filter(
        is_staff=False, is_superuser=False, closed_at__isnull=True
    )


def _scope_members(
    *, scope, product, staff, since, until, usernames: Iterable[str] | None
) -> QuerySet:
    if scope == SCOPE_ALL:
        return _members()
    if scope == SCOPE_PRODUCT:
        if not isinstance(product, Product):
            raise BadScope(_("Choose the product whose members are affected."))
        return _members().filter(product=product)
    if scope == SCOPE_ACCESSED:
        if staff is None or since is None or until is None or since >= until:
            raise BadScope(_("Name the staff account and a period that ends after it starts."))
        # By the handler's ID and time, the index the monthly review reads too.
        accessed = AccessRecord.objects.filter(
            staff_username=staff.username, time__gte=since, time__lt=until, member__isnull=False
        ).values("member_id")
        return _members().filter(pk__in=accessed)
    if scope == SCOPE_IDS:
        wanted = {normalize_member_id(name) for name in usernames or () if name.strip()}
        if not wanted:
            raise BadScope(_("Enter at least one member ID."))
        found = _members().filter(username__in=wanted)
        unknown = wanted - set(found.values_list("username", flat=True))
        if unknown:
            raise UnknownMembers(sorted(unknown))
        return found
    raise BadScope(_("Choose how the affected members are selected."))


@dataclass(frozen=True)
class Selection:
    added: int
    total: int


@transaction.atomic
def select_affected(
    *,
    incident: Incident,
    scope: str,
    product: Product | None = None,
    staff=None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    usernames: Iterable[str] | None = None,
    now: datetime.datetime | None = None,
) -> Selection:
    """Add the members ``scope`` selects to those the incident affects; returns how many were
    added and how many it affects now.

    Selecting again adds only members not yet there: the unique constraint skips the others,
    also when two selections run at once. A list naming an ID that is no open member's account
    raises UnknownMembers and adds nobody.
    """
    now = now or timezone.now()
    members = _scope_members(
        scope=scope, product=product, staff=staff, since=since, until=until, usernames=usernames
    )
    before = incident.affected.count()
    pks = members.order_by("pk").values_list("pk", flat=True)
    batch: list[AffectedMember] = []
    for pk in pks.iterator(chunk_size=INSERT_BATCH):
        batch.append(AffectedMember(incident=incident, member_id=pk, time=now))
        if len(batch) == INSERT_BATCH:
            AffectedMember.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    AffectedMember.objects.bulk_create(batch, ignore_conflicts=True)
    total = incident.affected.count()
    return Selection(added=total - before, total=total)


@transaction.atomic
def notify_members(*, incident: Incident, now: datetime.datetime | None = None) -> Incident:
    """PIPA §34 ①, 시행령 §39: notify the affected members through the portal and publish the
    pinned public notice for those who do not log in, in one transaction.

    From now on each affected member sees the notice at their next login and on their data
    page. Raises AlreadyNotified for an incident notified before (a double submit included).
    """
    now = now or timezone.now()
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.members_notified_at is not None:
        raise AlreadyNotified
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Notice of a personal data breach: %(title)s") % {"title": incident.title}
    incident.public_notice = privacy_services.publish_notice(
        title=title, body=selectors.public_notice_text(incident), pinned=True, now=now
    )
    incident.members_notified_at = now
    incident.save(update_fields=["public_notice", "members_notified_at"])
    return incident


def acknowledge_notice(
    *, notice: AffectedMember, now: datetime.datetime | None = None
) -> AffectedMember:
    """Record that the member read the breach notice; the first acknowledgement stands.

    One conditional UPDATE: of two submissions at once, only one finds the time still empty.
    """
    AffectedMember.objects.filter(pk=notice.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now or timezone.now()
    )
    notice.refresh_from_db(fields=["acknowledged_at"])
    return notice


@transaction.atomic
def record_report_sent(
    *, incident: Incident, sent_at: datetime.datetime, now: datetime.datetime | None = None
) -> Incident:
    """시행령 §40: record when the report went to the PIPC or KISA (between the discovery and
    now); recording it again corrects the date."""
    if not incident.discovered_at <= sent_at <= (now or timezone.now()):
        raise BadReportDate
    incident.authority_report_sent_at = sent_at
    incident.save(update_fields=["authority_report_sent_at"])
    return incident


@transaction.atomic
def close_incident(*, incident: Incident, now: datetime.datetime | None = None) -> Incident:
    """Close the incident once its clock stopped: members notified and, where required, the
    report sent. Raises NotificationsPending otherwise."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    numbers = selectors.counts(incident)
    if selectors.clock(incident, affected=numbers.affected, now=now).running:
        raise NotificationsPending
    if incident.closed_at is None:
        incident.closed_at = now or timezone.now()
        incident.save(update_fields=["closed_at"])
    return incident


def guard_public_notice(
    *, notice: Notice, removing: bool, now: datetime.datetime | None = None
) -> None:
    """Raise PublicNoticeHeld when ``notice`` is a breach's public notice younger than 30 days
    (시행령 §39 ③) and would be deleted (``removing``), unpinned or moved out of sight."""
    until = selectors.public_notice_until(notice)
    now = now or timezone.now()
    if until is None or now >= until:
        return
    if removing or not notice.pinned or notice.published_at > now:
        raise PublicNoticeHeld(until)
