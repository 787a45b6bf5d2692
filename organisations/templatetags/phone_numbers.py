from django import template

from ..validators import format_phone

register = template.Library()


@register.filter
def phone_display(value: str) -> str:
    """A stored number as people here read it: "040 1234567" for Finnish numbers, "+46 8 …" for others."""
    return format_phone(value)


@register.filter
def phone_link(value: str) -> str:
    """The tel: target: the stored E.164, or what was typed without spaces for a number that never parsed."""
    return (value or "").replace(" ", "")
