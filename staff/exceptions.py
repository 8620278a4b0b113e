"""Domain errors of the staff side, turned into form errors, 403s or pages at the edge."""


class AppendOnlyRecord(Exception):
    """An access or privilege-change record was about to be changed or deleted: evidence is kept."""


class NotAMember(Exception):
    """The account is a staff account; the action applies to members only."""


class CallerNotVerified(Exception):
    """What the caller said does not match the stored company, project and product."""


class ReviewNotOver(Exception):
    """A month's access review can be signed off only once the month is over."""


class AlreadySignedOff(Exception):
    """The month's access review has been signed off already: a sign-off is made once."""


class UnknownPermission(Exception):
    """``staff.roles`` names a permission no model defines (a typo, or a model since removed)."""

    def __init__(self, codes):
        self.codes = sorted(codes)
        super().__init__(", ".join(self.codes))
