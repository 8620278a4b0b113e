"""The support desk: members' inquiries, the messages of each thread, their attachments.

Policy §2: customer consultation (고객 상담) and complaint handling (불만처리). An ordinary inquiry
lives as long as the member's account; one marked as a complaint is a 소비자의 불만 또는
분쟁처리에 관한 기록, kept three years from its resolution (policy §5). Rows that belong to an
inquiry repeat its member, so that retention finds a member's rows by one indexed column.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Product


class Inquiry(models.Model):
    """One question, defect report, request or complaint of a member about their product."""

    class Category(models.TextChoices):
        QUESTION = "question", _("Question")
        DEFECT = "defect", _("Defect")
        REQUEST = "request", _("Request")
        COMPLAINT = "complaint", _("Complaint")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING = "waiting", _("Waiting for you")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        PHONE = "phone", _("Phone")
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("E-mail")

    # Not yet resolved or closed: the support center or the member still has something to do.
    OPEN_STATUSES = (Status.RECEIVED, Status.IN_PROGRESS, Status.WAITING)

    number = models.CharField(_("number"), max_length=20, unique=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    is_complaint = models.BooleanField(
        _("complaint or dispute"),
        default=False,
        help_text=_(
            "A consumer complaint or dispute record (policy §5): kept three years after its "
            "resolution, also after the member withdraws."
        ),
    )
    channel = models.CharField(
        _("received by"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    follow_up_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("follow-up of"),
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    staff_answered_at = models.DateTimeField(_("last answered at"), null=True, blank=True)
    member_read_at = models.DateTimeField(_("member last read at"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due"), db_index=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=1000, blank=True)
    # The member's one-time form token: a second submission of the same form finds this row.
    submission = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # The data key of this inquiry's attachments (AES-256-GCM). Destroying the row destroys
    # the key, and with it every copy of the files, backups included (crypto-shredding).
    data_key = models.BinaryField(max_length=32, editable=False)

    member_columns = ("number", "created_at", "title", "status", "category")

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            models.Index(fields=["member", "-last_activity_at"], name="support_inquiry_member"),
            models.Index(fields=["status", "first_response_due_at"], name="support_inquiry_queue"),
            models.Index(fields=["-last_activity_at"], name="support_inquiry_activity"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="support_inquiry_rating_1_to_5",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def unread(self) -> bool:
        """Staff answered since the member last looked."""
        if self.staff_answered_at is None:
            return False
        return self.member_read_at is None or self.member_read_at < self.staff_answered_at


class InquiryNumber(models.Model):
    """The last inquiry number given out in a year: NX-2026-000123 is the 123rd of 2026."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("inquiry number")
        verbose_name_plural = _("inquiry numbers")

    def __str__(self):
        return f"{self.year}: {self.last}"


class Message(models.Model):
    """A message of a thread: the member's, a staff answer, or a staff-only internal note.

    Internal notes never appear in the thread, but they are data about the member: the member's
    own data page and export list them, labelled as staff notes (policy §7).
    """

    class Kind(models.TextChoices):
        MEMBER = "member", _("Your message")
        ANSWER = "answer", _("Answer from the support center")
        NOTE = "note", _("Staff note (internal)")

    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.CASCADE, related_name="messages", verbose_name=_("inquiry")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    member_columns = ("created_at", "inquiry", "kind", "body")

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["inquiry", "created_at"], name="support_message_thread")]

    def __str__(self):
        return f"{self.inquiry_id} {self.created_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A file sent with a message: encrypted with its inquiry's key, outside any public URL."""

    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("inquiry")
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    member_columns = ("created_at", "inquiry", "name", "size", "sha256")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name


class StatusChange(models.Model):
    """Who moved an inquiry from one status to another, and when."""

    inquiry = models.ForeignKey(
        Inquiry,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("inquiry"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    old_status = models.CharField(
        _("from"), max_length=20, choices=Inquiry.Status.choices, blank=True
    )
    new_status = models.CharField(_("to"), max_length=20, choices=Inquiry.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    by_staff = models.BooleanField(_("by the support center"), default=False)
    time = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["time", "id"]

    def __str__(self):
        return f"{self.inquiry_id} {self.old_status} → {self.new_status}"


class CannedReply(models.Model):
    """A ready-made answer staff start a reply from."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title"]

    def __str__(self):
        return self.title
