"""The visit log (policy §1 나) under load: one cheap write per request, none lost to a crash."""

from __future__ import annotations

import os
import signal
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection

from accounts import services
from accounts.models import VisitRecord
from tests.live import BACKENDS, fresh_databases, live_portal

pytestmark = pytest.mark.policy("1 가")


def test_a_visit_is_one_statement_that_fills_every_field(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        services.record_visit(ip="192.0.2.8", member=None, method="GET", path="/kb/", status=200)
    record = VisitRecord.objects.get()
    assert (record.ip, record.member, record.method, record.path, record.status) == (
        "192.0.2.8", None, "GET", "/kb/", 200,
    )  # fmt: skip
    assert record.time is not None


def test_on_postgresql_the_visit_write_does_not_wait_for_its_wal_flush(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's WAL mode already commits without an fsync")
    services.record_visit(ip=None, member=None, method="GET", path="/", status=200)
    with connection.cursor() as cursor:
        # The test's own transaction is still open: the SET LOCAL of the write is visible here,
        # and ends with it (outside a test, with the visit's own one-statement transaction).
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("off",)


class Load:
    """Clients requesting distinct pages until stopped; the paths that got an answer."""

    def __init__(self, url: str, clients: int = 4):
        self.url, self.answered, self.lock = url, [], threading.Lock()
        self.stop, self.reached, self.goal = threading.Event(), threading.Event(), 0
        self.threads = [threading.Thread(target=self.run, args=(n,)) for n in range(clients)]

    def run(self, client: int) -> None:
        n = 0
        while not self.stop.is_set():
            path = f"/visit-proof/{client}-{n}/"
            n += 1
            try:
                urllib.request.urlopen(self.url + path, timeout=10)  # noqa: S310
            except urllib.error.HTTPError as error:
                if error.code != 404:
                    raise
            except OSError:
                continue  # the connection died with the worker: no answer, nothing promised
            with self.lock:
                self.answered.append(path)
                if len(self.answered) >= self.goal:
                    self.reached.set()

    def until(self, answered: int) -> None:
        with self.lock:
            self.goal = answered
            self.reached.clear()
            if len(self.answered) >= answered:
                self.reached.set()
        assert self.reached.wait(timeout=60), f"only {len(self.answered)} answers"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_worker_killed_under_load_loses_no_visit_of_an_answered_request(backend, tmp_path):
    with (
        fresh_databases(backend, tmp_path) as databases,
        live_portal(databases, tmp_path, workers=1) as portal,
    ):
        load = Load(portal.url)
        for thread in load.threads:
            thread.start()
        try:
            load.until(100)
            for pid in portal.worker_pids():
                os.kill(pid, signal.SIGKILL)
            # The master starts a new worker; the load goes on through it.
            load.until(len(load.answered) + 100)
        finally:
            load.stop.set()
            for thread in load.threads:
                thread.join()
        recorded = {
            path
            for (path,) in databases.query(
                "SELECT path FROM accounts_visitrecord WHERE path LIKE %s", ("/visit-proof/%",)
            )
        }
    assert len(load.answered) >= 200
    assert set(load.answered) <= recorded
