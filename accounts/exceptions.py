"""Domain errors of member accounts, turned into form errors or pages at the edge."""


class SignupLimitReached(Exception):
    """Policy §2 가 가입횟수 제한: this address opened its allowance of accounts today."""


class NoPolicyInForce(Exception):
    """No policy version is in force, so no consent can be recorded and nobody may sign up."""


class AppendOnlyRecord(Exception):
    """An access or privilege-change record was about to be changed or deleted: evidence is kept."""


class NotAMember(Exception):
    """The account is a staff account; the action applies to members only."""
