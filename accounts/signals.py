"""Signals accounts sends, so that apps above it can act without being imported from here."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by ``services.close_account`` inside its transaction, with ``member``: an app that ties
# data to the account discards what has no purpose once it is closed.
account_closed = Signal()
