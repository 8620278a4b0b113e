"""The staff's admin: every model staff work with, each screen writing its access record.

Django's autodiscovery imports this package; importing the modules registers their admins.
"""

from django.contrib import admin

from staff.admin import logins, members, privacy, records, roles  # noqa: F401
from staff.forms import StaffLoginForm

admin.site.login_form = StaffLoginForm
