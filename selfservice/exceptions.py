"""What can go wrong in self-service, for the edges to turn into messages or statuses."""


class NotEntitled(Exception):
    """The member may not download this release (not on the product, or not covered)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ReleaseFileRejected(ValueError):
    """A release file staff tried to add was refused (too large, a bad name): nothing is stored."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


class DuplicateNumber(Exception):
    """A contract or invoice number another request saved at the same moment."""
