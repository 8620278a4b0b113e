from support.selectors import unread_answers


def unread_answers_count(request):
    """The count of answered, unread inquiries, for the header of every page: members give no
    e-mail, so the portal itself is where they learn of an answer."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff or user.is_superuser:
        return {"unread_answers": 0}
    return {"unread_answers": unread_answers(user)}
