"""The privacy policy (개인정보처리방침) as versions, its notices, and the members' consents."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.exceptions import PolicyVersionImmutable

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
        "label", "title", "body", "summary", "material", "announced_at", "effective_at",
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

    def __str__(self):
        return f"{self.policy_version.label} · {self.given_at:%Y-%m-%d %H:%M}"
