"""Database routing: the retention archive (policy §6 가, "별도의 DB") and nothing else."""

from __future__ import annotations

# Models kept in the archive database, as "app_label.modelname". The primary database never
# holds their tables and the archive holds no other table.
ARCHIVE_MODELS: frozenset[str] = frozenset({"retention.archivedmember", "retention.archivedrecord"})


def is_archive_model(app_label: str, model_name: str | None) -> bool:
    return model_name is not None and f"{app_label}.{model_name.lower()}" in ARCHIVE_MODELS


class ArchiveRouter:
    """Send archive models to the ``archive`` database and every other model to ``default``."""

    def _database_for(self, model_or_instance) -> str:
        meta = model_or_instance._meta
        return "archive" if is_archive_model(meta.app_label, meta.model_name) else "default"

    def db_for_read(self, model, **hints):
        return self._database_for(model)

    def db_for_write(self, model, **hints):
        return self._database_for(model)

    def allow_relation(self, obj1, obj2, **hints):
        return self._database_for(obj1) == self._database_for(obj2)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        model = hints.get("model")
        if model is not None:
            model_name = model._meta.model_name
        return (db == "archive") == is_archive_model(app_label, model_name)
