from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Support desk")

    def ready(self):
        # The support desk answers what the lower apps ask of the apps above them.
        from accounts import hooks as accounts_hooks
        from staff import hooks as staff_hooks
        from support import selectors

        accounts_hooks.export_sections.register(selectors.member_export)
        accounts_hooks.export_labels.register(selectors.export_labels)
        staff_hooks.dashboard_panels.register(selectors.dashboard_panel)
