from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Members")

    def ready(self):
        from accounts import receivers  # noqa: F401 - connects the receivers.
        from accounts.hashers import check_cost

        # Policy §9 가: a portal configured with a weaker hash than OWASP's minimum never starts.
        check_cost(
            memory_kib=settings.ARGON2_MEMORY_KIB,
            time_cost=settings.ARGON2_TIME_COST,
            parallelism=settings.ARGON2_PARALLELISM,
        )
