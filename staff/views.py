"""Staff pages beside the Django admin: the login, the monthly access review, the dashboard and
the second factor (policy §9 다/라)."""

from __future__ import annotations

from base64 import b32encode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device

from core.http import safe_next
from staff.forms import MonthForm, TokenForm
from staff.middleware import PAGE_BEFORE_SECOND_FACTOR
from staff.selectors.dashboard import dashboard as build_dashboard
from staff.selectors.landing import landing_page
from staff.selectors.review import access_review as build_review
from staff.services import two_factor


def login(request):
    """The admin's login. Without a page of its own to go to (no ``next``, or the admin's first
    page, which the form names by default), it takes staff to what their role uses most."""
    response = admin.site.login(request)
    logged_in = request.method == "POST" and response.status_code == 302
    if logged_in and safe_next(request, "") in ("", reverse("admin:index")):
        return redirect(landing_page(request.user))
    return response


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def access_review(request):
    """The monthly review of the access records, for the privacy officer."""
    _require(request, "accounts.view_access_review")
    form = MonthForm(request.GET or None)
    review = build_review(month=form.month_date())
    context = {
        **admin.site.each_context(request),
        "title": _("Monthly access review"),
        "form": form,
        "review": review,
    }
    return TemplateResponse(request, "admin/staff/access_review.html", context)


def dashboard(request):
    """Aggregates only: no member's row is shown, so no access record is written."""
    _require(request, "accounts.view_staff_dashboard")
    context = {
        **admin.site.each_context(request),
        "title": _("Staff dashboard"),
        "dashboard": build_dashboard(),
    }
    return TemplateResponse(request, "admin/staff/dashboard.html", context)


# --- The staff's second factor (policy §9 다; django-otp TOTP) -------------------------------


def _after_second_factor(request):
    asked = request.session.pop(PAGE_BEFORE_SECOND_FACTOR, None)
    return redirect(asked or landing_page(request.user))


def two_factor_setup(request):
    """Enrol a TOTP device: its secret is shown only until the first code confirms it."""
    user = request.user
    if user_has_device(user):
        return redirect(reverse("staff_2fa_verify"))
    device = two_factor.device_to_enrol(user=user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.confirm_device(device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            return _after_second_factor(request)
        form.add_error("token", _("This code is not valid. Check your device's clock."))
    context = {
        **admin.site.each_context(request),
        "title": _("Set up your second factor"),
        "form": form,
        "secret": b32encode(device.bin_key).decode(),
        "config_url": device.config_url,
    }
    return TemplateResponse(request, "admin/staff/two_factor_setup.html", context)


def two_factor_verify(request):
    """Ask for the code of the enrolled device once per login."""
    if not user_has_device(request.user):
        return redirect(reverse("staff_2fa_setup"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return _after_second_factor(request)
        form.add_error("token", _("This code is not valid. Check your device's clock."))
    context = {
        **admin.site.each_context(request),
        "title": _("Second factor"),
        "form": form,
    }
    return TemplateResponse(request, "admin/staff/two_factor_verify.html", context)
