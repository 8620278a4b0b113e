"""Staff pages beside the Django admin: the monthly access review, the dashboard and the
second factor (policy §9 다/라)."""

from __future__ import annotations

from base64 import b32encode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device

from staff.exceptions import AlreadySignedOff, ReviewNotOver
from staff.forms import DashboardRangeForm, MonthForm, SignOffForm, TokenForm
from staff.selectors.dashboard import dashboard as build_dashboard
from staff.selectors.review import access_review as build_review
from staff.selectors.review import can_sign_off, unreviewed_months
from staff.services import review as review_service
from staff.services import two_factor


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def access_review(request):
    """The monthly review of the access records for the privacy officer, with the months not
    yet signed off; a POST is the officer's sign-off of a month that is over (고시 제8조)."""
    _require(request, "accounts.view_access_review")
    if request.method == "POST":
        return _sign_off(request)
    return _review_page(request, MonthForm(request.GET or None), sign_off_form=None)


def _sign_off(request):
    if not can_sign_off(request.user):
        raise PermissionDenied
    sign_off_form = SignOffForm(request.POST)
    if not sign_off_form.is_valid():
        month_form = MonthForm({"month": request.POST.get("month", "")})
        return _review_page(request, month_form, sign_off_form=sign_off_form)
    try:
        review_service.sign_off_review(
            month=sign_off_form.month_date(),
            officer=request.user,
            remarks=sign_off_form.cleaned_data["remarks"],
        )
    except ReviewNotOver:
        messages.error(request, _("This month is not over yet: it cannot be signed off."))
    except AlreadySignedOff:
        messages.error(request, _("This month has been signed off already."))
    else:
        messages.success(request, _("The month's access review was signed off."))
    query = urlencode({"month": sign_off_form.cleaned_data["month"]})
    return redirect(f"{reverse('access_review')}?{query}")


def _review_page(request, month_form, *, sign_off_form):
    review = build_review(month=month_form.month_date())
    may_sign_off = can_sign_off(request.user)
    if may_sign_off and sign_off_form is None and review.over and review.sign_off is None:
        sign_off_form = SignOffForm(initial={"month": f"{review.month:%Y-%m}"})
    context = {
        **admin.site.each_context(request),
        "title": _("Monthly access review"),
        "form": month_form,
        "review": review,
        "unreviewed": unreviewed_months(),
        "sign_off_form": sign_off_form,
    }
    return TemplateResponse(request, "admin/staff/access_review.html", context)


def dashboard(request):
    """Aggregates only: no member's row is shown, so no access record is written."""
    _require(request, "accounts.view_staff_dashboard")
    form = DashboardRangeForm(request.GET or None)
    context = {
        **admin.site.each_context(request),
        "title": _("Staff dashboard"),
        "dashboard": build_dashboard(user=request.user, **form.period()),
        "form": form,
    }
    return TemplateResponse(request, "admin/staff/dashboard.html", context)


# --- The staff's second factor (policy §9 다; django-otp TOTP) -------------------------------


def _after_second_factor(request):
    return redirect(reverse("admin:index"))


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
