"""A cheap Argon2 for the test suite, so that hundreds of logins take seconds, not minutes."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at its smallest cost: the same code path and hash format as production.

    Tests marked ``production_hasher`` keep the hasher of the settings, and prove it.
    """

    time_cost = 1
    memory_cost = 8
    parallelism = 1
