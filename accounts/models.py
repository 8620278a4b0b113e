"""Members, the product catalog, and the records policy §1 나 says are generated automatically."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.exceptions import AppendOnlyRecord
from accounts.validators import (
    MEMBER_ID_MAX_LENGTH,
    member_id_validator,
    normalize_member_id,
    printable_text_validator,
)

NAME_MAX_LENGTH = 100


class Product(models.Model):
    """사용제품: the catalog a member picks the product in use from."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    active = models.BooleanField(_("offered at sign-up"), default=True)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["ordering", "name"]

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_username(cls, username):
        return normalize_member_id(username)

    def get_by_natural_key(self, username):
        return self.get(username=normalize_member_id(username))

    def create_user(self, username, password=None, **extra_fields):
        user = self.model(username=normalize_member_id(username), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self.create_user(username, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A member (회원) or a staff account.

    A member holds exactly the items of policy §1 가 — ID, password (as an Argon2 hash), company,
    project and product — and Django's bookkeeping. Staff accounts leave the last three empty.
    """

    username = models.CharField(
        _("ID"),
        max_length=MEMBER_ID_MAX_LENGTH,
        unique=True,
        validators=[member_id_validator],
        error_messages={"unique": _("This ID is not available.")},
    )
    company = models.CharField(
        _("company"), max_length=NAME_MAX_LENGTH, blank=True, validators=[printable_text_validator]
    )
    project = models.CharField(
        _("project"), max_length=NAME_MAX_LENGTH, blank=True, validators=[printable_text_validator]
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("product in use"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    closed_at = models.DateTimeField(
        _("closed at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("When the member withdrew (회원탈퇴); the account cannot log in afterwards."),
    )

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        permissions = [
            ("export_member", _("Can export member data")),
            ("flag_member", _("Can flag members for misuse and suspend them")),
            ("view_access_review", _("Can view the monthly access review")),
            ("view_staff_dashboard", _("Can view the staff dashboard")),
            ("issue_reset_code", _("Can verify a caller and issue a password reset code")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(username=Lower("username")),
                name="accounts_user_username_lower_case",
            ),
        ]

    def __str__(self):
        return self.username

    def clean(self):
        super().clean()
        self.username = normalize_member_id(self.username)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class MemberSession(AbstractBaseSession):
    """A Django session that knows its member, so that withdrawal can end every one of them."""

    member = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("member"),
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore


class VisitRecord(models.Model):
    """방문에 관한 기록 of one page request (policy §1 나: IP Address, 방문 일시, 이용 기록)."""

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    member = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_records",
        verbose_name=_("member"),
    )
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=255)
    status = models.PositiveSmallIntegerField(_("status"))

    class Meta:
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.method} {self.path} {self.status}"


class IdentityVerification(models.Model):
    """본인확인에 관한 기록: a login, password re-check or password change."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        REAUTH = "reauth", _("Password re-check")
        PASSWORD_CHANGE = "password_change", _("Password change")
        STAFF_ASSISTED = "staff_assisted", _("Verified by the support center")
        RESET_CODE = "reset_code", _("Password reset with a code")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Letter")

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    member = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="identity_verifications",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    verified_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)

    class Meta:
        verbose_name = _("identity-verification record")
        verbose_name_plural = _("identity-verification records")
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.get_kind_display()}"


class PasswordResetCode(models.Model):
    """A one-time code staff issue after verifying a caller (no e-mail to send a link to).

    Only a hash is stored; the code is shown once to staff, who read it to the member. It is
    valid for 30 minutes and once, and it is deleted when it expires.
    """

    member = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="reset_codes", verbose_name=_("member")
    )
    code_hash = models.CharField(_("code hash"), max_length=128)
    verification = models.ForeignKey(
        IdentityVerification,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("identity verification"),
    )
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("issued by")
    )
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("password reset code")
        verbose_name_plural = _("password reset codes")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.member_id} {self.created_at:%Y-%m-%d %H:%M}"


class MisuseRecord(models.Model):
    """부정이용기록 (policy §1 나 불량 이용 기록, §5 가): lockouts, and later staff flags."""

    class Kind(models.TextChoices):
        LOCKOUT = "lockout", _("Login lockout")
        STAFF_FLAG = "staff_flag", _("Flagged by staff")

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    username_tried = models.CharField(_("ID tried"), max_length=150, blank=True)
    member = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="misuse_records",
        verbose_name=_("member"),
        help_text=_("The member whose ID was tried, when one existed at the time."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    reason = models.TextField(_("reason"), blank=True)
    flagged_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("flagged by"),
    )

    class Meta:
        verbose_name = _("misuse record")
        verbose_name_plural = _("misuse records")
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.get_kind_display()}"


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


class AccessRecord(AppendOnlyModel):
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

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    staff = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    # Kept as text too: the record must name its handler even after their account is gone.
    staff_username = models.CharField(_("staff ID"), max_length=150)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    member = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_records",
        verbose_name=_("member"),
    )
    target = models.CharField(_("what"), max_length=100, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["staff_username", "time"])]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.staff_username} {self.action}"


class PrivilegeChange(AppendOnlyModel):
    """A grant or removal of staff privileges (안전성 확보조치 기준 §5: kept three years)."""

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_by_username = models.CharField(_("changed by (ID)"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    subject = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="privilege_changes",
        verbose_name=_("account"),
    )
    group_name = models.CharField(
        _("role"),
        max_length=150,
        blank=True,
        help_text=_("Set when a role's own permissions changed."),
    )
    change = models.CharField(_("change"), max_length=255)

    class Meta:
        verbose_name = _("privilege change")
        verbose_name_plural = _("privilege changes")
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.change}"


class StaffCredential(models.Model):
    """A staff account's password age and previous hashes (policy §9 다: renewed regularly).

    Kept beside the user row, not in it: a member's row holds only the items of policy §1 가.
    The hashes are newest first, so that none of the last ``STAFF_PASSWORD_HISTORY`` passwords
    is chosen again.
    """

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="staff_credential",
        verbose_name=_("staff member"),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    previous_hashes = models.JSONField(_("previous password hashes"), default=list, blank=True)

    class Meta:
        verbose_name = _("staff credential")
        verbose_name_plural = _("staff credentials")

    def __str__(self):
        return str(self.user)
