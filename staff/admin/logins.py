"""django-axes' login records and django-otp's devices in admin: audited, cheap, and in Korean.

The login records name the ID and the address that were tried, so every screen of them is an
access record (policy §9 다), naming the members whose IDs it showed. django-axes registers its
own admins with a date hierarchy (which reads every row's date) and a filter listing every path
present (a scan of the table for its choices); here they have a date filter by ranges and no
path filter, and the path stays searchable.

Both packages' screens are replaced by screens of the proxies in ``staff.models``, whose names
staff read in Korean; django-otp's field labels are English only, so its screen is our own.
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import display_for_value
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from staff.admin.audit import AccessAuditedAdmin
from staff.models import FailedLogin, FailedLoginCounter, LoginLog, SecondFactorDevice

# django-axes marks the labels of its screens for translation but ships no Korean. Django looks
# a label up in the project's catalogue first, so naming them here keeps their Korean there.
AXES_LABELS = (
    gettext_noop("Username"),
    gettext_noop("IP Address"),
    gettext_noop("User Agent"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Logout Time"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Access lock out"),
    gettext_noop("Locked Out"),
    gettext_noop("Clean up expired attempts"),
)


def _without_paths(filters) -> list:
    return [spec for spec in filters if spec != "path_info"]


class LoginRecordAudit(AccessAuditedAdmin):
    def audited_member_pks(self, objects) -> list[int | None]:
        # The rows name an ID, not a member: one query for the page's IDs that are members'.
        usernames = {obj.username for obj in objects}
        members = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
        return [members.get(obj.username) for obj in objects]


class LoginAttemptAdmin(LoginRecordAudit, axes_admin.AccessAttemptAdmin):
    date_hierarchy = None
    list_filter = _without_paths(axes_admin.AccessAttemptAdmin.list_filter)
    # django-axes' page adds an expiry that is never set here (AXES_USE_ATTEMPT_EXPIRATION).
    fieldsets = (
        (None, {"fields": ("username", "path_info", "failures_since_start")}),
        (_("Form Data"), {"fields": ("get_data", "post_data")}),
        (_("Meta Data"), {"fields": ("user_agent", "ip_address", "http_accept")}),
    )

    @admin.display(description=_("lockout status"))
    def status(self, obj):
        left = settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if left <= 0:
            return gettext("Locked out")
        return ngettext("%(count)d attempt left", "%(count)d attempts left", left) % {"count": left}


class LoginLogAdmin(LoginRecordAudit, axes_admin.AccessLogAdmin):
    date_hierarchy = None
    list_filter = _without_paths(axes_admin.AccessLogAdmin.list_filter)


class LoginFailureLogAdmin(LoginRecordAudit, axes_admin.AccessFailureLogAdmin):
    date_hierarchy = None
    list_filter = _without_paths(axes_admin.AccessFailureLogAdmin.list_filter)


class SecondFactorDeviceAdmin(admin.ModelAdmin):
    """Which staff have enrolled an authenticator app, and when they last used it (policy §9 다).

    Read-only but for deletion: a staff member who lost their phone has the device deleted here
    and enrols a new one at their next login (``staff.views.two_factor_setup``). A device is
    never typed in by hand, and its secret is never shown again.
    """

    # Columns of our own: a name that is a model field would take django-otp's English label.
    list_display = ("staff_id", "device_name", "is_confirmed", "enrolled_at", "last_use")
    fields = list_display
    readonly_fields = list_display
    search_fields = ("user__username",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("staff ID"), ordering="user__username")
    def staff_id(self, device):
        return device.user.username

    @admin.display(description=_("device name"), ordering="name")
    def device_name(self, device):
        return device.name

    @admin.display(description=_("confirmed"), boolean=True, ordering="confirmed")
    def is_confirmed(self, device):
        return device.confirmed

    # Formatted here: the change page would print a value of a method as it comes (UTC, "None").
    @admin.display(description=_("enrolled at"), ordering="created_at")
    def enrolled_at(self, device):
        return display_for_value(device.created_at, self.get_empty_value_display())

    @admin.display(description=_("last used at"), ordering="last_used_at")
    def last_use(self, device):
        return display_for_value(device.last_used_at, self.get_empty_value_display())


# django-axes registers its admins only with AXES_ENABLE_ADMIN, django-otp always: take down
# those they registered, and show the proxies instead.
for original in (AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice):
    if admin.site.is_registered(original):
        admin.site.unregister(original)
for proxy, model_admin in (
    (FailedLoginCounter, LoginAttemptAdmin),
    (LoginLog, LoginLogAdmin),
    (FailedLogin, LoginFailureLogAdmin),
    (SecondFactorDevice, SecondFactorDeviceAdmin),
):
    admin.site.register(proxy, model_admin)
