"""Every write about privacy: policy versions and their notices, consents, members' requests
under policy §7, and the register of provisions to third parties (policy §3)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.dates import local_midnight
from privacy.exceptions import (
    CannotWithdraw,
    EffectiveBeforeAnnouncedVersion,
    LabelTaken,
    NoticePeriodTooShort,
)
from privacy.models import (
    Consent,
    CorrectionNotice,
    DisclosedMember,
    Disclosure,
    Notice,
    PolicyVersion,
    PrivacyRequest,
)
from privacy.selectors import latest_announced_version, policy_in_force

# --- Policy versions and consents (policy §12) ----------------------------------------------


def notice_days(*, material: bool) -> int:
    return settings.POLICY_MATERIAL_NOTICE_DAYS if material else settings.POLICY_NOTICE_DAYS


def earliest_effective_at(*, announced_at: datetime.datetime, material: bool) -> datetime.datetime:
    """The earliest instant a version announced at ``announced_at`` may take effect (§12).

    The rule: at least N full days of notice in the site's time zone (N = POLICY_NOTICE_DAYS,
    or POLICY_MATERIAL_NOTICE_DAYS for a material change). The day of the announcement counts
    only when the announcement is made at 00:00, as the Civil Act (민법 §157) counts periods;
    so a notice given at 00:01 on 1 March allows 9 March 00:00 at the earliest, one given at
    00:00 on 1 March allows 8 March 00:00.
    """
    local = timezone.localtime(announced_at, timezone.get_default_timezone())
    first_full_day = local.date()
    if local.time() != datetime.time.min:
        first_full_day += datetime.timedelta(days=1)
    last_day = first_full_day + datetime.timedelta(days=notice_days(material=material))
    return local_midnight(last_day)


def check_announcement(
    *, label: str, effective_at: datetime.datetime, material: bool, now: datetime.datetime
) -> None:
    """Raise a PolicyRefused error when a version may not be announced now; else return."""
    if PolicyVersion.objects.filter(label=label).exists():
        raise LabelTaken(label=label)
    earliest = earliest_effective_at(announced_at=now, material=material)
    if effective_at < earliest:
        raise NoticePeriodTooShort(earliest=earliest, days=notice_days(material=material))
    latest = latest_announced_version()
    if latest is not None and effective_at <= latest.effective_at:
        raise EffectiveBeforeAnnouncedVersion(label=latest.label)


@transaction.atomic
def announce_policy_version(
    *, version: PolicyVersion, announced_by=None, now: datetime.datetime | None = None
) -> PolicyVersion:
    """Announce the unsaved ``version`` now and publish its notice in the same transaction.

    Raises a PolicyRefused error, leaving no trace, when the notice period or the order of
    versions forbids it.
    """
    now = now or timezone.now()
    check_announcement(
        label=version.label, effective_at=version.effective_at, material=version.material, now=now
    )
    previous = policy_in_force(now=now)
    version.announced_at = now
    version.announced_by = announced_by
    version.save()
    with translation.override(settings.LANGUAGE_CODE):
        effective = timezone.localtime(version.effective_at).strftime("%Y-%m-%d %H:%M")
        lines = [
            _("The privacy policy changes: version %(label)s takes effect on %(effective)s.")
            % {"label": version.label, "effective": effective},
        ]
        if version.summary:
            lines += ["", version.summary]
        if version.requires_consent:
            lines += [
                "",
                _("Members will be asked to agree to the new version at their next visit."),
            ]
        links = [f"[{_('Read the new text')}]({reverse('privacy:version', args=[version.label])})"]
        if previous is not None:
            diff = reverse("privacy:diff", args=[previous.label, version.label])
            links.append(f"[{_('See what changes')}]({diff})")
        lines += ["", " · ".join(links)]
        Notice.objects.create(
            title=_("Privacy policy change notice (version %(label)s)") % {"label": version.label},
            body="\n".join(lines),
            published_at=now,
            policy_version=version,
        )
    return version


@transaction.atomic
def withdraw_policy_version(
    *, version: PolicyVersion, now: datetime.datetime | None = None
) -> PolicyVersion:
    """Withdraw an announced version that is not yet in force, and say so in a notice."""
    now = now or timezone.now()
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_withdrawn or version.effective_at <= now:
        raise CannotWithdraw(label=version.label)
    version.withdrawn_at = now
    version.save(update_fields=["withdrawn_at"])
    with translation.override(settings.LANGUAGE_CODE):
        Notice.objects.create(
            title=_("Privacy policy change withdrawn (version %(label)s)")
            % {"label": version.label},
            body=_(
                "The change announced for %(effective)s will not take effect. "
                "The current privacy policy stays in force."
            )
            % {"effective": timezone.localtime(version.effective_at).strftime("%Y-%m-%d %H:%M")},
            published_at=now,
            policy_version=version,
        )
    return version


def acknowledge_policy_version(
    *, member, version: PolicyVersion, ip: str | None, now: datetime.datetime | None = None
) -> Consent:
    """Record that ``member`` was shown and dismissed the notice of ``version`` taking effect."""
    return _record_once(member, version, Consent.Kind.ACKNOWLEDGEMENT, ip=ip, now=now)


def _record_once(member, version, kind, *, ip, now) -> Consent:
    """The member's consent of ``kind`` to ``version``; a second submission records nothing.

    The unique constraint makes this hold for submissions racing each other too:
    ``get_or_create`` reads the winner's row when its own insert loses.
    """
    consent, _created = Consent.objects.get_or_create(
        member=member,
        policy_version=version,
        kind=kind,
        defaults={"given_at": now or timezone.now(), "ip": ip},
    )
    return consent


def next_label() -> str:
    """The label after the highest ``N.M`` label so far: ``1.0`` → ``2.0``."""
    majors = [
        int(label.split(".")[0])
        for label in PolicyVersion.objects.values_list("label", flat=True)
        if label.split(".")[0].isdigit()
    ]
    return f"{max(majors, default=0) + 1}.0"


def title_from_markdown(body: str) -> str | None:
    """The text of the first level-1 heading, if the Markdown has one."""
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip() or None
    return None


def agree_again(
    *, member, version: PolicyVersion, ip: str | None, now: datetime.datetime | None = None
) -> Consent:
    """Record ``member``'s renewed consent to ``version`` (a change to what they agreed to)."""
    return _record_once(member, version, Consent.Kind.RECONSENT, ip=ip, now=now)


