from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self):
        from django.contrib import admin

        from staff import receivers

        post_migrate.connect(
            receivers.sync_roles_after_migrate, sender=self, dispatch_uid="staff.sync_roles"
        )
        # The staff side is the support center's own tool, not a bare framework install.
        admin.site.site_header = _("NEXCORE Support administration")
        admin.site.site_title = _("NEXCORE Support administration")
        admin.site.index_title = _("Work areas")
