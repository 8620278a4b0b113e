"""The privacy officer's live compliance page (``/admin/staff/compliance/``)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from compliance.selectors.status import compliance_checks, overall

PERMISSION = "compliance.view_compliance_status"


def status(request):
    """Every check, grouped by area; counts and staff IDs only, so no access record is written."""
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    checks = compliance_checks()
    context = {
        **admin.site.each_context(request),
        "title": _("Compliance status"),
        "checks": checks,
        "overall": overall(checks),
    }
    return TemplateResponse(request, "admin/compliance/status.html", context)
