"""Site-wide pages that belong to no app: health check, site icon, CSRF failure."""

from __future__ import annotations

from django.db import DatabaseError, connections
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

CHECKED_DATABASES = ("default", "archive")


@require_GET
def favicon(request):
    # Browsers ask for /favicon.ico on pages that name no icon, such as the admin's.
    return redirect(static("img/favicon.svg"))


@never_cache
@require_GET
def healthz(request):
    """200 when both databases answer and are migrated, 503 otherwise (CONTRACT.md)."""
    databases = {}
    for alias in CHECKED_DATABASES:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1 FROM django_migrations LIMIT 1")
            databases[alias] = "ok"
        except DatabaseError:
            databases[alias] = "unavailable"
    healthy = all(state == "ok" for state in databases.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "databases": databases},
        status=200 if healthy else 503,
    )


# The header's language switch carries no CSRF token: a token would set the csrftoken cookie on
# every page, public ones too, for every visitor (policy §8: no cookie without a purpose). A
# forged switch can only change the language of the next page; ``next`` stays on this site.
set_language = csrf_exempt(i18n.set_language)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
