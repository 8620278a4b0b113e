"""django-axes' login records in admin: audited, and cheap on large tables.

They name the ID and the address that were tried, so every screen of them is an access record
(policy §9 다), naming the members whose IDs it showed. django-axes registers its own admins
with a date hierarchy (which reads every row's date) and a filter listing every path present (a
scan of the table for its choices); here they have a date filter by ranges and no path filter,
and the path stays searchable.
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from accounts.models import User
from staff.admin.audit import AccessAuditedAdmin


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


class LoginLogAdmin(LoginRecordAudit, axes_admin.AccessLogAdmin):
    date_hierarchy = None
    list_filter = _without_paths(axes_admin.AccessLogAdmin.list_filter)


class LoginFailureLogAdmin(LoginRecordAudit, axes_admin.AccessFailureLogAdmin):
    date_hierarchy = None
    list_filter = _without_paths(axes_admin.AccessFailureLogAdmin.list_filter)


# django-axes registers its admins only with AXES_ENABLE_ADMIN; replace those it registered.
for model, model_admin in (
    (AccessAttempt, LoginAttemptAdmin),
    (AccessLog, LoginLogAdmin),
    (AccessFailureLog, LoginFailureLogAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
