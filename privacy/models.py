"""The privacy policy (개인정보처리방침) as versions, and the members' consents to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PolicyVersion(models.Model):
    """One version of the policy text; the version in force is the latest one already effective."""

    label = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    announced_at = models.DateTimeField(_("announced at"))
    effective_at = models.DateTimeField(_("effective at"), db_index=True)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["-effective_at"]

    def __str__(self):
        return f"{self.title} ({self.label})"


class Consent(models.Model):
    """수집·이용 동의: a member's agreement to one policy version (policy §1 가, §2 가)."""

    class Kind(models.TextChoices):
        SIGNUP = "signup", _("Sign-up")

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
