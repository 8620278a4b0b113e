"""Every write of the support desk: inquiries, messages, attachments, status, ratings.

Policy §2: customer consultation and complaint handling. Each change of status is kept with
who and when (``StatusChange``); a staff action on an inquiry writes its access record in the
same transaction (policy §9 다). Files are encrypted and stored before the rows that name them
are committed; when the rows fail, the files are removed again, and a file left by a crash in
between is found by the daily sweep of unreferenced files (``retention``).
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Product, User
from staff.models import AccessRecord
from staff.services import audit
from support import files
from support.exceptions import InquiryClosed, NotAllowedNow
from support.hours import first_response_due
from support.models import Attachment, Inquiry, InquiryNumber, Message, StatusChange

Status = Inquiry.Status


@dataclass(frozen=True)
class CheckedFile:
    """An upload the form accepted: its bytes' kind decides the type it is served as."""

    upload: UploadedFile
    content_type: str


def _next_number(now: datetime.datetime) -> str:
    """NX-<year>-<n>: the n-th inquiry of the year, in the site's time zone, gap-free.

    The UPDATE holds the year's row until the inquiry commits, so two inquiries opened at once
    get consecutive numbers rather than the same one.
    """
    year = timezone.localtime(now).year
    InquiryNumber.objects.get_or_create(year=year)
    InquiryNumber.objects.filter(year=year).update(last=F("last") + 1)
    last = InquiryNumber.objects.values_list("last", flat=True).get(year=year)
    return f"NX-{year}-{last:06d}"


def _change_status(
    inquiry: Inquiry, new: str, *, by: User | None, by_staff: bool, now: datetime.datetime
) -> None:
    if inquiry.status == new:
        return
    StatusChange.objects.create(
        inquiry=inquiry,
        member_id=inquiry.member_id,
        old_status=inquiry.status,
        new_status=new,
        changed_by=by,
        by_staff=by_staff,
        time=now,
    )
    inquiry.status = new


@contextlib.contextmanager
def _stored_files(
    inquiry: Inquiry, checked: Iterable[CheckedFile]
) -> Iterator[list[tuple[CheckedFile, files.Stored]]]:
    """The files encrypted into storage for the block that writes the rows naming them; if
    storing or the block fails, the files stored so far are removed again."""
    stored = []
    try:
        for item in checked:
            stored.append((item, files.store(item.upload, key=bytes(inquiry.data_key))))
        yield stored
    except BaseException:
        files.discard(saved.storage_name for _item, saved in stored)
        raise


def _add_message(
    inquiry: Inquiry,
    *,
    kind: str,
    body: str,
    author: User | None,
    attachments: Iterable[CheckedFile],
    now: datetime.datetime,
) -> Message:
    """The message and its attachments; the files are stored first and removed again if the
    rows cannot be written."""
    with _stored_files(inquiry, attachments) as stored, transaction.atomic():
        message = Message.objects.create(
            inquiry=inquiry,
            member_id=inquiry.member_id,
            kind=kind,
            author=author,
            body=body,
            created_at=now,
        )
        Attachment.objects.bulk_create(
            Attachment(
                inquiry=inquiry,
                message=message,
                member_id=inquiry.member_id,
                name=item.upload.name,
                size=saved.size,
                content_type=item.content_type,
                sha256=saved.sha256,
                storage_name=saved.storage_name,
                created_at=now,
            )
            for item, saved in stored
        )
    return message


def _submitted(member: User, submission: str | None) -> Inquiry | None:
    """The inquiry an earlier sending of the same form (its one-time token) made, if any."""
    if not submission:
        return None
    return Inquiry.objects.filter(member=member, submission=submission).first()


