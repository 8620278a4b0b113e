"""The archive of withdrawn members (policy §6 가, "별도의 DB"), legal holds, and the purge log.

``ArchivedMember`` and ``ArchivedRecord`` live only in the ``archive`` database (see
``retention.routers``). Every archived row carries a stable key, "<source table>:<source
primary key>": primary keys are never reused (AUTOINCREMENT on SQLite, sequences on
PostgreSQL), so a copy made twice is the same row, and a legal hold placed on a member still
names them once they are archived.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retention.registry import CATEGORIES

SOURCE_KEY_MAX_LENGTH = 80


def source_key(model_or_instance, pk: int) -> str:
    """The stable key of a row of ``model_or_instance``'s table: "<db_table>:<pk>"."""
    return f"{model_or_instance._meta.db_table}:{pk}"


def member_key(pk: int) -> str:
    """The stable key of the member whose primary key is ``pk``."""
    return source_key(get_user_model(), pk)


class ArchivedMember(models.Model):
    """계약 또는 청약철회 등에 관한 기록 of a withdrawn member (policy §5 나: five years).

    The member items of policy §1 가 except the password, the consents given (with the policy
    version labels), and the withdrawal that starts the five-year clock.
    """

    source_key = models.CharField(_("source key"), max_length=SOURCE_KEY_MAX_LENGTH, unique=True)
    username = models.CharField(_("ID"), max_length=150, db_index=True)
    company = models.CharField(_("company"), max_length=100, blank=True)
    project = models.CharField(_("project"), max_length=100, blank=True)
    product_name = models.CharField(_("product in use"), max_length=100, blank=True)
    date_joined = models.DateTimeField(_("date joined"))
    closed_at = models.DateTimeField(_("closed at"), db_index=True)
    consents = models.JSONField(_("consents"), default=list)
    archived_at = models.DateTimeField(_("archived at"), default=timezone.now)

    class Meta:
        verbose_name = _("archived member")
        verbose_name_plural = _("archived members")

    def __str__(self):
        return self.source_key


class ArchivedRecord(models.Model):
    """A withdrawn member's retained record of any category, kept until its own due date.

    ``time`` is the instant that started the record's clock; ``data`` holds the record's columns
    as they were, so categories without a model of their own yet (complaints, payments) fit too.
    """

    source_key = models.CharField(_("source key"), max_length=SOURCE_KEY_MAX_LENGTH, unique=True)
    category = models.CharField(
        _("category"), max_length=30, choices=[(c.key, c.label) for c in CATEGORIES]
    )
    member_key = models.CharField(_("member key"), max_length=SOURCE_KEY_MAX_LENGTH, db_index=True)
    time = models.DateTimeField(_("time"))
    data = models.JSONField(_("record"), default=dict)
    archived_at = models.DateTimeField(_("archived at"), default=timezone.now)

    class Meta:
        verbose_name = _("archived record")
        verbose_name_plural = _("archived records")
        indexes = [models.Index(fields=["category", "time"], name="retention_record_due")]

    def __str__(self):
        return self.source_key


class LegalHoldQuerySet(models.QuerySet):
    def active(self) -> LegalHoldQuerySet:
        return self.filter(lifted_at__isnull=True)


class LegalHold(models.Model):
    """A hold that keeps a member's records past their due date (litigation, investigation).

    Beyond the policy, as records managers expect: the purge skips held records and lists them
    in its report; lifting the hold lets the next run destroy what has fallen due. The hold
    names the member by stable key, not by a foreign key, because an archived member lives in
    the other database, and so that the primary database keeps no byte of an archived ID.
    """

    member_key = models.CharField(_("member key"), max_length=SOURCE_KEY_MAX_LENGTH, db_index=True)
    reason = models.TextField(_("reason"))
    review_on = models.DateField(_("review on"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("placed by"),
    )
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at"]

    def __str__(self):
        return f"{self.member_key} ({self.review_on:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class PurgeRun(models.Model):
    """One run of ``purge_expired``: when, how many rows per category, and how it ended.

    Holds counts only, never personal data, so it may be kept as long as it is useful.
    """

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    started_at = models.DateTimeField(_("started at"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING
    )
    archived_members = models.PositiveIntegerField(_("members archived"), default=0)
    counts = models.JSONField(_("rows deleted per category"), default=dict)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"


class PendingErasure(models.Model):
    """A table that lost rows and whose file must still be rewritten (policy §6 나).

    Written before the rows are deleted and removed once the table has been rewritten, so that
    a run that stops in between — a crash, a lock not granted in time — leaves the rewrite to
    the next run instead of leaving the deleted bytes on disk. Names tables, never rows.
    """

    database = models.CharField(_("database"), max_length=30)
    table = models.CharField(_("table"), max_length=100)
    since = models.DateTimeField(_("waiting since"), default=timezone.now)

    class Meta:
        verbose_name = _("pending erasure")
        verbose_name_plural = _("pending erasures")
        constraints = [
            models.UniqueConstraint(fields=["database", "table"], name="retention_erasure_once")
        ]

    def __str__(self):
        return f"{self.database}:{self.table}"
