"""Staff pages beside the Django admin, behind the same staff login (``/admin/staff/…``)."""

from django.contrib import admin
from django.urls import path

from staff import views

urlpatterns = [
    path("access-review/", admin.site.admin_view(views.access_review), name="access_review"),
    path(
        "access-review/csv/",
        admin.site.admin_view(views.access_review_csv),
        name="access_review_csv",
    ),
    path(
        "access-review/print/",
        admin.site.admin_view(views.access_review_print),
        name="access_review_print",
    ),
    path("dashboard/", admin.site.admin_view(views.dashboard), name="staff_dashboard"),
    path("2fa/setup/", admin.site.admin_view(views.two_factor_setup), name="staff_2fa_setup"),
    path("2fa/verify/", admin.site.admin_view(views.two_factor_verify), name="staff_2fa_verify"),
]
