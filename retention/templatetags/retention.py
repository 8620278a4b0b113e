from django import template

from retention.registry import category, due_date

register = template.Library()


@register.filter
def due(started_at, category_key):
    """``{{ record.time|due:"visit" }}``: when the record will be destroyed."""
    if started_at is None:
        return None
    return due_date(category(category_key), started_at)
