from django import template

from support import selectors

register = template.Library()


@register.inclusion_tag("support/includes/home.html", takes_context=True)
def support_summary(context):
    """The member's support desk on the home page: unread answers, open inquiries."""
    user = context["request"].user
    member = user.is_authenticated and not (user.is_staff or user.is_superuser)
    return {
        "member": member,
        "unread_answers": context.get("unread_answers", 0),
        "open_inquiries": selectors.open_inquiries(user) if member else 0,
    }
