from django.apps import AppConfig
from django.contrib.admin.apps import SimpleAdminConfig
from django.contrib.admin.checks import check_admin_app, check_dependencies
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AdminConfig(SimpleAdminConfig):
    """The admin, its screens registered when the site needs them rather than at every start-up.

    The URLconf registers them (``admin.autodiscover()``) before the first request is served;
    the daily purge and the other commands start without importing them. The system checks read
    the screens before they would load the URLconf, so their check registers them first.
    """

    default = False

    def ready(self):
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(check_admin_screens, checks.Tags.admin)


def check_admin_screens(**kwargs):
    """Django's checks of every registered admin screen, once they are all registered."""
    from django.contrib import admin

    admin.autodiscover()
    return check_admin_app(**kwargs)


class StaffConfig(AppConfig):
    # The configuration "staff" in INSTALLED_APPS stands for; AdminConfig is named explicitly.
    default = True
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
