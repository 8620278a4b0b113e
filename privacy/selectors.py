"""Reads of privacy shared by pages, forms, services and commands: the policy, notices,
consents, members' requests and the provisions to third parties."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from privacy.models import (
    Consent,
    CorrectionNotice,
    Disclosure,
    Notice,
    PolicyVersion,
    PrivacyRequest,
)


def live_versions() -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.filter(withdrawn_at__isnull=True)


def policy_in_force(*, now: datetime.datetime | None = None) -> PolicyVersion | None:
    """Return the version in force at ``now``: the latest effective one not withdrawn."""
    now = now or timezone.now()
    return live_versions().filter(effective_at__lte=now).order_by("-effective_at").first()


def upcoming_versions(*, now: datetime.datetime | None = None) -> QuerySet[PolicyVersion]:
    """Announced versions that will take effect later, soonest first."""
    now = now or timezone.now()
    return live_versions().filter(effective_at__gt=now).order_by("effective_at")


def _in_force_and_upcoming(*, now: datetime.datetime) -> QuerySet[PolicyVersion]:
    """The version in force and the announced ones after it, in order of taking effect: a
    member's standing, and what the banner of a coming change (policy §12) shows and compares
    with, in one query."""
    in_force = live_versions().filter(effective_at__lte=now).order_by("-effective_at")
    # Every member's page asks: the text itself, tens of kilobytes, stays in the database.
    return (
        live_versions()
        .filter(Q(effective_at__gt=now) | Q(pk=Subquery(in_force.values("pk")[:1])))
        .defer("body")
        .order_by("effective_at")
    )


def latest_announced_version() -> PolicyVersion | None:
    return live_versions().order_by("-effective_at").first()


def version_before(version: PolicyVersion) -> PolicyVersion | None:
    """The live version that precedes ``version``: what a reader compares it with."""
    return (
        live_versions()
        .filter(effective_at__lt=version.effective_at)
        .order_by("-effective_at")
        .first()
    )


def published_notices(*, now: datetime.datetime | None = None) -> QuerySet[Notice]:
    """Notices visible now: pinned first, then newest first."""
    now = now or timezone.now()
    return Notice.objects.filter(published_at__lte=now).order_by("-pinned", "-published_at", "-id")


def is_member(user) -> bool:
    """A logged-in member, not a staff account: whom the policy banners and consent concern."""
    return getattr(user, "is_authenticated", False) and not user.is_staff


@dataclass(frozen=True)
class PolicyStanding:
    """Where a member stands with the version in force (policy §12), at most one of the two:
    ``to_agree`` when they must agree again before going on, ``to_acknowledge`` when they have
    not yet seen a change that only informs them."""

    to_agree: PolicyVersion | None = None
    to_acknowledge: PolicyVersion | None = None
    # What the banner of a coming change shows (read in the same query as the standing).
    in_force: PolicyVersion | None = None
    upcoming: tuple[PolicyVersion, ...] = ()


def _last_consent_change(now: datetime.datetime) -> QuerySet[PolicyVersion]:
    """The versions in force by ``now`` that changed what members consented to, latest first."""
    return (
        live_versions()
        .filter(requires_consent=True, effective_at__lte=now)
        .order_by("-effective_at")
    )


def _agreements_since(changed_at) -> QuerySet[Consent]:
    """Agreements (at sign-up or again) to a version taking effect at or after ``changed_at``."""
    return Consent.objects.filter(
        kind__in=[Consent.Kind.SIGNUP, Consent.Kind.RECONSENT],
        policy_version__effective_at__gte=changed_at,
    )


def must_agree_again(members: QuerySet, *, now: datetime.datetime | None = None) -> QuerySet:
    """Those of ``members`` for whom ``policy_standing`` would say ``to_agree``, in one query."""
    now = now or timezone.now()
    changed_at = _last_consent_change(now).values_list("effective_at", flat=True).first()
    if changed_at is None:
        return members.none()
    return members.exclude(Exists(_agreements_since(changed_at).filter(member=OuterRef("pk"))))


def policy_standing(member, *, now: datetime.datetime | None = None) -> PolicyStanding:
    """The member's standing with the version in force, and the versions announced after it,
    in one query (every page asks).

    A member must agree again when a version changing what members consented to has taken
    effect since their last agreement (at sign-up or again); agreeing to the version in force
    covers every such change before it. Otherwise a version in force that the member has
    neither agreed to nor acknowledged is to be acknowledged.
    """
    if not is_member(member):
        return PolicyStanding()
    now = now or timezone.now()
    versions = list(
        _in_force_and_upcoming(now=now).annotate(
            changed_at=Subquery(_last_consent_change(now).values("effective_at")[:1]),
            agreed_since=Exists(_agreements_since(OuterRef("changed_at")).filter(member=member)),
            seen=Exists(member.consents.filter(policy_version=OuterRef("pk"))),
        )
    )
    version = versions[0] if versions and versions[0].effective_at <= now else None
    upcoming = tuple(versions[1:] if version else versions)
    if version is None:
        return PolicyStanding(upcoming=upcoming)
    must_agree = version.changed_at is not None and not version.agreed_since
    return PolicyStanding(
        to_agree=version if must_agree else None,
        to_acknowledge=None if must_agree or version.seen else version,
        in_force=version,
        upcoming=upcoming,
    )


def version_to_acknowledge(member, *, now: datetime.datetime | None = None) -> PolicyVersion | None:
    """The version in force that ``member`` has neither agreed to nor acknowledged, if any.

    A notice-only change is acknowledged; a member who must agree again is asked by
    ``version_to_agree`` instead.
    """
    return policy_standing(member, now=now).to_acknowledge


def version_to_agree(member, *, now: datetime.datetime | None = None) -> PolicyVersion | None:
    """The version in force when ``member`` must agree again before going on, else None."""
    return policy_standing(member, now=now).to_agree


def last_agreed_version(member) -> PolicyVersion | None:
    """The version of the member's most recent consent or acknowledgement."""
    consent = member.consents.select_related("policy_version").order_by("-given_at").first()
    return consent.policy_version if consent else None


