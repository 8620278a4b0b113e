"""Session engine: Django's database sessions, with each row tied to its member.

Set as ``SESSION_ENGINE``. Ending every session of a member (withdrawal, password change) is
then a single indexed delete instead of decoding every session in the table.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from accounts.models import MemberSession


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        return MemberSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.member_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            instance.member_id = None
        return instance
