"""django-axes' login records in admin, made cheap on large tables.

django-axes registers its own admins with a date hierarchy (which reads every row's date) and a
filter listing every path present (a scan of the table for its choices). They are registered
again here with a date filter by ranges and without the path filter; the path stays searchable.
"""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin


def _without_paths(filters) -> list:
    return [spec for spec in filters if spec != "path_info"]


class LoginAttemptAdmin(axes_admin.AccessAttemptAdmin):
    date_hierarchy = None
    list_filter = _without_paths(axes_admin.AccessAttemptAdmin.list_filter)


class LoginLogAdmin(axes_admin.AccessLogAdmin):
    date_hierarchy = None
    list_filter = _without_paths(axes_admin.AccessLogAdmin.list_filter)


class LoginFailureLogAdmin(axes_admin.AccessFailureLogAdmin):
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
