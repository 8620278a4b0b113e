"""Domain errors of the staff side, turned into form errors, 403s or pages at the edge."""


class AppendOnlyRecord(Exception):
    """An access or privilege-change record was about to be changed or deleted: evidence is kept."""


class NotAMember(Exception):
    """The account is a staff account; the action applies to members only."""


class CallerNotVerified(Exception):
    """What the caller said does not match the stored company, project and product."""
