"""Every write about privacy: policy versions and their notices, consents, members' requests
under policy §7, and the register of provisions to third parties (policy §3)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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
from privacy.selectors import (
    latest_announced_version,
    open_requests,
    policy_in_force,
    restricted_member_ids,
)

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


@transaction.atomic
def publish_notice(
    *, title: str, body: str, pinned: bool = False, now: datetime.datetime | None = None
) -> Notice:
    """Publish a notice (공지사항) of an app above now, e.g. a breach's public notice (PIPA §34)."""
    return Notice.objects.create(
        title=title, body=body, pinned=pinned, published_at=now or timezone.now()
    )


# --- Members' requests (policy §7, PIPA §35–38) -----------------------------------------------


def request_due_at(received_at: datetime.datetime) -> datetime.datetime:
    """Policy §7 "지체 없이", 시행령 §41–44: every kind of request, an objection too, is answered
    within ``PRIVACY_REQUEST_DAYS`` calendar days of its receipt."""
    return received_at + datetime.timedelta(days=settings.PRIVACY_REQUEST_DAYS)


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _already_open(field: str) -> ValidationError:
    return _field_error(
        field,
        _("A request of this kind is already open; another can be made once it is answered."),
        "already_open",
    )


def _already_objected() -> ValidationError:
    return _field_error(
        "objects_to", _("This refusal has already been objected to."), "already_objected"
    )


def _open_twins(*, member_id: int, kind: str, exclude_pk: int | None = None):
    return open_requests().filter(member_id=member_id, kind=kind).exclude(pk=exclude_pk)


def _conflict(*, member, kind: str, objects_to: PrivacyRequest | None) -> ValidationError | None:
    """The error of a second open request of one kind, or of a second objection to one refusal
    (the constraints of ``PrivacyRequest``); None when there is neither."""
    if kind != PrivacyRequest.Kind.OBJECTION:
        if _open_twins(member_id=member.pk, kind=kind).exists():
            return _already_open("kind")
    elif objects_to is not None and objects_to.objections.exists():
        return _already_objected()
    return None


def check_request(
    *,
    member,
    kind: str,
    objects_to: PrivacyRequest | None = None,
    received_at: datetime.datetime | None = None,
) -> None:
    """Raise a ValidationError on the field at fault when ``member`` may not make this request.

    An objection (PIPA §38 ⑤) names a refusal of the member's own request, other than an
    objection, and is received by the refusal's ``objection_deadline``; a refusal is objected to
    once. A member has at most one open request of each other kind. The admin's form asks this
    too, so that staff meet the rules the site's members meet.
    """
    received_at = received_at or timezone.now()
    if kind != PrivacyRequest.Kind.OBJECTION:
        if objects_to is not None:
            raise _field_error(
                "objects_to", _("Only an objection names a refused request."), "not_an_objection"
            )
    elif objects_to is None:
        raise _field_error("objects_to", _("Choose the refusal you object to."), "required")
    elif objects_to.member_id != member.pk or objects_to.status != PrivacyRequest.Status.REFUSED:
        raise _field_error(
            "objects_to",
            _("An objection must name a refused request of the same member."),
            "not_refused",
        )
    elif objects_to.kind == PrivacyRequest.Kind.OBJECTION:
        raise _field_error(
            "objects_to", _("A refused objection cannot be objected to again."), "objection"
        )
    elif received_at > objects_to.objection_deadline:
        deadline = timezone.localtime(objects_to.objection_deadline)
        raise _field_error(
            "objects_to",
            _("The period to object to this refusal ended on %(date)s.")
            % {"date": deadline.strftime("%Y-%m-%d %H:%M")},
            "too_late",
        )
    if conflict := _conflict(member=member, kind=kind, objects_to=objects_to):
        raise conflict


@transaction.atomic
def record_request(
    *,
    member,
    kind: str,
    channel: str,
    details: str = "",
    objects_to: PrivacyRequest | None = None,
    received_at: datetime.datetime | None = None,
    recorded_by=None,
) -> PrivacyRequest:
    """Record a request received by letter, phone, e-mail or the web, with its due date.

    Raises ValidationError when ``check_request`` refuses it. Two requests sent at once are
    settled by the database's constraints: the one that loses gets the same error.
    """
    received_at = received_at or timezone.now()
    check_request(member=member, kind=kind, objects_to=objects_to, received_at=received_at)
    try:
        with transaction.atomic():
            return PrivacyRequest.objects.create(
                member=member,
                kind=kind,
                channel=channel,
                details=details,
                objects_to=objects_to,
                received_at=received_at,
                due_at=request_due_at(received_at),
                recorded_by=recorded_by,
            )
    except IntegrityError:
        conflict = _conflict(member=member, kind=kind, objects_to=objects_to)
        if conflict is None:
            raise
        raise conflict from None


