"""The privacy policy (개인정보처리방침) as versions, its notices, and the members' consents."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.exceptions import PolicyVersionImmutable

# How much a member may write about a request: what they ask for, in their own words.
DETAILS_LENGTH = 2000

label_validator = RegexValidator(
    regex=r"\A[0-9A-Za-z][0-9A-Za-z.\-]{0,19}\Z",
    message=_("A version label is letters, digits, dots and hyphens, e.g. 2.0."),
    code="invalid_label",
)


class PolicyVersion(models.Model):
    """One version of the policy text (policy §12 고지의 의무).

    The version in force is the latest effective one that was not withdrawn. Once announced, a
    version is evidence of what members were told and agreed to: its text, label and dates never
    change (``save`` refuses), and a version not yet in force can only be withdrawn.
    """

    IMMUTABLE_FIELDS = (
        "label", "title", "body", "summary", "material", "requires_consent", "announced_at",
        "effective_at",
    )  # fmt: skip

    label = models.CharField(_("version"), max_length=20, unique=True, validators=[label_validator])
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    summary = models.TextField(_("what changes"), blank=True)
    material = models.BooleanField(
        _("material change"),
        default=False,
        help_text=_(
            "New items collected, new provision to third parties or longer retention: "
            "requires the longer notice period."
        ),
    )
    requires_consent = models.BooleanField(
        _("members must agree again"),
        default=False,
        help_text=_(
            "The change touches what members consented to (new items collected, new purposes): "
            "each member is asked to agree again at their next visit. Otherwise members are "
            "only informed."
        ),
    )
    announced_at = models.DateTimeField(_("announced at"))
    effective_at = models.DateTimeField(_("effective at"), db_index=True)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("announced by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["-effective_at"]

    def __str__(self):
        return f"{self.title} ({self.label})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values(*self.IMMUTABLE_FIELDS).first()
            if stored and any(stored[name] != getattr(self, name) for name in stored):
                raise PolicyVersionImmutable(self.label)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PolicyVersionImmutable(self.label)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Notice(models.Model):
    """공지사항: announcements on the home page, including every policy change (§12)."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now, db_index=True)
    pinned = models.BooleanField(_("pinned on top"), default=False)
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("policy version"),
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-pinned", "-published_at", "-id"]

    def __str__(self):
        return self.title