def open_inquiry(
    *,
    member: User,
    product: Product,
    category: str,
    title: str,
    body: str,
    attachments: Iterable[CheckedFile] = (),
    submission: str | None = None,
    channel: str = Inquiry.Channel.WEB,
    entered_by: User | None = None,
    follow_up_of: Inquiry | None = None,
    ip: str | None = None,
    now: datetime.datetime | None = None,
) -> Inquiry:
    """Open an inquiry with its first message and attachments (policy §2 고객 상담).

    ``submission`` is the form's one-time token: the same form sent twice, even at once, makes
    one inquiry, and the second call returns it. An inquiry a member files as a complaint is a
    complaint record from the start (policy §5). Staff entering one received by phone, letter
    or e-mail pass ``entered_by`` and the ``channel``, and the entry is an access record.
    """
    now = now or timezone.now()
    earlier = _submitted(member, submission)
    if earlier is not None:
        return earlier
    key = files.new_key()
    try:
        with transaction.atomic():
            inquiry = Inquiry.objects.create(
                number=_next_number(now),
                member=member,
                product=product,
                category=category,
                title=title,
                is_complaint=category == Inquiry.Category.COMPLAINT,
                channel=channel,
                entered_by=entered_by,
                follow_up_of=follow_up_of,
                created_at=now,
                last_activity_at=now,
                first_response_due_at=first_response_due(
                    member=member, product=product, category=category, received_at=now
                ),
                submission=submission,
                data_key=key,
            )
            StatusChange.objects.create(
                inquiry=inquiry,
                member_id=member.pk,
                new_status=Status.RECEIVED,
                changed_by=entered_by or member,
                by_staff=entered_by is not None,
                time=now,
            )
            if entered_by is not None:
                audit.record_member_access(
                    staff=entered_by,
                    ip=ip,
                    action=AccessRecord.Action.ADD,
                    member=member,
                    detail=f"inquiry {inquiry.number} {channel}",
                    now=now,
                )
            _add_message(
                inquiry,
                kind=Message.Kind.MEMBER,
                body=body,
                author=entered_by or member,
                attachments=attachments,
                now=now,
            )
    except IntegrityError:
        # The same form sent twice at once: the other request made the inquiry.
        earlier = _submitted(member, submission)
        if earlier is not None:
            return earlier
        raise
    return inquiry


def _within_reopen_window(inquiry: Inquiry, now: datetime.datetime) -> bool:
    limit = datetime.timedelta(days=settings.SUPPORT_REOPEN_DAYS)
    return inquiry.resolved_at is not None and now - inquiry.resolved_at <= limit


def can_reopen(inquiry: Inquiry, *, now: datetime.datetime | None = None) -> bool:
    """Resolved within the last ``SUPPORT_REOPEN_DAYS``: the member may reopen it."""
    return inquiry.status == Status.RESOLVED and _within_reopen_window(
        inquiry, now or timezone.now()
    )


def can_resolve(inquiry: Inquiry) -> bool:
    """Still open: the member or staff may mark it resolved."""
    return inquiry.status in Inquiry.OPEN_STATUSES


def can_reply(inquiry: Inquiry, *, now: datetime.datetime | None = None) -> bool:
    """Open, or resolved and still reopenable: a reply is welcome. Closed: a follow-up."""
    return inquiry.status in Inquiry.OPEN_STATUSES or can_reopen(inquiry, now=now)


@transaction.atomic
def member_reply(
    *,
    inquiry: Inquiry,
    body: str,
    attachments: Iterable[CheckedFile] = (),
    now: datetime.datetime | None = None,
) -> Message:
    """The member writes in the thread. A resolved inquiry reopens (within the reopening
    window); a closed one takes no reply: the member opens a follow-up instead."""
    now = now or timezone.now()
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if inquiry.status == Status.CLOSED:
        raise InquiryClosed
    if inquiry.status == Status.RESOLVED:
        if not _within_reopen_window(inquiry, now):
            raise InquiryClosed
        inquiry.resolved_at = None
    message = _add_message(
        inquiry,
        kind=Message.Kind.MEMBER,
        body=body,
        author=inquiry.member,
        attachments=attachments,
        now=now,
    )
    if inquiry.status in (Status.WAITING, Status.RESOLVED):
        _change_status(inquiry, Status.IN_PROGRESS, by=inquiry.member, by_staff=False, now=now)
    inquiry.last_activity_at = now
    inquiry.member_read_at = now
    inquiry.save(update_fields=["status", "resolved_at", "last_activity_at", "member_read_at"])
    return message


@transaction.atomic
def resolve(*, inquiry: Inquiry, by: User, now: datetime.datetime | None = None) -> Inquiry:
    """Mark the inquiry resolved, by the member or by staff; it closes itself
    ``SUPPORT_CLOSE_AFTER_DAYS`` later unless reopened."""
    now = now or timezone.now()
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if not can_resolve(inquiry):
        raise NotAllowedNow
    _change_status(inquiry, Status.RESOLVED, by=by, by_staff=by.is_staff, now=now)
    inquiry.resolved_at = now
    inquiry.last_activity_at = now
    inquiry.save(update_fields=["status", "resolved_at", "last_activity_at"])
    return inquiry


@transaction.atomic
def reopen(*, inquiry: Inquiry, now: datetime.datetime | None = None) -> Inquiry:
    """The member reopens a resolved inquiry within ``SUPPORT_REOPEN_DAYS`` of its resolution."""
    now = now or timezone.now()
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if inquiry.status != Status.RESOLVED or not _within_reopen_window(inquiry, now):
        raise NotAllowedNow
    _change_status(inquiry, Status.IN_PROGRESS, by=inquiry.member, by_staff=False, now=now)
    inquiry.resolved_at = None
    inquiry.last_activity_at = now
    inquiry.save(update_fields=["status", "resolved_at", "last_activity_at"])
    return inquiry