def check_answer(*, request: PrivacyRequest, status: str, resolution: str) -> None:
    """Raise a ValidationError on the field at fault when ``request`` may not be given this
    status: a refusal states its reasons (시행령 §42 ②, §43 ③, §44 ②), and a request is not
    reopened beside another open one of its kind."""
    if status == PrivacyRequest.Status.REFUSED and not resolution.strip():
        raise _field_error(
            "resolution",
            _("A refusal must state its reasons: the member reads them."),
            "reasons_required",
        )
    if (
        status == PrivacyRequest.Status.OPEN
        and request.kind != PrivacyRequest.Kind.OBJECTION
        and _open_twins(
            member_id=request.member_id, kind=request.kind, exclude_pk=request.pk
        ).exists()
    ):
        raise _already_open("status")


@transaction.atomic
def resolve_request(
    *,
    request: PrivacyRequest,
    resolution: str,
    refused: bool = False,
    now: datetime.datetime | None = None,
) -> PrivacyRequest:
    """Answer the request, or refuse it with its reasons; the member reads either on their data
    page. A resolved correction lifts the restriction.

    The answer's time starts the request's three-year clock (policy §5); a later edit of the
    text keeps it, a change of outcome restarts it. Raises ValidationError (``check_answer``).
    """
    status = PrivacyRequest.Status.REFUSED if refused else PrivacyRequest.Status.RESOLVED
    check_answer(request=request, status=status, resolution=resolution)
    stored = PrivacyRequest.objects.select_for_update().values("status", "resolved_at")
    stored = stored.get(pk=request.pk)
    if stored["status"] == status:
        request.resolved_at = stored["resolved_at"]
    else:
        request.resolved_at = now or timezone.now()
    request.status = status
    request.resolution = resolution
    request.save(update_fields=["status", "resolution", "resolved_at"])
    return request


@transaction.atomic
def reopen_request(*, request: PrivacyRequest) -> PrivacyRequest:
    """Open an answered request again: due as before, its retention clock stopped until it is
    answered anew. Raises ValidationError on ``status`` when another request of its kind is
    open, also one opened at the same moment."""
    check_answer(request=request, status=PrivacyRequest.Status.OPEN, resolution=request.resolution)
    request.status = PrivacyRequest.Status.OPEN
    request.resolved_at = None
    try:
        with transaction.atomic():
            request.save(update_fields=["status", "resolved_at"])
    except IntegrityError:
        raise _already_open("status") from None
    return request


# --- Provision to third parties (policy §3) and correction notices (§7) ---------------------


def check_disclosed_members(members: Iterable) -> None:
    """Raise a ValidationError naming, by the IDs given, the members with an open correction
    request. Policy §7 "정정을 완료하기 전까지 당해 개인정보를 ... 제공하지 않습니다": no one
    overrides it, the correction is answered first."""
    members = list(members)
    restricted = set(
        restricted_member_ids()
        .filter(member_id__in=[member.pk for member in members])
        .values_list("member_id", flat=True)
    )
    if restricted:
        ids = sorted(member.username for member in members if member.pk in restricted)
        raise ValidationError(
            _(
                "These members asked for a correction that is not yet answered: their data may "
                "not be provided until it is (policy §7): %(ids)s"
            ),
            code="restricted",
            params={"ids": ", ".join(ids)},
        )


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
    """Register a provision of ``members``' data to ``recipient`` on ``basis``.

    Raises ValidationError (``check_disclosed_members``) when a member is restricted.
    """
    members = list(members)
    check_disclosed_members(members)
    disclosure = Disclosure.objects.create(
        recipient=recipient,
        basis=basis,
        statute=statute,
        items=items,
        disclosed_at=disclosed_at or timezone.now(),
        withhold_from_member=withhold_from_member,
        recorded_by=recorded_by,
    )
    _name_members(disclosure, members, named=set())
    return disclosure


@transaction.atomic
def update_disclosure(*, disclosure: Disclosure, members: Iterable) -> Disclosure:
    """Save the officer's edit of a registered disclosure and make ``members`` exactly those it
    names. Members added are checked as ``record_disclosure`` checks them; every member's entry
    takes the disclosure's date, which starts its retention clock, in one UPDATE."""
    members = list(members)
    named = set(disclosure.entries.values_list("member_id", flat=True))
    check_disclosed_members(member for member in members if member.pk not in named)
    disclosure.save()
    disclosure.entries.update(time=disclosure.disclosed_at)
    _name_members(disclosure, members, named=named)
    return disclosure


def _name_members(disclosure: Disclosure, members: list, *, named: set[int]) -> None:
    """Make ``members`` exactly the members the disclosure names; ``named`` are those it named."""
    pks = {member.pk for member in members}
    if named - pks:
        disclosure.entries.exclude(member_id__in=pks).delete()
    # A double submit may add the same member at once: the second insert is skipped.
    DisclosedMember.objects.bulk_create(
        (
            DisclosedMember(disclosure=disclosure, member_id=pk, time=disclosure.disclosed_at)
            for pk in sorted(pks - named)
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