# --- Members' requests (policy §7) ----------------------------------------------------------


def request_due_at(received_at: datetime.datetime) -> datetime.datetime:
    """Policy §7 "지체 없이": the answer is due ``PRIVACY_REQUEST_DAYS`` days after receipt."""
    return received_at + datetime.timedelta(days=settings.PRIVACY_REQUEST_DAYS)


def settle_dates(
    request: PrivacyRequest, *, received_changed: bool, now: datetime.datetime | None = None
) -> None:
    """Bring a request's dates in line with what staff entered, before it is saved.

    The due date follows the receipt; ``resolved_at`` is set when the request leaves the open
    state and cleared when it is reopened.
    """
    if received_changed:
        request.due_at = request_due_at(request.received_at)
    if request.status != PrivacyRequest.Status.OPEN and request.resolved_at is None:
        request.resolved_at = now or timezone.now()
    elif request.status == PrivacyRequest.Status.OPEN:
        request.resolved_at = None


@transaction.atomic
def record_request(
    *,
    member,
    kind: str,
    channel: str,
    received_at: datetime.datetime | None = None,
    recorded_by=None,
) -> PrivacyRequest:
    """Record a request received by letter, phone, e-mail or web, with its due date."""
    received_at = received_at or timezone.now()
    return PrivacyRequest.objects.create(
        member=member,
        kind=kind,
        channel=channel,
        received_at=received_at,
        due_at=request_due_at(received_at),
        recorded_by=recorded_by,
    )


@transaction.atomic
def resolve_request(
    *,
    request: PrivacyRequest,
    resolution: str,
    refused: bool = False,
    now: datetime.datetime | None = None,
) -> PrivacyRequest:
    """Close the request with its resolution; a resolved correction lifts the restriction."""
    request.status = PrivacyRequest.Status.REFUSED if refused else PrivacyRequest.Status.RESOLVED
    request.resolution = resolution
    request.resolved_at = now or timezone.now()
    request.save(update_fields=["status", "resolution", "resolved_at"])
    return request


# --- Provision to third parties (policy §3) and correction notices (§7) ---------------------


@transaction.atomic
def record_disclosure(
    *,
    recipient: str,
    basis: str,
    items: str,
    members: Iterable,
    statute: str = "",
    withhold_from_member: bool = False,
    disclosed_at: datetime.datetime | None = None,
    recorded_by=None,
) -> Disclosure:
    """Register a provision of ``members``' data to ``recipient`` on ``basis``."""
    disclosed_at = disclosed_at or timezone.now()
    disclosure = Disclosure.objects.create(
        recipient=recipient,
        basis=basis,
        statute=statute,
        items=items,
        disclosed_at=disclosed_at,
        withhold_from_member=withhold_from_member,
        recorded_by=recorded_by,
    )
    set_disclosed_members(disclosure=disclosure, members=members)
    return disclosure


def set_disclosed_members(*, disclosure: Disclosure, members: Iterable) -> None:
    """Make ``members`` exactly the members the disclosure names."""
    pks = {member.pk for member in members}
    disclosure.entries.exclude(member_id__in=pks).delete()
    existing = set(disclosure.entries.values_list("member_id", flat=True))
    # A double submit may add the same member at once: the second insert is skipped.
    DisclosedMember.objects.bulk_create(
        (
            DisclosedMember(disclosure=disclosure, member_id=pk, time=disclosure.disclosed_at)
            for pk in sorted(pks - existing)
        ),
        ignore_conflicts=True,
    )


def note_correction(
    *, member, fields: Iterable[str], now: datetime.datetime | None = None
) -> list[CorrectionNotice]:
    """After ``member``'s data were corrected, open a notice for every earlier recipient.

    Called in the transaction of the correction itself. Only disclosures made before the
    correction count: a later recipient received the corrected data.
    """
    fields = sorted(fields)
    if not fields:
        return []
    now = now or timezone.now()
    entries = DisclosedMember.objects.filter(member=member, time__lte=now)
    return CorrectionNotice.objects.bulk_create(
        CorrectionNotice(entry=entry, corrected_at=now, fields=", ".join(fields))
        for entry in entries
    )


@transaction.atomic
def record_notification(
    *, notice: CorrectionNotice, notified_by, now: datetime.datetime | None = None
) -> CorrectionNotice:
    """Record that the recipient was told of the correction."""
    notice.notified_at = now or timezone.now()
    notice.notified_by = notified_by
    notice.save(update_fields=["notified_at", "notified_by"])
    return notice
