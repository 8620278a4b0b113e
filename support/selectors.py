"""Reads of the support desk shared by the member pages, the admin and the dashboard."""

from __future__ import annotations

import datetime

from django.db.models import Avg, BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.models import User
from support import hooks
from support.models import Attachment, Inquiry, Message, StatusChange


def _unread() -> Q:
    return Q(staff_answered_at__isnull=False) & (
        Q(member_read_at__isnull=True) | Q(member_read_at__lt=F("staff_answered_at"))
    )


def member_inquiries(member: User) -> QuerySet[Inquiry]:
    """The member's inquiries, newest activity first, with their product."""
    return (
        Inquiry.objects.filter(member=member)
        .select_related("product")
        .order_by("-last_activity_at", "-id")
    )


def unread_answers(member: User) -> int:
    """How many of the member's inquiries have an answer the member has not read yet."""
    return Inquiry.objects.filter(_unread(), member=member).count()


def open_inquiries(member: User) -> int:
    """How many of the member's inquiries are still open (the home page's summary)."""
    return Inquiry.objects.filter(member=member, status__in=Inquiry.OPEN_STATUSES).count()


def member_inquiry(member: User, number: str) -> Inquiry:
    """The member's own inquiry by its number; 404 for any other, which must not be confirmed
    to exist."""
    inquiry = (
        Inquiry.objects.filter(member=member, number=number)
        .select_related("product", "follow_up_of")
        .first()
    )
    if inquiry is None:
        raise Http404
    return inquiry


def thread(inquiry: Inquiry, *, internal: bool = False) -> list[Message]:
    """The thread's messages, oldest first, each with its attachments; internal notes only for
    staff (``internal``)."""
    messages = inquiry.messages.prefetch_related("attachments").select_related("author")
    if not internal:
        messages = messages.exclude(kind=Message.Kind.NOTE)
    return list(messages.order_by("created_at", "id"))


def status_history(inquiry: Inquiry) -> QuerySet[StatusChange]:
    return inquiry.status_changes.order_by("time", "id")


