from django import template

from council.permissions import is_secretary

register = template.Library()


@register.filter
def council_secretary(user) -> bool:
    """For the header link to the secretary's desk."""
    return is_secretary(user)
