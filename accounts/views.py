"""Member pages: thin edges around accounts.services and accounts.selectors."""

from __future__ import annotations

import json

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from accounts import hooks, readable_export, selectors, services
from accounts.exceptions import (
    IdTaken,
    NoPolicyInForce,
    ResetCodeExpired,
    ResetCodeInvalid,
    ResetCodeUsed,
    SignupLimitReached,
)
from accounts.forms import (
    LoginForm,
    MemberFieldsForm,
    MemberPasswordChangeForm,
    PasswordConfirmationForm,
    PrivacyRequestForm,
    ResetCodeForm,
    SignupForm,
    WithdrawForm,
)
from accounts.lockout import attempts_left
from accounts.middleware import remember_first_page
from accounts.models import IdentityVerification
from accounts.reauth import mark_reauthenticated, reauth_required
from core.exports import csv_tables, spreadsheet_download
from core.http import client_ip, safe_next
from privacy.models import PrivacyRequest
from privacy.selectors import member_disclosures, member_requests, policy_in_force
from privacy.services import record_request

MEMBER_BACKEND = "accounts.backends.MemberBackend"
form_methods = require_http_methods(["GET", "POST"])


def _posted(request):
    """The submitted data, or None for a GET: an empty POST still gets its errors."""
    return request.POST if request.method == "POST" else None


@sensitive_post_parameters("password1", "password2")
@never_cache
@form_methods
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.register_member(
                username=data["username"],
                password=data["password1"],
                company=data["company"],
                project=data["project"],
                product=data["product"],
                ip=client_ip(request),
            )
        except SignupLimitReached:
            form.add_error(
                None,
                _(
                    "Too many accounts were opened from your network today. "
                    "Please try again tomorrow."
                ),
            )
            status = 429
        except NoPolicyInForce:
            form.add_error(None, _("Sign-up is closed until the privacy policy is published."))
            status = 503
        except IdTaken:
            form.add_error("username", form.id_taken_error())
        else:
            login(request, member, backend=MEMBER_BACKEND)
            services.record_identity_verification(
                member=member, ip=client_ip(request), kind=IdentityVerification.Kind.LOGIN
            )
            messages.success(request, _("Welcome! Your account has been created."))
            if request.POST.get("username", "").strip() != member.username:
                messages.info(
                    request,
                    _("Your ID is kept in lower case: %(id)s. Log in with it.")
                    % {"id": member.username},
                )
            return redirect("home")
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "policy": policy_in_force()},
        status=status,
    )


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_identity_verification(
            member=form.get_user(), ip=client_ip(self.request), kind=IdentityVerification.Kind.LOGIN
        )
        remember_first_page(self.request, form.get_user())
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            # Counted for any ID, existing or not: the warning tells nobody which IDs exist.
            response.context_data["attempts_left"] = attempts_left(
                self.request, form.data.get("username", "")
            )
            response.context_data["lockout_minutes"] = _cool_off_minutes()
        return response


def _cool_off_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout(request, original_response=None, credentials=None):
    """django-axes' lockout page: HTTP 429, saying when the next attempt is possible."""
    retry_at = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    context = {"retry_at": retry_at, "minutes": _cool_off_minutes()}
    return render(request, "429.html", context, status=429)


@sensitive_post_parameters("password")
@never_cache
@form_methods
@login_required
def reauth(request):
    form = PasswordConfirmationForm(_posted(request), request=request)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        # The check may have rehashed the password at the configured cost (accounts.hashers),
        # which would end this session at its next request: keep it, as a password change does.
        # The new session key this gives is what a rise in privilege deserves anyway.
        request.user.refresh_from_db(fields=["password"])
        update_session_auth_hash(request, request.user)
        mark_reauthenticated(request, now=now)
        services.record_identity_verification(
            member=request.user,
            ip=client_ip(request),
            kind=IdentityVerification.Kind.REAUTH,
            now=now,
        )
        return redirect(safe_next(request, reverse("accounts:me")))
    return render(
        request,
        "accounts/reauth.html",
        {"form": form, "next": safe_next(request, ""), "minutes": settings.REAUTH_MINUTES},
    )


@never_cache
@require_GET
@reauth_required
def me(request):
    member = request.user
    retention = hooks.member_retention(member)
    return render(
        request,
        "accounts/me.html",
        {
            "member": member,
            "consents": selectors.member_consents(member),
            "record_tables": selectors.record_tables(retention.records, pages=request.GET),
            "schedule": retention.schedule,
            # Policy §3: provisions to third parties, unless the law forbids telling. Most
            # members have none of these or of requests: the count query already says so.
            "disclosures": (
                member_disclosures(member) if retention.holds("privacy.disclosedmember") else []
            ),
            # Policy §7: the member's requests, their outcome and a refusal's reasons.
            "privacy_requests": (
                member_requests(member) if retention.holds("privacy.privacyrequest") else []
            ),
            "member_panels": [panel for panel in hooks.member_panels(member) if panel],
        },
    )