def member_attachment(member: User, number: str, pk: int) -> Attachment:
    """An attachment of the member's own inquiry, not of an internal note; 404 otherwise."""
    attachment = (
        Attachment.objects.filter(
            pk=pk, inquiry__number=number, inquiry__member=member, member=member
        )
        .exclude(message__kind=Message.Kind.NOTE)
        .select_related("inquiry")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def _awaiting_first_answer() -> Q:
    return Q(status__in=Inquiry.OPEN_STATUSES, first_response_at__isnull=True)


def _overdue(now: datetime.datetime) -> Q:
    return _awaiting_first_answer() & Q(first_response_due_at__lt=now)


def awaiting_first_answer() -> QuerySet[Inquiry]:
    """Open inquiries the support center has not answered yet."""
    return Inquiry.objects.filter(_awaiting_first_answer())


def overdue(now: datetime.datetime | None = None) -> QuerySet[Inquiry]:
    """Open inquiries not answered yet whose first-response time has passed."""
    return Inquiry.objects.filter(_overdue(now or timezone.now()))


def with_overdue(
    inquiries: QuerySet[Inquiry], now: datetime.datetime | None = None
) -> QuerySet[Inquiry]:
    """``inquiries``, each with ``overdue``: the rule of ``overdue()``, worked out in SQL."""
    return inquiries.annotate(
        overdue=ExpressionWrapper(_overdue(now or timezone.now()), output_field=BooleanField())
    )


MEDIAN_WINDOW = datetime.timedelta(days=90)


def median_first_response_hours(now: datetime.datetime) -> float | None:
    """The median wait for a first answer over the inquiries received in the last 90 days,
    found in SQL: a count, then the middle row in order of the wait."""
    waits = (
        Inquiry.objects.filter(first_response_at__isnull=False, created_at__gte=now - MEDIAN_WINDOW)
        .annotate(wait=F("first_response_at") - F("created_at"))
        .order_by("wait")
        .values_list("wait", flat=True)
    )
    count = waits.count()
    if not count:
        return None
    middle = list(waits[(count - 1) // 2 : count // 2 + 1])
    return sum(wait.total_seconds() for wait in middle) / len(middle) / 3600


def _local(moment: datetime.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _deletion(inquiry: Inquiry) -> dict:
    category, moment = hooks.deletion(inquiry)
    return {"category": category, "date": _local(moment)}


def member_export(member: User) -> dict:
    """The member's inquiries for their data export (policy §7): every message, staff notes
    included and labelled, with each attachment's name, size and hash (no file content), and
    when each inquiry is destroyed (its messages and files with it)."""
    inquiries = member_inquiries(member).prefetch_related("messages__attachments")
    return {
        "support_inquiries": [
            {
                "number": inquiry.number,
                "deletion": _deletion(inquiry),
                "title": inquiry.title,
                "product": inquiry.product.name,
                "category": inquiry.category,
                "status": inquiry.status,
                "complaint_record": inquiry.is_complaint,
                "received_at": _local(inquiry.created_at),
                "resolved_at": _local(inquiry.resolved_at),
                "rating": inquiry.rating,
                "rating_comment": inquiry.rating_comment,
                "messages": [
                    {
                        "time": _local(message.created_at),
                        "kind": message.kind,
                        "staff_note": message.kind == Message.Kind.NOTE,
                        "body": message.body,
                        "attachments": [
                            {"name": item.name, "size": item.size, "sha256": item.sha256}
                            for item in message.attachments.all()
                        ],
                    }
                    for message in inquiry.messages.all()
                ],
            }
            for inquiry in inquiries
        ]
    }


def _label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def _attachments_in_words(attachments: list[dict]) -> list[str]:
    return [
        _("%(name)s (%(size)s bytes, SHA-256 %(sha256)s)") % attachment
        for attachment in attachments
    ]


def export_labels() -> dict:
    """How the readable export (CSV, print view) shows ``member_export``'s section: every key
    under a heading in the active language, codes by their labels."""
    return {
        "support_inquiries": {
            "title": capfirst(Inquiry._meta.verbose_name_plural),
            "columns": {
                "number": _label(Inquiry, "number"),
                "deletion": _("Deleted on"),
                "title": _label(Inquiry, "title"),
                "product": _label(Inquiry, "product"),
                "category": _label(Inquiry, "category"),
                "status": _label(Inquiry, "status"),
                "complaint_record": _label(Inquiry, "is_complaint"),
                "received_at": _label(Inquiry, "created_at"),
                "resolved_at": _label(Inquiry, "resolved_at"),
                "rating": _label(Inquiry, "rating"),
                "rating_comment": _label(Inquiry, "rating_comment"),
            },
            "choices": {
                "category": dict(Inquiry.Category.choices),
                "status": dict(Inquiry.Status.choices),
            },
            # The category is the one of the inquiry; the member reads when it goes.
            "words": {"deletion": lambda deletion: deletion["date"]},
            "parts": {
                "messages": {
                    "title": capfirst(Message._meta.verbose_name_plural),
                    "columns": {
                        "time": _label(Message, "created_at"),
                        "kind": _label(Message, "kind"),
                        "staff_note": _("Staff note"),
                        "body": _label(Message, "body"),
                        "attachments": capfirst(Attachment._meta.verbose_name_plural),
                    },
                    "choices": {"kind": dict(Message.Kind.choices)},
                    "words": {"attachments": _attachments_in_words},
                }
            },
        }
    }


def dashboard_panel(now: datetime.datetime) -> dict:
    """The support desk's panel of the staff dashboard: aggregates only, no member named."""
    open_counts = dict(
        Inquiry.objects.filter(status__in=Inquiry.OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    labels = dict(Inquiry.Status.choices)
    ratings = Inquiry.objects.filter(rating__isnull=False).aggregate(
        average=Avg("rating"), rated=Count("pk")
    )
    hours = median_first_response_hours(now)
    return {
        "title": _("Support desk"),
        "rows": [
            *[
                (_("Open: %(status)s") % {"status": labels[status]}, open_counts.get(status, 0))
                for status in Inquiry.OPEN_STATUSES
            ],
            (_("Overdue for a first answer"), overdue(now).count()),
            (
                _("Median time to first answer (90 days)"),
                "—" if hours is None else _("%(hours).1f hours") % {"hours": hours},
            ),
            (
                _("Average rating"),
                "—"
                if ratings["average"] is None
                else f"{ratings['average']:.1f} / 5 ({ratings['rated']})",
            ),
        ],
    }
