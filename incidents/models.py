"""The officer's register of personal-data breaches (개인정보 유출등, PIPA §34; 시행령 §39–40)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models import Notice

# 시행령 §39 ①, §40 ①: members are notified, and the report is made, within 72 hours of the
# moment the center learned of the breach.
NOTIFY_WITHIN = datetime.timedelta(hours=72)
# 시행령 §40 ①1: a breach of this many members or more must be reported to the PIPC or KISA.
REPORT_THRESHOLD = 1000
# 시행령 §39 ③: members the center cannot reach are told by a notice kept this many days.
PUBLIC_NOTICE_DAYS = 30


class Incident(models.Model):
    """One breach (유출등) of members' personal data, as the privacy officer records it.

    The five items of the members' notice (PIPA §34 ①: what, when and how, what members can
    do, what the center did, whom to contact) are fields of their own, shown as they stand now
    to every affected member; the public notice is written from them once, when the officer
    notifies the members.
    """

    title = models.CharField(_("title"), max_length=200)
    what_happened = models.TextField(
        _("what happened"), help_text=_("Shown to the affected members and in the public notice.")
    )
    items = models.CharField(
        _("personal data affected"),
        max_length=255,
        help_text=_("The items of personal data involved, e.g. ID, company, project."),
    )
    occurred_at = models.DateTimeField(
        _("occurred at"), null=True, blank=True, help_text=_("Leave empty while unknown.")
    )
    discovered_at = models.DateTimeField(
        _("discovered at"),
        help_text=_("When the center learned of it: the 72 hours are counted from here."),
    )
    cause = models.TextField(_("how it was discovered and its cause"))
    sensitive = models.BooleanField(
        _("sensitive or unique identifying data involved"),
        default=False,
        help_text=_("Then the report to the PIPC or KISA is required, whatever the number."),
    )
    intrusion = models.BooleanField(
        _("unlawful access from outside"),
        default=False,
        help_text=_("Hacking and the like: then the report is required, whatever the number."),
    )
    containment = models.TextField(
        _("what the center did"),
        help_text=_("Containment steps and how members obtain redress."),
    )
    member_actions = models.TextField(_("what members can do to limit the harm"))
    contact = models.TextField(
        _("whom to contact"), help_text=_("The department and contact that take members' reports.")
    )
    members_notified_at = models.DateTimeField(_("members notified at"), null=True, blank=True)
    public_notice = models.ForeignKey(
        Notice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("public notice"),
    )
    authority_report_sent_at = models.DateTimeField(
        _("report to the PIPC or KISA sent at"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("breach incident")
        verbose_name_plural = _("breach incidents")
        ordering = ["-discovered_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def deadline(self) -> datetime.datetime:
        return self.discovered_at + NOTIFY_WITHIN


class AffectedMember(models.Model):
    """One member a breach affected, and whether they acknowledged its notice.

    A row per member, with its own time, so that the retention purge and the archive move find a
    member's rows by one indexed column (registry: ``staff_access``).
    """

    incident = models.ForeignKey(
        Incident,
        on_delete=models.CASCADE,
        related_name="affected",
        verbose_name=_("breach incident"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="breach_notices",
        verbose_name=_("member"),
    )
    time = models.DateTimeField(_("selected at"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("affected member")
        verbose_name_plural = _("affected members")
        ordering = ["-time", "-id"]
        # Selecting a member twice, by two scopes or by two officers at once, adds one row.
        constraints = [
            models.UniqueConstraint(fields=["incident", "member"], name="incidents_affected_once")
        ]

    def __str__(self):
        return f"{self.incident} / {self.member}"
