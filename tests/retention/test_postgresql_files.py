"""PostgreSQL: no byte of a destroyed member remains in any file of the database (policy §6 나).

The real commands run in subprocesses on fresh databases; after a CHECKPOINT the test reads
every relation file of the database — tables, indexes, TOAST, the system catalogs and their
statistics included — through ``pg_read_binary_file`` (the test connects as a superuser) and
looks for the member's ID and company. What stays outside those files (the write-ahead log
until it is recycled, backups) is the operator's part: see the README.
"""

from __future__ import annotations

import pytest

from tests.live import fresh_databases
from tests.retention.test_files import COMPANY, INQUIRY_TEXT, MEMBER_ID, PURGE_AT, SETUP

pytestmark = pytest.mark.policy("6 나")

RELATION_FILES = """
SELECT c.relname, pg_relation_filepath(c.oid) FROM pg_class c
WHERE c.relkind IN ('r', 'i', 't', 'm') AND pg_relation_filepath(c.oid) IS NOT NULL
"""


@pytest.fixture
def databases(tmp_path):
    with fresh_databases("postgresql", tmp_path) as databases:
        yield databases


def relations_containing(databases, needle: bytes, *, database: str = "default") -> list[str]:
    databases.query("CHECKPOINT", database=database)
    found = []
    for name, path in databases.query(RELATION_FILES, database=database):
        (content,) = databases.query(
            "SELECT pg_read_binary_file(%s, 0, (pg_stat_file(%s, true)).size, true)",
            (path, path),
            database=database,
        )[0]
        if content and needle in bytes(content):
            found.append(name)
    return sorted(found)


def test_no_relation_file_keeps_an_archived_or_destroyed_members_bytes(databases):
    databases.shell(SETUP)
    assert relations_containing(databases, MEMBER_ID), "the scan sees the member before"
    (key,) = databases.query("SELECT data_key FROM support_inquiry")[0]
    databases.shell(PURGE_AT.format(at="2024, 3, 16"))
    # Archived: the primary database keeps no byte of the ID or the company, in any file; the
    # ordinary inquiry and its file's key are destroyed with the account.
    assert relations_containing(databases, MEMBER_ID) == []
    assert relations_containing(databases, COMPANY) == []
    assert relations_containing(databases, INQUIRY_TEXT) == []
    assert relations_containing(databases, bytes(key)) == []
    assert relations_containing(databases, MEMBER_ID, database="archive")
    # Five years after the withdrawal the contract record is due, and goes from the archive.
    databases.shell(PURGE_AT.format(at="2029, 3, 16"))
    assert relations_containing(databases, MEMBER_ID, database="archive") == []
    assert relations_containing(databases, COMPANY, database="archive") == []
