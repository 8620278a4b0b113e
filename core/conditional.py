"""Conditional GET for public pages: an ETag, and 304 Not Modified when the browser has the page.

The ETag is not a digest of the body, which would cost the rendering it is meant to save: it is
a digest of what decides the body — the rows the page shows (the view's ``validators``), the
language, the time zone dates are shown in, and the site's revision (what a deploy changes).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag


@functools.cache
def site_revision() -> str:
    """A digest of the project's code, templates, translations and static files, and of the
    installed packages' versions: a page from an earlier deploy (naming an older stylesheet,
    say) never gets a 304.

    Read once per process; every worker of one deploy computes the same value.
    """
    base = Path(settings.BASE_DIR)
    # The project's own packages and folders, right under BASE_DIR; the installed packages
    # (in a virtualenv that may be there too) count by their versions.
    roots = [folder for folder in base.iterdir() if (folder / "__init__.py").is_file()]
    roots += [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    roots += [*map(Path, settings.STATICFILES_DIRS), *map(Path, settings.LOCALE_PATHS)]
    files = {
        path
        for root in roots
        if root.parent == base
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    packages = {f"{dist.name}=={dist.version}" for dist in importlib.metadata.distributions()}
    digest = hashlib.sha256("\n".join(sorted(packages)).encode())
    for path in sorted(files):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class RenderedPages:
    """The bodies of the last ``size`` pages rendered the same for everyone, by ETag and
    address (the language switcher repeats the address): a visitor without the page in their
    browser gets it without the rendering, which was most of the policy page's time.

    The ETag covers everything the body depends on; rows are never renumbered (primary keys
    are not reused), so a key never comes back meaning another page. One per process.
    """

    def __init__(self, size: int):
        self.size, self.bodies, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: tuple[str, str]) -> bytes | None:
        with self.lock:
            body = self.bodies.get(key)
            if body is not None:
                self.bodies.move_to_end(key)
            return body

    def put(self, key: tuple[str, str], body: bytes) -> None:
        with self.lock:
            self.bodies[key] = body
            while len(self.bodies) > self.size:
                self.bodies.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.bodies.clear()


rendered_pages = RenderedPages(64)


def _is_the_same_for_everyone(request: HttpRequest) -> bool:
    """Whether the page depends on nothing of this visitor's but the language.

    A member's page names them, carries their banners and a CSRF token in its logout form: a
    304 would let the browser keep a token that has since been rotated (at the next login), so
    members get no ETag at all. A message waiting in the session is shown once, by the next
    page rendered: a 304 would hide it, and the page that showed it would be kept as if it
    were the ordinary one.
    """
    return not request.user.is_authenticated and not len(get_messages(request))


def render_conditionally(
    request: HttpRequest, template_name: str, context: dict, *, validators: Iterable
) -> HttpResponse:
    """Render a page whose content is decided by ``validators`` and the request's language.

    An anonymous visitor whose browser sends the current ETag in If-None-Match gets 304 with
    no body, one without it the page as last rendered for that ETag and address; every browser
    is told to check back before reusing its copy (no-cache).
    """
    if not _is_the_same_for_everyone(request):
        return render(request, template_name, context)
    parts = [site_revision(), translation.get_language(), settings.TIME_ZONE, *validators]
    etag = quote_etag(hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32])
    response = get_conditional_response(request, etag=etag)
    if response is None:
        key = (etag, request.get_full_path())
        body = rendered_pages.get(key)
        if body is not None:
            response = HttpResponse(body)
        else:
            response = render(request, template_name, context)
            if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
                # The page embeds a CSRF token after all: the same reasoning as for members.
                return response
            rendered_pages.put(key, response.content)
    response.headers.setdefault("ETag", etag)
    patch_cache_control(response, private=True, no_cache=True)
    return response
