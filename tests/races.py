"""Helpers of the tests that race two transactions on PostgreSQL."""

from __future__ import annotations

import threading
import time

from django.db import connections


def waiting_on_a_lock(*, locktype: str | None = None, seconds: float = 10) -> bool:
    """Whether some session is blocked on a lock (of ``locktype``, e.g. ``"advisory"``, when
    given), looked at every hundredth of a second for up to ``seconds``."""
    sql = "SELECT count(*) FROM pg_locks WHERE NOT granted"
    params = []
    if locktype is not None:
        sql += " AND locktype = %s"
        params.append(locktype)
    deadline = time.monotonic() + seconds
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(sql, params)
            if cursor.fetchone()[0]:
                return True
            threading.Event().wait(0.01)
    return False
