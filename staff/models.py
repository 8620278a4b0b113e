"""Records of what staff do with personal data, staff accounts' password history, and the
login records and second-factor devices of other packages under names staff read.

The tables keep the names they had when these models lived in ``accounts``
(``accounts_accessrecord`` …): moving the code moved no row.
"""

from __future__ import annotations

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import MemberRecord, Record
from staff.exceptions import AppendOnlyRecord


class AppendOnlyQuerySet(models.QuerySet):
    """Evidence is written once: bulk updates and deletes through the default manager are refused.

    The retention purge and the archive move delete through ``_base_manager`` with raw DELETE
    statements, which this queryset does not govern.
    """

    def update(self, **kwargs):
        raise AppendOnlyRecord

    def delete(self):
        raise AppendOnlyRecord


class AppendOnlyModel(models.Model):
    """A record that is added and read, never changed or deleted one by one."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyRecord
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyRecord


class AccessRecord(AppendOnlyModel, MemberRecord):
    """개인정보 접속기록 (안전성 확보조치 기준 §8; policy §9 다): staff handling a member's data.

    One row per member handled, so that the purge and the archive move find a member's rows by
    one indexed column; a list page writes one row per member it shows, all with the same time.
    A search that shows nobody writes one row without a member, naming the query in ``detail``.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed a member's page")
        LIST = "list", _("Listed members")
        ADD = "add", _("Added")
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")
        EXPORT = "export", _("Exported")
        ADMIN_ACTION = "admin_action", _("Admin action")
        FLAG = "flag", _("Flagged for misuse")
        SUSPEND = "suspend", _("Suspended")
        LIFT = "lift", _("Lifted a suspension")
        VERIFY = "verify", _("Verified a caller")
        RESET_CODE = "reset_code", _("Issued a password reset code")
        UNLOCK = "unlock", _("Ended a login lockout")

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    # Kept as text too: the record must name its handler even after their account is gone.
    staff_username = models.CharField(_("staff ID"), max_length=150)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target = models.CharField(_("what"), max_length=100, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    # 고시 제8조: a download of personal data names why it was needed; other actions have none.
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta(MemberRecord.Meta):
        db_table = "accounts_accessrecord"
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        indexes = [
            models.Index(fields=["staff_username", "time"], name="accounts_ac_staff_u_dd6a19_idx")
        ]

    def __str__(self):
        return f"{super().__str__()} {self.staff_username} {self.action}"


class PrivilegeChange(AppendOnlyModel, Record):
    """A grant or removal of staff privileges (안전성 확보조치 기준 §5: kept three years)."""

    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_by_username = models.CharField(_("changed by (ID)"), max_length=150, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    group_name = models.CharField(
        _("role"),
        max_length=150,
        blank=True,
        help_text=_("Set when a role's own permissions changed."),
    )
    change = models.CharField(_("change"), max_length=255)

    class Meta(Record.Meta):
        db_table = "accounts_privilegechange"
        verbose_name = _("privilege change")
        verbose_name_plural = _("privilege changes")

    def __str__(self):
        return f"{super().__str__()} {self.change}"


class AccessReviewSignOff(AppendOnlyModel):
    """The privacy officer's sign-off of one month's access review (고시 제8조: checked monthly).

    One per month, kept with the access records it reviewed (``staff_access``). The month is
    its first day; a sign-off is made only once the month is over.
    """

    month = models.DateField(_("month"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    # Kept as text too: the sign-off must name the officer even after their account is gone.
    signed_by_username = models.CharField(_("signed off by (ID)"), max_length=150)
    signed_at = models.DateTimeField(_("signed off at"))
    remarks = models.TextField(_("remarks"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("access review sign-off")
        verbose_name_plural = _("access review sign-offs")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["month"], name="staff_one_sign_off_per_month")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.signed_by_username}"


class StaffCredential(models.Model):
    """A staff account's password age and previous hashes (policy §9 다: renewed regularly).

    Kept beside the user row, not in it: a member's row holds only the items of policy §1 가.
    The hashes are newest first, so that none of the last ``STAFF_PASSWORD_HISTORY`` passwords
    is chosen again.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_credential",
        verbose_name=_("staff member"),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    previous_hashes = models.JSONField(_("previous password hashes"), default=list, blank=True)

    class Meta:
        db_table = "accounts_staffcredential"
        verbose_name = _("staff credential")
        verbose_name_plural = _("staff credentials")

    def __str__(self):
        return str(self.user)


# --- Other packages' tables, under names staff read -------------------------------------------
# django-axes and django-otp name their models in English only ("access attempt", "TOTP
# device"), and a third-party model's options cannot change without a migration in its package.
# The admin shows these proxies instead: same tables and rows, names of our own. A django-axes
# row is named by the ID that was tried: an admin log entry about it keeps that name as its
# ``object_repr``, by which retention finds it as the member's.


class FailedLoginCounter(AccessAttempt):
    """django-axes' count of failed logins per ID and address, which makes the lockout (§9 나)."""

    class Meta:
        proxy = True
        verbose_name = _("failed-login counter")
        verbose_name_plural = _("failed-login counters")

    def __str__(self):
        return self.username or ""


class FailedLogin(AccessFailureLog):
    """django-axes' record of one failed login."""

    class Meta:
        proxy = True
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")

    def __str__(self):
        return self.username or ""


class LoginLog(AccessLog):
    """django-axes' log of logins, kept empty by AXES_DISABLE_ACCESS_LOG: logins are
    identity-verification records."""

    class Meta:
        proxy = True
        verbose_name = _("login log")
        verbose_name_plural = _("login logs")

    def __str__(self):
        return self.username or ""


class SecondFactorDevice(TOTPDevice):
    """A staff member's authenticator app (django-otp TOTP; policy §9 다)."""

    class Meta:
        proxy = True
        verbose_name = _("second-factor device")
        verbose_name_plural = _("second-factor devices")
