"""Domain errors of retention, turned into exit codes by the commands."""


class RetentionError(Exception):
    """Base of the errors below."""


class PurgeLocked(RetentionError):
    """Another ``purge_expired`` run holds the lock; this one changed nothing."""


class ArchiveIncomplete(RetentionError):
    """Some closed accounts could not be moved; each record stayed where it was or in both."""

    def __init__(self, failed: int):
        super().__init__(f"{failed} closed account(s) could not be archived")
        self.failed = failed


class ArchiveFailed(RetentionError):
    """The move stopped on a database error; every record is in the primary, the archive, or
    both, never neither."""


class PurgeFailed(RetentionError):
    """The purge stopped; every record is in the primary, the archive, or both, never neither."""


class EraseIncomplete(RetentionError):
    """Rows were deleted but SQLite could not checkpoint its WAL, so their bytes may remain."""
