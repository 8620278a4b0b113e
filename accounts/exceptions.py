"""Domain errors of member accounts, turned into form errors or pages at the edge."""


class SignupLimitReached(Exception):
    """Policy §2 가 가입횟수 제한: this address opened its allowance of accounts today."""


class IdTaken(Exception):
    """Another sign-up took this ID between the form's check and the insert."""


class NoPolicyInForce(Exception):
    """No policy version is in force, so no consent can be recorded and nobody may sign up."""


class ResetCodeInvalid(Exception):
    """No reset code of this member matches what was entered."""


class ResetCodeExpired(Exception):
    """The reset code's 30 minutes are over."""


class ResetCodeUsed(Exception):
    """The reset code was already used once."""