class Consent(models.Model):
    """수집·이용 동의: a member's agreement to, or acknowledgement of, one policy version."""

    class Kind(models.TextChoices):
        SIGNUP = "signup", _("Sign-up")
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledged a change")
        RECONSENT = "reconsent", _("Agreed again to a change")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("member"),
    )
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("policy version"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    given_at = models.DateTimeField(_("given at"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        indexes = [models.Index(fields=["ip", "given_at"])]
        # A member agrees to (or acknowledges) a version once: a double submit records nothing.
        constraints = [
            models.UniqueConstraint(
                fields=["member", "policy_version", "kind"], name="privacy_consent_once"
            )
        ]

    def __str__(self):
        return f"{self.policy_version.label} · {self.given_at:%Y-%m-%d %H:%M}"


class PrivacyRequest(models.Model):
    """A member's request under policy §7 (PIPA §35–38) received by letter, phone, e-mail or
    the web: access, correction, deletion, suspension of processing (처리정지), withdrawal of
    consent, or an objection (이의제기) to a refusal.

    Every kind must be answered within ``PRIVACY_REQUEST_DAYS`` days, and a refusal gives its
    reasons (시행령 §42–44). While a correction request is open the member is *restricted*
    (§7: "정정 또는 삭제를 완료하기 전까지 당해 개인정보를 이용 또는 제공하지 않습니다"): staff
    exports and statistics leave them out, and no disclosure may name them.
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access")
        CORRECTION = "correction", _("Correction")
        DELETION = "deletion", _("Deletion")
        SUSPENSION = "suspension", _("Suspension of processing")
        WITHDRAWAL = "withdrawal", _("Withdrawal of consent")
        OBJECTION = "objection", _("Objection to a refusal")

    class Channel(models.TextChoices):
        LETTER = "letter", _("Letter")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        WEB = "web", _("Web")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        REFUSED = "refused", _("Refused with reasons")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="privacy_requests",
        verbose_name=_("member"),
    )
    details = models.TextField(_("details"), max_length=DETAILS_LENGTH, blank=True)
    # Each record keeps its own three years from its own answer (policy §5), so the refusal may
    # be destroyed before the objection to it: the objection then stays, without the link.
    objects_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("objection to"),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolution = models.TextField(
        _("resolution"),
        blank=True,
        help_text=_("Shown to the member. A refusal must state its reasons."),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["-received_at", "-id"]
        constraints = [
            # One open request of a kind per member, also when two are sent at once; objections
            # are one per refusal instead, as a member may object to two refusals.
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=models.Q(status="open") & ~models.Q(kind="objection"),
                name="privacy_request_one_open_per_kind",
            ),
            models.UniqueConstraint(
                fields=["objects_to"],
                condition=models.Q(objects_to__isnull=False),
                name="privacy_request_one_objection_per_refusal",
            ),
            models.CheckConstraint(
                condition=models.Q(objects_to__isnull=True) | models.Q(kind="objection"),
                name="privacy_request_only_objections_object",
            ),
            # The retention clock is the answer (policy §5): an open request has none, so the
            # purge never destroys it, and an answered one always has one.
            models.CheckConstraint(
                condition=models.Q(status="open", resolved_at__isnull=True)
                | (~models.Q(status="open") & models.Q(resolved_at__isnull=False)),
                name="privacy_request_answered_when_resolved",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.received_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())

    @property
    def objection_deadline(self) -> datetime.datetime | None:
        """PIPA §38 ⑤: a refusal may be objected to until ``PRIVACY_OBJECTION_DAYS`` days after
        it was given; None for anything but a refusal."""
        if self.status != self.Status.REFUSED or self.resolved_at is None:
            return None
        return self.resolved_at + datetime.timedelta(days=settings.PRIVACY_OBJECTION_DAYS)


class Disclosure(models.Model):
    """제3자 제공 (policy §3): personal data provided to someone outside, and on what basis."""

    class Basis(models.TextChoices):
        CONSENT = "consent", _("The member's consent")
        STATUTE = "statute", _("A statute, on a lawful request")

    recipient = models.CharField(_("recipient"), max_length=200)
    basis = models.CharField(_("legal basis"), max_length=20, choices=Basis.choices)
    statute = models.CharField(
        _("statute and case number"),
        max_length=200,
        blank=True,
        help_text=_("Required when the basis is a statute."),
    )
    items = models.CharField(_("items provided"), max_length=255)
    disclosed_at = models.DateTimeField(_("disclosed at"), default=timezone.now, db_index=True)
    withhold_from_member = models.BooleanField(
        _("the law forbids telling the member"),
        default=False,
        help_text=_("Hide this disclosure from the member's own data page."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-disclosed_at", "-id"]

    def __str__(self):
        return f"{self.recipient} {self.disclosed_at:%Y-%m-%d}"


class DisclosedMember(models.Model):
    """One member whose data a disclosure provided; its own time so the purge needs no join."""

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.CASCADE, related_name="entries", verbose_name=_("disclosure")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="disclosures",
        verbose_name=_("member"),
    )
    time = models.DateTimeField(_("disclosed at"), db_index=True)

    class Meta:
        verbose_name = _("disclosed member")
        verbose_name_plural = _("disclosed members")
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "member"], name="privacy_disclosedmember_once"
            )
        ]

    def __str__(self):
        return f"{self.disclosure} / {self.member}"


class CorrectionNotice(models.Model):
    """Policy §7: a recipient who already had the member's data must be told of its correction.

    Created for each earlier disclosure when the member's data is corrected; ``notified_at`` is
    set when the officer records that the recipient was told.
    """

    entry = models.ForeignKey(
        DisclosedMember,
        on_delete=models.CASCADE,
        related_name="correction_notices",
        verbose_name=_("disclosure of the member"),
    )
    corrected_at = models.DateTimeField(_("corrected at"), db_index=True)
    fields = models.CharField(_("corrected items"), max_length=255)
    notified_at = models.DateTimeField(_("recipient notified at"), null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("notified by"),
    )

    class Meta:
        verbose_name = _("correction notice")
        verbose_name_plural = _("correction notices")
        ordering = ["notified_at", "-corrected_at"]

    def __str__(self):
        return f"{self.entry} {self.corrected_at:%Y-%m-%d}"
