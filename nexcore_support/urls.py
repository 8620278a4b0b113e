from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from core import views

urlpatterns = [
    # The home page gathers what each app shows there through its own template tags.
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("accounts/", include("accounts.urls")),
    path("privacy/", include("privacy.urls")),
    path("support/", include("support.urls")),
    path("notices/", include("privacy.notice_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/staff/", include("staff.urls")),
    path("admin/", admin.site.urls),
]
