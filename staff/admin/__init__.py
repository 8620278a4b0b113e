"""The staff's admin: every model staff work with, each screen writing its access record.

Django's autodiscovery imports this package; importing the modules registers their admins.
"""

from staff.admin import members, privacy, records  # noqa: F401
