"""Policy §9 가: passwords are kept only as Argon2id hashes, at a cost chosen for the machine.

Django's own Argon2 parameters (100 MiB, two passes, eight lanes) are five times the OWASP
minimum, and eight lanes take every core of a small server for each login. The cost here comes
from the settings (``ARGON2_*``, read from the environment), never below the OWASP Password
Storage Cheat Sheet's minimum. Hashes made with other parameters (Django's, an earlier
setting) are rewritten with these at the member's next successful password check.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import hashers
from django.core.exceptions import ImproperlyConfigured

# OWASP's equivalent minimum configurations of Argon2id, one lane each: (memory in KiB, passes).
OWASP_MINIMUMS = ((19456, 2), (12288, 3), (9216, 4), (7168, 5))


def check_cost(*, memory_kib: int, time_cost: int, parallelism: int) -> None:
    """Raise ImproperlyConfigured unless the cost is at or above one of OWASP's minimums.

    More memory or more passes than a listed pair is at least as costly to an attacker; fewer
    of either than every pair is not accepted, whatever the other.
    """
    if parallelism < 1:
        raise ImproperlyConfigured(f"ARGON2_PARALLELISM must be 1 or more, not {parallelism}.")
    if not any(memory_kib >= memory and time_cost >= passes for memory, passes in OWASP_MINIMUMS):
        minimums = ", ".join(f"m={memory} KiB with t={passes}" for memory, passes in OWASP_MINIMUMS)
        raise ImproperlyConfigured(
            f"ARGON2_MEMORY_KIB={memory_kib} with ARGON2_TIME_COST={time_cost} is below the "
            f"OWASP minimum for Argon2id (policy §9 가); use at least one of: {minimums}."
        )


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    """Argon2id with the cost of the settings; Django's hashes stay valid (same algorithm).

    The parameters are read at each use, so a hash checked against other ones is upgraded by
    ``check_password``'s setter (``must_update`` compares them).
    """

    algorithm = "argon2"

    @property
    def time_cost(self) -> int:
        return settings.ARGON2_TIME_COST

    @property
    def memory_cost(self) -> int:
        return settings.ARGON2_MEMORY_KIB

    @property
    def parallelism(self) -> int:
        return settings.ARGON2_PARALLELISM
