from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention")

    def ready(self):
        # Retention sits above every app and answers the questions they ask of it.
        from accounts import hooks as accounts_hooks
        from retention import selectors
        from staff import hooks as staff_hooks
        from support import hooks as support_hooks

        accounts_hooks.id_reserved.register(selectors.is_archived_id)
        accounts_hooks.member_retention.register(selectors.member_retention)
        accounts_hooks.kept_after_withdrawal.register(selectors.kept_after_withdrawal)
        staff_hooks.held_member_pks.register(selectors.held_member_pks)
        staff_hooks.archived_closures.register(selectors.archived_closures)
        support_hooks.deletion.register(selectors.deletion_of)
