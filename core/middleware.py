"""Site-wide middleware."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

# What Django puts where a multipart field held bytes that are not UTF-8.
REPLACEMENT = "\ufffd"


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Korean unless the visitor picked another language with the switcher.

    The browser's Accept-Language is not consulted: the portal is Korean first, and a page
    should not change language because of a machine setting the visitor never chose.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = translation.get_language()


class RejectInvalidTextMiddleware:
    """Answer 400 to a request whose query string or form is not valid UTF-8, or whose address
    holds a NUL character, before any view.

    Django would otherwise store such bytes as replacement characters or mojibake. Bodies sent
    as ``application/x-www-form-urlencoded`` and query strings are checked byte for byte; a
    multipart form is checked after parsing, where Django has replaced each invalid sequence
    with U+FFFD.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._is_valid_text(request):
            reason = _("The form contained bytes that are not text (UTF-8). Nothing was saved.")
            return render(request, "400.html", {"reason": reason}, status=400)
        # No text column takes a NUL (PostgreSQL refuses it), and no address needs one; forms
        # refuse it in what they read from a query string or body.
        if "\x00" in request.path:
            reason = _("The address contains a NUL character.")
            return render(request, "400.html", {"reason": reason}, status=400)
        return self.get_response(request)

    def _is_valid_text(self, request) -> bool:
        encoded = [get_bytes_from_wsgi(request.META, "QUERY_STRING", "")]
        decoded = []
        if request.method == "POST":
            if request.content_type == "application/x-www-form-urlencoded":
                encoded.append(request.body)
            elif request.content_type == "multipart/form-data":
                decoded += [*request.POST, *request.FILES]
                decoded += [value for _name, values in request.POST.lists() for value in values]
                decoded += [file.name for _name, files in request.FILES.lists() for file in files]
        return all(map(_is_utf8, encoded)) and not any(REPLACEMENT in text for text in decoded)


def _is_utf8(urlencoded: bytes) -> bool:
    try:
        unquote_to_bytes(urlencoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy``: the portal needs no camera, microphone, location and the like,
    so no page (nor anything injected into one) may ask for them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class RequestSizeLimitMiddleware:
    """Answer 413 to a request whose declared body exceeds ``MAX_REQUEST_BYTES``, before a byte
    of it is read (a proxy in front should have the same limit).

    The pages under ``LARGE_UPLOAD_PATHS`` (staff uploading release files) may send up to
    ``RELEASE_FILE_MAX_BYTES`` and a megabyte for the rest of the form; no other page may.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_REQUEST_BYTES
        if request.path_info.startswith(settings.LARGE_UPLOAD_PATHS):
            limit = settings.RELEASE_FILE_MAX_BYTES + 1024 * 1024
        if length > limit:
            megabytes = limit // (1024 * 1024)
            return render(request, "413.html", {"megabytes": megabytes}, status=413)
        return self.get_response(request)
