from django import template

from ..permissions import can_edit_organisation

register = template.Library()


@register.filter
def editable_by(organisation, user) -> bool:
    """For links only: the edit view checks again through the account's scope."""
    return can_edit_organisation(user, organisation)
