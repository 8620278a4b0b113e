from django.contrib import admin
from django.urls import include, path

from nexcore_support import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("privacy/", include("privacy.urls")),
    path("notices/", include("privacy.notice_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
