"""Members, the product catalog, and the records policy §1 나 says are generated automatically."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models, router, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import visits
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
            ("unlock_member", _("Can unlock a member locked out after failed logins")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(username=Lower("username")),
                name="accounts_user_username_lower_case",
            ),
        ]

    def __str__(self):
        return self.username

    def save(self, *args, **kwargs):
        # The save's receivers write in the row's own transaction, whoever saves it: an account
        # leaving staff loses its roles with it, or not at all (staff.receivers).
        using = kwargs.get("using") or router.db_for_write(User, instance=self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)

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
        # Found through the setting, as SessionMiddleware finds it, so that this module and the
        # engine's do not import each other.
        return import_module(settings.SESSION_ENGINE).SessionStore


class Record(models.Model):
    """An automatically generated record (policy §1 나): when it happened and from which address.

    The base of the member records here and of the staff records in ``staff``; newest first.
    """

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S}"


class Described:
    """A column a member reads in words rather than as stored (``member_columns``): read on a
    record, it gives ``describe(record)``; read on the class, it is itself, with the ``label``
    of its column."""

    def __init__(self, label, describe: Callable[[models.Model], str]):
        self.label = label
        self.describe = describe

    def __get__(self, record, owner=None):
        return self if record is None else self.describe(record)


class MemberRecord(Record):
    """A record about one member; empty when there was none (a visit before logging in, a
    lockout of an ID that did not exist at the time).

    ``member_columns`` names the fields the member is shown of their own records on the my-data
    page, or ``Described`` columns, which say a field in words; a record type that leaves it
    empty is shown there in its own way or not at all. The first is a field the rows are
    ordered by, newest first.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )

    member_columns: tuple[str, ...] = ()

    class Meta(Record.Meta):
        abstract = True


class VisitRecord(MemberRecord):
    """방문에 관한 기록 of one page request (policy §1 나: IP Address, 방문 일시, 이용 기록)."""

    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=255)
    status = models.PositiveSmallIntegerField(_("status"))

    # Policy §7 열람 in plain words: which page, read or submitted, and how it ended; the JSON
    # export keeps the stored fields.
    page = Described(_("page visited"), lambda visit: visits.page_name(visit.path))
    action = Described(_("what you did"), lambda visit: visits.action(visit.method))
    outcome = Described(_("outcome"), lambda visit: visits.outcome(visit.status))

    member_columns = ("time", "ip", "page", "action", "outcome")

    class Meta(MemberRecord.Meta):
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")

    def __str__(self):
        return f"{super().__str__()} {self.method} {self.path} {self.status}"


class VisitDay(models.Model):
    """How many visits one local day had, counted once the day is over.

    The staff dashboard reads these few rows rather than the visit table, which holds three
    months of every request. A count names no one, so it outlives the records it counts.
    """

    day = models.DateField(_("day"), primary_key=True)
    visits = models.PositiveIntegerField(_("visits"))

    class Meta:
        verbose_name = _("visits of a day")
        verbose_name_plural = _("visits of each day")

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.visits}"


class IdentityVerification(MemberRecord):
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

    # Every verification is of a known member.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, blank=True)

    member_columns = ("time", "ip", "kind")

    class Meta(MemberRecord.Meta):
        verbose_name = _("identity-verification record")
        verbose_name_plural = _("identity-verification records")

    def __str__(self):
        return f"{super().__str__()} {self.get_kind_display()}"


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


class MisuseRecord(MemberRecord):
    """부정이용기록 (policy §1 나 불량 이용 기록, §5 가): lockouts and staff flags.

    A lockout names the ID that was tried, and the member only when that ID existed then.
    """

    class Kind(models.TextChoices):
        LOCKOUT = "lockout", _("Login lockout")
        STAFF_FLAG = "staff_flag", _("Flagged by staff")
        # 안전성 확보조치 기준 제6조: the admin refused an address outside ADMIN_ALLOWED_NETWORKS.
        ADMIN_OUTSIDE_NETWORK = (
            "admin_outside_network",
            _("Admin request from outside the allowed networks"),
        )

    username_tried = models.CharField(_("ID tried"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    reason = models.TextField(_("reason"), blank=True)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("flagged by"),
    )

    member_columns = ("time", "ip", "kind")

    class Meta(MemberRecord.Meta):
        verbose_name = _("misuse record")
        verbose_name_plural = _("misuse records")

    def __str__(self):
        return f"{super().__str__()} {self.get_kind_display()}"
