from privacy.middleware import standing_of
from privacy.selectors import last_agreed_version


def policy_change(request):
    """Policy §12: a member sees, once, that the policy changed since they last agreed to it."""
    version = standing_of(request).to_acknowledge
    if version is None:
        return {"policy_change": None}
    return {"policy_change": {"version": version, "previous": last_agreed_version(request.user)}}
