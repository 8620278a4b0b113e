"""PostgreSQL: the visit records become a table range-partitioned by month of ``time``.

Expiry then drops whole months instead of deleting rows (``retention.partitions``, policy §6 나).
Here the table is rebuilt with a DEFAULT partition only, holding every existing row; the purge
makes the monthly partitions and moves the rows into them. The primary key becomes (id, time),
as a partitioned table requires; ids keep counting from where they were. SQLite is untouched.
"""

from django.db import migrations

TABLE = "accounts_visitrecord"
OLD = "accounts_visitrecord_unpartitioned"


def _definitions(cursor, table):
    """The table's secondary indexes and foreign keys, as SQL that recreates them."""
    cursor.execute(
        "SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(%s))",
        [table, table],
    )
    indexes = [definition for (definition,) in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%s) AND contype = 'f'",
        [table],
    )
    foreign_keys = [
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
        for name, definition in cursor.fetchall()
    ]
    return indexes, foreign_keys


def _rebuild(schema_editor, *, partitioned):
    with schema_editor.connection.cursor() as cursor:
        indexes, foreign_keys = _definitions(cursor, TABLE)
        cursor.execute(f'ALTER TABLE "{TABLE}" RENAME TO "{OLD}"')
        cursor.execute(f'ALTER TABLE "{OLD}" RENAME CONSTRAINT "{TABLE}_pkey" TO "{OLD}_pkey"')
        by_month = ' PARTITION BY RANGE ("time")' if partitioned else ""
        cursor.execute(
            f'CREATE TABLE "{TABLE}" (LIKE "{OLD}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
            f"INCLUDING IDENTITY){by_month}"
        )
        key = '(id, "time")' if partitioned else "(id)"
        cursor.execute(f'ALTER TABLE "{TABLE}" ADD CONSTRAINT "{TABLE}_pkey" PRIMARY KEY {key}')
        if partitioned:
            cursor.execute(f'CREATE TABLE "{TABLE}_default" PARTITION OF "{TABLE}" DEFAULT')
        cursor.execute(f'INSERT INTO "{TABLE}" SELECT * FROM "{OLD}"')  # noqa: S608
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{TABLE}\"', 'id'), "
            f'coalesce(max(id), 0) + 1, false) FROM "{TABLE}"'  # noqa: S608
        )
        # Dropping the old table unlinks its files: no copy of the rows stays behind.
        cursor.execute(f'DROP TABLE "{OLD}"')
        for statement in [*indexes, *foreign_keys]:
            cursor.execute(statement)


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, partitioned=True)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_staff_models_to_staff")]

    operations = [migrations.RunPython(partition, unpartition)]
