"""Mounted at ``/admin/staff/compliance/``, behind the staff login of the admin."""

from django.contrib import admin
from django.urls import path

from compliance import views

urlpatterns = [
    path("", admin.site.admin_view(views.status), name="compliance_status"),
]
