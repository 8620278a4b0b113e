"""The member's downloads: their product's releases, and the files, each download kept as a
supply record (policy §5 재화 등의 공급에 관한 기록)."""

from __future__ import annotations

from csp.constants import NONE
from csp.decorators import csp
from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from core.http import client_ip
from privacy.rendering import render_markdown
from selfservice import ranges
from selfservice.selectors import releases as selectors
from selfservice.services import releases as services
from support.views import members_only

RELEASES_PER_PAGE = 20


@never_cache
@require_GET
@members_only
def release_list(request):
    page = Paginator(selectors.member_releases(request.user), RELEASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "selfservice/downloads/list.html",
        {"page": page, "covered": selectors.is_covered(request.user)},
    )


@never_cache
@require_GET
@members_only
def release_detail(request, product, version):
    release = selectors.published_release(product, version)
    refusal = selectors.entitlement(request.user, release)
    if refusal:
        return _not_entitled(request, release, refusal)
    return render(
        request,
        "selfservice/downloads/release.html",
        {
            "release": release,
            "notes": render_markdown(release.notes).body,
            "files": release.files.all(),
        },
    )


def _not_entitled(request, release, refusal):
    return render(
        request,
        "selfservice/downloads/not_entitled.html",
        {"release": release, "refusal": refusal, "support_phone": settings.SUPPORT_PHONE},
        status=403,
    )


@never_cache
@require_safe
@members_only
def download(request, product, version, pk):
    """The file, whole or a single range of it, for a member entitled to its release."""
    release = selectors.published_release(product, version)
    item = selectors.release_file(release, pk)
    refusal = selectors.entitlement(request.user, release)
    if refusal:
        return _not_entitled(request, release, refusal)
    stored = selectors.open_stored(item)
    size = stored.size
    etag = f'"{item.sha256}"'
    try:
        byte_range = ranges.requested_range(
            request.headers.get("Range"),
            size=size,
            if_range=request.headers.get("If-Range"),
            etag=etag,
        )
    except ranges.Unsatisfiable:
        stored.close()
        return ranges.unsatisfiable(size)
    # One supply, one record: a download starts at the first byte (no Range, or a range from
    # byte 0, which is how download managers split a file too). A range starting further on
    # continues a download already recorded — a resumed transfer, or a manager's other
    # parts — and would otherwise count one supply many times. A HEAD supplies nothing.
    if request.method == "GET" and (byte_range is None or byte_range.start == 0):
        try:
            services.record_download(
                member=request.user, release=release, release_file=item, ip=client_ip(request)
            )
        except BaseException:
            stored.close()
            raise
    return _file(stored, byte_range, size=size, name=item.name, etag=etag)


@csp({"default-src": [NONE], "sandbox": []})
def _file(stored, byte_range, **kwargs):
    # Like support attachments: were a browser ever to render the file, it runs sandboxed.
    return ranges.file_response(stored, byte_range, **kwargs)
