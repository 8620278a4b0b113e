"""Staff pages beside the Django admin: the login, the monthly access review, the dashboard and
the second factor (policy §9 다/라)."""

from __future__ import annotations

from base64 import b32encode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_otp import login as otp_login
from django_otp import match_token, user_has_device

from core.exports import spreadsheet_download
from core.http import client_ip, safe_next
from staff.exceptions import AlreadySignedOff, ReviewNotOver
from staff.forms import DashboardRangeForm, DownloadReasonForm, MonthForm, SignOffForm, TokenForm
from staff.middleware import PAGE_BEFORE_SECOND_FACTOR
from staff.selectors.dashboard import dashboard as build_dashboard
from staff.selectors.landing import landing_page
from staff.selectors.review import access_review as build_review
from staff.selectors.review import can_sign_off, unreviewed_months
from staff.services import review as review_service
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
    """The monthly review of the access records for the privacy officer, with the months not
    yet signed off; a POST is the officer's sign-off of a month that is over (고시 제8조)."""
    _require(request, "accounts.view_access_review")
    if request.method == "POST":
        return _sign_off(request)
    return _review_page(request, MonthForm(request.GET or None), sign_off_form=None)


def access_review_csv(request):
    """The month's review as a file: the reason first, as for every download (고시 제8조)."""
    _require(request, "accounts.view_access_review")
    month_form = MonthForm(request.POST if request.method == "POST" else request.GET)
    month = month_form.month_date()
    form = DownloadReasonForm.from_request(request)
    if form.is_valid():
        body = review_service.export_review(
            month=month,
            staff=request.user,
            ip=client_ip(request),
            reason=form.cleaned_data["reason"],
            header=[str(label) for label in REVIEW_COLUMNS],
        )
        return spreadsheet_download(body, filename=f"access-review-{month:%Y-%m}.csv")
    context = {
        **admin.site.each_context(request),
        "title": _("Download the access review of %(month)s") % {"month": f"{month:%Y-%m}"},
        "summary": _("The file holds each handler's counts, the flagged events and the downloads."),
        "form": form,
        "carried": [("month", f"{month:%Y-%m}")],
    }
    return TemplateResponse(request, "admin/staff/access_review_download.html", context)


def access_review_print(request):
    """The month's review laid out for paper: what the officer files with the sign-off."""
    _require(request, "accounts.view_access_review")
    month_form = MonthForm(request.GET or None)
    context = {
        **admin.site.each_context(request),
        "title": _("Monthly access review"),
        "review": build_review(month=month_form.month_date()),
    }
    return TemplateResponse(request, "admin/staff/access_review_print.html", context)


# The review file's columns, in the reader's language.
REVIEW_COLUMNS = (
    _lazy("Kind"),
    _lazy("Staff"),
    _lazy("Time"),
    _lazy("What"),
    _lazy("Count"),
    _lazy("Reason"),
    _lazy("Check"),
)


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
    if not month_form.is_bound:
        # The picker shows the month on screen, not an empty field.
        month_form = MonthForm(initial={"month": f"{review.month:%Y-%m}"})
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