@never_cache
@form_methods
@reauth_required
def me_edit(request):
    form = MemberFieldsForm(_posted(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.change_profile(
            member=request.user,
            company=form.cleaned_data["company"],
            project=form.cleaned_data["project"],
            product=form.cleaned_data["product"],
        )
        messages.success(request, _("Your information has been corrected."))
        return redirect("accounts:me")
    return render(request, "accounts/me_edit.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = MemberPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:me")

    def form_valid(self, form):
        response = super().form_valid(form)
        now = timezone.now()
        services.end_sessions(
            member=self.request.user, keep_session_key=self.request.session.session_key
        )
        services.record_identity_verification(
            member=self.request.user,
            ip=client_ip(self.request),
            kind=IdentityVerification.Kind.PASSWORD_CHANGE,
            now=now,
        )
        # The member has just proved the password: no second check on the way to their data.
        mark_reauthenticated(self.request, now=now)
        messages.success(
            self.request, _("Your password has been changed. Other devices were logged out.")
        )
        return response


@never_cache
@require_GET
@reauth_required
def export(request):
    payload = json.dumps(selectors.member_data(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(payload, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="nexcore-my-data-{stamp}.json"'
    return response


# The print view shows at most this many rows of each table, newest first: a member with three
# months of visits would otherwise print hundreds of pages. The downloads hold every row.
PRINT_ROWS = 200


@never_cache
@require_GET
@reauth_required
def export_csv(request):
    tables = readable_export.tables(request.user)
    text = csv_tables((table.title, table.headers, table.rows) for table in tables)
    stamp = timezone.localdate().isoformat()
    return spreadsheet_download(text, filename=f"nexcore-my-data-{stamp}.csv")


@never_cache
@require_GET
@reauth_required
def print_data(request):
    return render(
        request,
        "accounts/print.html",
        {
            "tables": readable_export.tables(request.user, shown=PRINT_ROWS),
            "shown": PRINT_ROWS,
            "printed_at": timezone.now(),
        },
    )


@never_cache
@form_methods
@reauth_required
def new_request(request):
    """Policy §7: a request (access, correction, deletion, suspension, withdrawal of consent, an
    objection to a refusal) made on the web, answered within ``PRIVACY_REQUEST_DAYS`` days."""
    initial = {name: request.GET.get(name) for name in ("kind", "objects_to")}
    form = PrivacyRequestForm(_posted(request), member=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            privacy_request = record_request(
                member=request.user,
                kind=form.cleaned_data["kind"],
                channel=PrivacyRequest.Channel.WEB,
                details=form.cleaned_data["details"],
                objects_to=form.cleaned_data.get("objects_to"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your request has been received. It will be answered by %(due)s.")
                % {"due": timezone.localtime(privacy_request.due_at).strftime("%Y-%m-%d")},
            )
            return redirect("accounts:me")
    return render(
        request,
        "accounts/request_new.html",
        {"form": form, "days": settings.PRIVACY_REQUEST_DAYS},
    )


@sensitive_post_parameters("password")
@never_cache
@form_methods
@reauth_required
def withdraw(request):
    form = WithdrawForm(_posted(request), request=request)
    if request.method == "POST" and form.is_valid():
        services.close_account(member=request.user)
        logout(request)
        return redirect("accounts:withdrawn")
    return render(request, "accounts/withdraw.html", {"form": form})


def withdrawn(request):
    return render(request, "accounts/withdrawn.html", {"kept": hooks.kept_after_withdrawal()})


@require_GET
def recover(request):
    """How a member who forgot the password gets it reset by the support center (no e-mail)."""
    return render(request, "accounts/recover.html")


@sensitive_post_parameters("code", "new_password1", "new_password2")
@never_cache
@form_methods
def recover_with_code(request):
    """Set a new password with a one-time code; wrong codes count toward the login lockout."""
    form = ResetCodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        credentials = {"username": form.cleaned_data["username"]}
        if AxesProxyHandler.is_locked(request, credentials):
            return lockout(request, credentials=credentials)
        try:
            services.redeem_reset_code(
                username=form.cleaned_data["username"],
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password1"],
                ip=client_ip(request),
            )
        except ResetCodeInvalid:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            form.add_error("code", _("The ID or the code is not correct."))
        except ResetCodeExpired:
            form.add_error("code", _("This code has expired. Ask the support center again."))
        except ResetCodeUsed:
            form.add_error("code", _("This code was already used. Ask the support center again."))
        else:
            messages.success(request, _("Your password has been set. Please log in."))
            return redirect("accounts:login")
    return render(request, "accounts/recover_code.html", {"form": form})
