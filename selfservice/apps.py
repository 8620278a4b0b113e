from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfServiceConfig(AppConfig):
    name = "selfservice"
    verbose_name = _("Self-service")

    def ready(self):
        # Self-service answers what the lower apps ask of the apps above them.
        from accounts import hooks as accounts_hooks
        from selfservice import receivers  # noqa: F401 (connects them)
        from selfservice.selectors import contracts, kb
        from selfservice.selectors import releases as release_selectors
        from support import hooks as support_hooks

        support_hooks.first_response_hours.register(contracts.first_response_hours)
        support_hooks.suggestions.register(kb.suggestions)
        support_hooks.article_choices.register(kb.article_choices)
        support_hooks.article_links.register(kb.article_links)
        support_hooks.inquiry_tools.register(kb.draft_tool)
        accounts_hooks.member_panels.register(contracts.coverage_panel)
        accounts_hooks.export_sections.register(contracts.member_export)
        accounts_hooks.export_sections.register(release_selectors.member_export)
        accounts_hooks.export_labels.register(contracts.export_labels)
        accounts_hooks.export_labels.register(release_selectors.export_labels)
