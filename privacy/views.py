from django.http import Http404
from django.shortcuts import render

from privacy.rendering import render_markdown
from privacy.selectors import policy_in_force


def policy(request):
    version = policy_in_force()
    if version is None:
        raise Http404
    return render(
        request,
        "privacy/policy.html",
        {"version": version, "body": render_markdown(version.body)},
    )
