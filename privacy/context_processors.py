from privacy.selectors import last_agreed_version, version_to_acknowledge


def policy_change(request):
    """Policy §12: a member sees, once, that the policy changed since they last agreed to it."""
    user = getattr(request, "user", None)
    version = version_to_acknowledge(user) if user is not None else None
    if version is None:
        return {"policy_change": None}
    return {"policy_change": {"version": version, "previous": last_agreed_version(user)}}
