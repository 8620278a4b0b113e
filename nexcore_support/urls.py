from django.contrib import admin
from django.urls import include, path

from accounts import staff_views
from nexcore_support import views

# Staff pages that live beside the Django admin, behind the same staff login.
staff_urlpatterns = [
    path("access-review/", admin.site.admin_view(staff_views.access_review), name="access_review"),
    path("dashboard/", admin.site.admin_view(staff_views.dashboard), name="staff_dashboard"),
    path("2fa/setup/", admin.site.admin_view(staff_views.two_factor_setup), name="staff_2fa_setup"),
    path(
        "2fa/verify/", admin.site.admin_view(staff_views.two_factor_verify), name="staff_2fa_verify"
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("accounts/", include("accounts.urls")),
    path("privacy/", include("privacy.urls")),
    path("notices/", include("privacy.notice_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/staff/", include(staff_urlpatterns)),
    path("admin/", admin.site.urls),
]
