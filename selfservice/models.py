"""Self-service: support contracts and who they cover, releases to download, and the knowledge base.

Policy §5 keeps 계약에 관한 기록 (contracts and the members they cover, five years from the
contract's end) and 대금결제 및 재화 등의 공급에 관한 기록 (payments, five years from payment, and
downloads of releases — supply records — five years from the download).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Product

CATEGORIES = ("defect", "complaint", "question", "request")


class Tier(models.Model):
    """A level of support (Standard, Premium…) and its first-answer targets, in working hours."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    hours_defect = models.PositiveSmallIntegerField(_("first answer to a defect (hours)"))
    hours_complaint = models.PositiveSmallIntegerField(_("first answer to a complaint (hours)"))
    hours_question = models.PositiveSmallIntegerField(_("first answer to a question (hours)"))
    hours_request = models.PositiveSmallIntegerField(_("first answer to a request (hours)"))

    class Meta:
        verbose_name = _("support tier")
        verbose_name_plural = _("support tiers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def hours(self, category: str) -> int:
        return getattr(self, f"hours_{category}")


class Contract(models.Model):
    """A maintenance contract of a company's project for one or more products."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        TERMINATED = "terminated", _("Terminated")

    number = models.CharField(_("contract number"), max_length=40, unique=True)
    company = models.CharField(_("company"), max_length=100)
    project = models.CharField(_("project"), max_length=100)
    products = models.ManyToManyField(Product, related_name="+", verbose_name=_("products"))
    tier = models.ForeignKey(
        Tier, on_delete=models.PROTECT, related_name="+", verbose_name=_("tier")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )

    class Meta:
        verbose_name = _("support contract")
        verbose_name_plural = _("support contracts")
        ordering = ["-ends_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="selfservice_contract_dates"
            )
        ]

    def __str__(self):
        return self.number

    def in_force(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.status == self.Status.ACTIVE and self.starts_on <= day <= self.ends_on


class ContractChange(models.Model):
    """Who changed a contract or its payments, when, and what (kept with the contract)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="changes", verbose_name=_("contract")
    )
    time = models.DateTimeField(_("time"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    # Kept as text too: the record names its author even after the staff account is gone.
    changed_by_username = models.CharField(_("changed by (ID)"), max_length=150)
    change = models.TextField(_("change"))

    class Meta:
        verbose_name = _("contract change")
        verbose_name_plural = _("contract changes")
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{self.contract_id} {self.time:%Y-%m-%d %H:%M}"


class Payment(models.Model):
    """An invoice against a contract and when it was paid (대금결제에 관한 기록)."""

    contract = models.ForeignKey(
        Contract,
        on_delete=models.SET_NULL,
        null=True,
        related_name="payments",
        verbose_name=_("contract"),
    )
    # The payment stays meaningful after its contract's own period ends first.
    contract_number = models.CharField(_("contract number"), max_length=40)
    invoice_number = models.CharField(_("invoice number"), max_length=40, unique=True)
    amount = models.PositiveBigIntegerField(_("amount (KRW)"))
    issued_on = models.DateField(_("issued on"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-issued_on", "invoice_number"]

    def __str__(self):
        return self.invoice_number


class Coverage(models.Model):
    """A member linked to a contract by staff: who was covered, and when (a contract record)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="coverages", verbose_name=_("contract")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("linked by"),
    )
    unlinked_at = models.DateTimeField(_("unlinked at"), null=True, blank=True)

    member_columns = ("linked_at", "contract", "unlinked_at")

    class Meta:
        verbose_name = _("coverage")
        verbose_name_plural = _("coverages")
        ordering = ["-linked_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "member"],
                condition=Q(unlinked_at__isnull=True),
                name="selfservice_coverage_once",
            )
        ]

    def __str__(self):
        return f"{self.contract_id} / {self.member_id}"


class Release(models.Model):
    """A release or patch of a product, published for its members to download."""

    class Audience(models.TextChoices):
        PRODUCT_USERS = "users", _("Every member using the product")
        COVERED = "covered", _("Members covered by a contract for the product")

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    version = models.CharField(_("version"), max_length=40)
    released_on = models.DateField(_("released on"), default=timezone.localdate)
    notes = models.TextField(_("release notes (Markdown)"), blank=True)
    audience = models.CharField(
        _("who may download"), max_length=10, choices=Audience.choices, default=Audience.COVERED
    )
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ["-released_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="selfservice_release_once")
        ]

    def __str__(self):
        return f"{self.product} {self.version}"


class ReleaseFile(models.Model):
    """A file of a release, stored outside any public URL and served by the download view."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, related_name="files", verbose_name=_("release")
    )
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(max_length=255, unique=True, editable=False)

    class Meta:
        verbose_name = _("release file")
        verbose_name_plural = _("release files")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Download(models.Model):
    """재화 등의 공급에 관한 기록: a member downloaded a file of a release (policy §5: 5 years)."""

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    release = models.ForeignKey(
        Release,
        on_delete=models.SET_NULL,
        null=True,
        related_name="downloads",
        verbose_name=_("release"),
    )
    # What was supplied, named in the record itself: releases and files may be withdrawn.
    product = models.CharField(_("product"), max_length=100)
    version = models.CharField(_("version"), max_length=40)
    file_name = models.CharField(_("file name"), max_length=255)

    member_columns = ("time", "product", "version", "file_name", "ip")

    class Meta:
        verbose_name = _("download (supply record)")
        verbose_name_plural = _("downloads (supply records)")
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.product} {self.version}"


class Article(models.Model):
    """A knowledge-base article: public, so it never holds anyone's personal data."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)
    body = models.TextField(_("text (Markdown)"))
    products = models.ManyToManyField(
        Product, blank=True, related_name="+", verbose_name=_("products")
    )
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    published = models.BooleanField(_("published"), default=False)
    last_reviewed_on = models.DateField(_("last reviewed on"), default=timezone.localdate)
    helpful_yes = models.PositiveIntegerField(_("found it helpful"), default=0, editable=False)
    helpful_no = models.PositiveIntegerField(_("did not"), default=0, editable=False)

    class Meta:
        verbose_name = _("knowledge-base article")
        verbose_name_plural = _("knowledge-base articles")
        ordering = ["title"]

    def __str__(self):
        return self.title
