from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Breach response")

    def ready(self):
        # The incident register answers what the lower apps ask of the apps above them.
        from accounts import hooks as accounts_hooks
        from incidents import receivers, selectors  # noqa: F401 - receivers connect on import.
        from privacy import hooks as privacy_hooks
        from staff import hooks as staff_hooks

        accounts_hooks.after_login.register(selectors.first_page)
        accounts_hooks.member_panels.register(selectors.member_panel)
        accounts_hooks.export_sections.register(selectors.member_export)
        accounts_hooks.export_labels.register(selectors.export_labels)
        privacy_hooks.notice_holds.register(selectors.notice_hold)
        staff_hooks.deadline_panels.register(selectors.deadline_panel)
