"""Releases in admin: staff publish them with their files; who downloaded what, read-only.

Files are uploaded on the release's page (one row per file) and stored by
``selfservice.services.releases.add_release_file``, as the ``add_release_file`` command does for
files too large for a browser upload. A file is never changed in place (its SHA-256 is its
identity): staff delete it and add the new one.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin
from selfservice.exceptions import ReleaseFileRejected
from selfservice.models import Download, Release, ReleaseFile
from selfservice.services import releases
from staff.admin.audit import AccessAuditedAdmin

# A version is part of the download's address: a word character first (no "." or ".." that a
# browser would resolve away), then letters, digits, ".", "-", "_" and "+" only.
VERSION = re.compile(r"\w[\w.+-]*")


class ReleaseForm(forms.ModelForm):
    class Meta:
        model = Release
        fields = ("product", "version", "released_on", "audience", "published", "notes")

    def clean_version(self):
        version = self.cleaned_data["version"].strip()
        if not VERSION.fullmatch(version):
            raise ValidationError(
                _(
                    "Use letters, digits, “.”, “-”, “_” and “+” only, starting with a letter or a "
                    "digit (the version is part of the download address)."
                ),
                code="version_format",
            )
        return version


class ReleaseFileForm(forms.ModelForm):
    """A new file of a release: the upload, and the name members see if not the upload's own."""

    upload = forms.FileField(label=_("file"), required=False)

    class Meta:
        model = ReleaseFile
        fields = ("name",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Leave empty to keep the uploaded file's name.")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is None:
            if cleaned.get("name"):
                self.add_error("upload", ValidationError(_("Choose the file."), code="required"))
            return cleaned
        try:
            cleaned["name"] = releases.checked_name(cleaned.get("name") or upload.name)
        except ReleaseFileRejected as error:
            self.add_error("name", ValidationError(error.message, code=error.code))
        try:
            releases.check_size(upload.size)
        except ReleaseFileRejected as error:
            self.add_error("upload", ValidationError(error.message, code=error.code))
        return cleaned


class ReleaseFileFormSet(BaseInlineFormSet):
    def save_new(self, form, commit=True):
        # Stored through the service: streamed, hashed, and removed again if anything fails.
        return releases.add_release_file(
            release=self.instance,
            upload=form.cleaned_data["upload"],
            name=form.cleaned_data["name"],
        )


class ReleaseFileInline(admin.TabularInline):
    model = ReleaseFile
    form = ReleaseFileForm
    formset = ReleaseFileFormSet
    fields = ("name", "upload", "size", "sha256")
    readonly_fields = ("size", "sha256")
    extra = 1

    def has_change_permission(self, request, obj=None):
        # Existing files are shown read-only: a file is replaced, never altered.
        return False


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    form = ReleaseForm
    inlines = [ReleaseFileInline]
    list_display = ("product", "version", "released_on", "published", "audience", "downloads")
    list_display_links = ("product", "version")
    list_filter = ("product", "published", "audience")
    list_select_related = ("product",)
    search_fields = ("version", "product__name")
    ordering = ("-released_on", "-pk")
    readonly_fields = ("downloads",)

    def get_queryset(self, request):
        # Counted in the list's own query, no query per release; as a subquery rather than a
        # join, so that the list's row count skips it and each page counts its rows only.
        counts = (
            Download.objects.filter(release=OuterRef("pk"))
            .order_by()
            .values("release")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return super().get_queryset(request).annotate(download_count=Coalesce(Subquery(counts), 0))

    @admin.display(description=_("downloads"), ordering="download_count")
    def downloads(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("admin:selfservice_download_changelist")
        return format_html(
            '<a href="{}?release__id__exact={}">{}</a>', url, obj.pk, obj.download_count
        )


class ReleaseFilter(admin.RelatedFieldListFilter):
    """The releases to choose from, each named with its product in the same query (a release's
    name reads its product: one query per release otherwise)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or ()
        releases = Release.objects.select_related("product").order_by(*ordering)
        return [(release.pk, str(release)) for release in releases]


@admin.register(Download)
class DownloadAdmin(AccessAuditedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Supply records: who downloaded what, when. A list of members, so every page viewed is
    an access record (policy §9 다); the records are evidence, read-only even for superusers."""

    list_display = ("time", "member", "product", "version", "file_name")
    list_filter = (("time", admin.DateFieldListFilter), ("release", ReleaseFilter))
    list_select_related = ("member",)
    search_fields = ("member__username", "version", "file_name")
    # Five years of downloads: a filtered list counts its own rows, not the whole table too.
    show_full_result_count = False