# --- Members' requests (policy §7) ----------------------------------------------------------


def open_requests() -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.filter(status=PrivacyRequest.Status.OPEN)


def overdue_requests(*, now: datetime.datetime | None = None) -> QuerySet[PrivacyRequest]:
    return open_requests().filter(due_at__lt=now or timezone.now())


def restricted_member_ids() -> QuerySet:
    """The members with an open correction request, as a subquery (no query of its own).

    Policy §7: "정정 또는 삭제를 완료하기 전까지 당해 개인정보를 이용 또는 제공하지 않습니다" —
    staff exports and statistics leave these members out; the admin warns about them.
    """
    return open_requests().filter(kind=PrivacyRequest.Kind.CORRECTION).values("member_id")


def objectionable_requests(member, *, now: datetime.datetime | None = None) -> QuerySet:
    """The refusals ``member`` may still object to (PIPA §38 ⑤): their own, refused less than
    ``PRIVACY_OBJECTION_DAYS`` days ago (``PrivacyRequest.objection_deadline``), not themselves
    objections, and not objected to yet."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=settings.PRIVACY_OBJECTION_DAYS)
    return (
        PrivacyRequest.objects.filter(
            member=member, status=PrivacyRequest.Status.REFUSED, resolved_at__gte=since
        )
        .exclude(kind=PrivacyRequest.Kind.OBJECTION)
        .exclude(Exists(PrivacyRequest.objects.filter(objects_to=OuterRef("pk"))))
    )


def member_requests(member, *, now: datetime.datetime | None = None) -> QuerySet:
    """The member's requests, newest first, each with ``objectionable``: one query (policy §7:
    the member sees every request's outcome and the reasons of a refusal)."""
    objectionable = objectionable_requests(member, now=now).filter(pk=OuterRef("pk"))
    return (
        PrivacyRequest.objects.filter(member=member)
        .select_related("objects_to")
        .annotate(objectionable=Exists(objectionable))
        .order_by("-received_at", "-pk")
    )


# --- Provision to third parties (policy §3) -------------------------------------------------


def pending_notices() -> QuerySet[CorrectionNotice]:
    """The recipients still to be told of a correction, oldest correction first."""
    return (
        CorrectionNotice.objects.filter(notified_at__isnull=True)
        .select_related("entry__disclosure", "entry__member")
        .order_by("corrected_at", "pk")
    )


def member_disclosures(member) -> QuerySet[Disclosure]:
    """The disclosures the member may be told of (policy §3), newest first."""
    return Disclosure.objects.filter(entries__member=member, withhold_from_member=False).order_by(
        "-disclosed_at", "-pk"
    )
