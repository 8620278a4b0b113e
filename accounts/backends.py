from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class MemberBackend(ModelBackend):
    """Django's model backend, reading the member's product along with the member: the member's
    pages name it, and a lazy lookup would cost each of them a query."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("product").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
