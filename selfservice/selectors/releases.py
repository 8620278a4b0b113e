"""Reads about releases: what a member may download, and the supply records of their downloads."""

from __future__ import annotations

from django.core.files import File
from django.core.files.storage import storages
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst

from accounts.models import User
from selfservice.models import Download, Release, ReleaseFile
from selfservice.selectors.contracts import contract_in_force

# Where release files are kept (settings.STORAGES), outside any URL.
STORAGE = "releases"

# Why a member may not download a release; the not-entitled page explains each in its words.
OTHER_PRODUCT = "other_product"
NOT_COVERED = "not_covered"


def member_releases(member: User) -> QuerySet[Release]:
    """The published releases of the member's product, newest first."""
    if member.product_id is None:
        return Release.objects.none()
    return (
        Release.objects.filter(product_id=member.product_id, published=True)
        .select_related("product")
        .order_by("-released_on", "-pk")
    )


def is_covered(member: User) -> bool:
    """Whether a contract in force today covers the member's product."""
    if member.product_id is None:
        return False
    return contract_in_force(member, product=member.product) is not None


def published_release(product: str, version: str) -> Release:
    """The published release ``version`` of the product with slug ``product``; 404 otherwise
    (an unpublished release is not confirmed to exist)."""
    release = (
        Release.objects.filter(product__slug=product, version=version, published=True)
        .select_related("product")
        .first()
    )
    if release is None:
        raise Http404
    return release


def release_file(release: Release, pk: int) -> ReleaseFile:
    """A file of ``release``; 404 for a file of any other release."""
    item = ReleaseFile.objects.filter(release=release, pk=pk).first()
    if item is None:
        raise Http404
    return item


def open_stored(item: ReleaseFile) -> File:
    """The stored bytes of ``item``, opened for reading; 404 when the file is gone from the
    storage although its row remains (restored database, lost disk): never a server error."""
    try:
        return storages[STORAGE].open(item.storage_name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing


def entitlement(member: User, release: Release) -> str | None:
    """None when ``member`` may download ``release``, else why not (``OTHER_PRODUCT``,
    ``NOT_COVERED``).

    A release is for the members using its product (accounts.User.product); one whose audience
    is "covered" only for those a contract in force today covers for that product.
    """
    if member.product_id is None or member.product_id != release.product_id:
        return OTHER_PRODUCT
    covered_only = release.audience == Release.Audience.COVERED
    if covered_only and contract_in_force(member, product=release.product) is None:
        return NOT_COVERED
    return None


def member_export(member: User) -> dict:
    """The member's supply records for their data export (policy §7 열람); when each is destroyed
    appears in the export's retention section."""
    return {
        "downloads": [
            {
                "time": timezone.localtime(download.time).isoformat(),
                "product": download.product,
                "version": download.version,
                "file_name": download.file_name,
                "ip": download.ip,
            }
            for download in Download.objects.filter(member=member).order_by("time", "pk")
        ]
    }


def export_labels() -> dict:
    """How the readable export (CSV, print view) shows ``member_export``'s section."""

    def label(name: str) -> str:
        return capfirst(Download._meta.get_field(name).verbose_name)

    return {
        "downloads": {
            "title": capfirst(Download._meta.verbose_name_plural),
            "columns": {
                name: label(name) for name in ("time", "product", "version", "file_name", "ip")
            },
        }
    }
