from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from core import views
from staff import views as staff_views

# The admin's modules are found here, when the site is served, rather than at every start-up:
# the daily purge and the other commands need none of them (SimpleAdminConfig in settings).
admin.autodiscover()

urlpatterns = [
    # The home page gathers what each app shows there through its own template tags.
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("accounts.urls")),
    path("privacy/", include("privacy.urls")),
    path("support/", include("support.urls")),
    path("downloads/", include("selfservice.download_urls")),
    path("kb/", include("selfservice.kb_urls")),
    path("notices/", include("privacy.notice_urls")),
    path("breach-notices/", include("incidents.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/staff/compliance/", include("compliance.urls")),
    path("admin/staff/", include("staff.urls")),
    # Before the admin's own login, which it wraps: staff land on their role's page.
    path("admin/login/", staff_views.login, name="staff_login"),
    path("admin/", admin.site.urls),
]
