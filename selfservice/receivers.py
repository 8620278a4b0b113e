"""Self-service's reactions to events of the apps below it."""

from __future__ import annotations

from django.db.models.signals import post_delete
from django.dispatch import receiver

from accounts.signals import account_closed
from selfservice.models import ReleaseFile
from selfservice.services import contracts, releases


@receiver(account_closed, dispatch_uid="selfservice.unlink_withdrawn")
def unlink_withdrawn(sender, *, member, **kwargs):
    contracts.unlink_withdrawn(member=member)


@receiver(post_delete, sender=ReleaseFile, dispatch_uid="selfservice.discard_stored_file")
def discard_stored_file(sender, *, instance, using, **kwargs):
    releases.discard_stored_file(release_file=instance, using=using)