@transaction.atomic
def rate(
    *, inquiry: Inquiry, rating: int, comment: str = "", now: datetime.datetime | None = None
) -> Inquiry:
    """The member rates the answer, once, after resolution."""
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if inquiry.status not in (Status.RESOLVED, Status.CLOSED) or inquiry.rating is not None:
        raise NotAllowedNow
    inquiry.rating = rating
    inquiry.rating_comment = comment
    inquiry.save(update_fields=["rating", "rating_comment"])
    return inquiry


def mark_read(*, inquiry: Inquiry, now: datetime.datetime | None = None) -> None:
    """The member looked at the thread: its answers are no longer unread."""
    now = now or timezone.now()
    if inquiry.unread:
        Inquiry.objects.filter(pk=inquiry.pk).update(member_read_at=now)
        inquiry.member_read_at = now


# --- Staff -------------------------------------------------------------------------------------


@transaction.atomic
def staff_reply(
    *,
    inquiry: Inquiry,
    staff: User,
    body: str,
    internal: bool = False,
    attachments: Iterable[CheckedFile] = (),
    ip: str | None = None,
    now: datetime.datetime | None = None,
) -> Message:
    """An answer to the member, or with ``internal`` a note only staff see in the thread.

    An answer is the first response when it is the first; it leaves the inquiry waiting for
    the member and unread until they look. A note changes nothing the member sees in the
    thread, though it is listed among their data (policy §7).
    """
    now = now or timezone.now()
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if inquiry.status == Status.CLOSED and not internal:
        raise InquiryClosed
    message = _add_message(
        inquiry,
        kind=Message.Kind.NOTE if internal else Message.Kind.ANSWER,
        body=body,
        author=staff,
        attachments=attachments,
        now=now,
    )
    if not internal:
        inquiry.first_response_at = inquiry.first_response_at or now
        inquiry.staff_answered_at = now
        inquiry.last_activity_at = now
        if inquiry.status in Inquiry.OPEN_STATUSES:
            _change_status(inquiry, Status.WAITING, by=staff, by_staff=True, now=now)
    inquiry.save(
        update_fields=[
            "status", "first_response_at", "staff_answered_at", "last_activity_at",
        ]
    )  # fmt: skip
    audit.record_member_access(
        staff=staff,
        ip=ip,
        action=AccessRecord.Action.CHANGE,
        member=inquiry.member,
        detail=f"inquiry {inquiry.number} {'note' if internal else 'answer'}",
        now=now,
    )
    return message


@transaction.atomic
def update_by_staff(
    *,
    inquiry: Inquiry,
    staff: User,
    status: str | None = None,
    assignee: User | None | bool = False,
    is_complaint: bool | None = None,
    ip: str | None = None,
    now: datetime.datetime | None = None,
) -> Inquiry:
    """Change the status, the assignee (``None`` unassigns; ``False`` leaves it) or mark the
    inquiry as a complaint record; each change kept with who and when.

    A complaint stays one: it is evidence of the dispute (policy §5).
    """
    now = now or timezone.now()
    inquiry = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    changes = []
    if status and status != inquiry.status:
        if status == Status.RESOLVED:
            inquiry.resolved_at = now
        elif status == Status.CLOSED:
            inquiry.closed_at = now
            inquiry.resolved_at = inquiry.resolved_at or now
        else:
            inquiry.resolved_at = None
        _change_status(inquiry, status, by=staff, by_staff=True, now=now)
        changes.append(f"status={status}")
    if assignee is not False and assignee != inquiry.assignee:
        inquiry.assignee = assignee
        changes.append(f"assignee={assignee.username if assignee else '-'}")
    if is_complaint and not inquiry.is_complaint:
        inquiry.is_complaint = True
        changes.append("complaint")
    if changes:
        inquiry.last_activity_at = max(inquiry.last_activity_at, now)
        inquiry.save()
        audit.record_member_access(
            staff=staff,
            ip=ip,
            action=AccessRecord.Action.CHANGE,
            member=inquiry.member,
            detail=f"inquiry {inquiry.number} {' '.join(changes)}",
            now=now,
        )
    return inquiry


def close_resolved(*, now: datetime.datetime | None = None, dry_run: bool = False) -> int:
    """Close the inquiries resolved ``SUPPORT_CLOSE_AFTER_DAYS`` ago or more (the daily run);
    returns how many (with ``dry_run``, how many would be)."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.SUPPORT_CLOSE_AFTER_DAYS)
    due = Inquiry.objects.filter(status=Status.RESOLVED, resolved_at__lte=limit)
    if dry_run:
        return due.count()
    closed = 0
    for inquiry in due:
        with transaction.atomic():
            _change_status(inquiry, Status.CLOSED, by=None, by_staff=True, now=now)
            inquiry.closed_at = now
            inquiry.save(update_fields=["status", "closed_at"])
            closed += 1
    return closed
