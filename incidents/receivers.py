"""Breach response's reactions to events of the apps below it."""

from __future__ import annotations

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from incidents import services
from privacy.models import Notice


@receiver(pre_save, sender=Notice, dispatch_uid="incidents.keep_public_notice_pinned")
def keep_public_notice_pinned(sender, *, instance, **kwargs):
    # Whatever edits the notice (the admin refuses first, with a message), 시행령 §39 ③ holds.
    if not instance._state.adding:
        services.guard_public_notice(notice=instance, removing=False)


@receiver(pre_delete, sender=Notice, dispatch_uid="incidents.keep_public_notice")
def keep_public_notice(sender, *, instance, **kwargs):
    services.guard_public_notice(notice=instance, removing=True)
