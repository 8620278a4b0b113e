"""Domain errors of the support desk, turned into form errors or pages at the edge."""


class InquiryClosed(Exception):
    """A closed inquiry takes no reply: the member opens a follow-up that links back to it."""


class NotAllowedNow(Exception):
    """The action does not fit the inquiry's status (resolving a resolved one, rating twice…)."""
