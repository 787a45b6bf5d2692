"""What every form in the project that takes text shares: no control characters get in.

Control characters are invisible, break exports (XML cannot hold most of them) and are never
what a person meant to type; they arrive by copying from other programs or on purpose.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls; a multi-line text may hold tabs and line breaks.
SINGLE_LINE_CONTROL = re.compile("[\x00-\x1f]")
MULTI_LINE_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

CONTROL_CHARACTERS_MESSAGE = _(
    "This text contains invisible control characters (often picked up by copying from another "
    "program). Remove them and try again."
)


def has_control_characters(value: str, *, multi_line: bool) -> bool:
    return bool((MULTI_LINE_CONTROL if multi_line else SINGLE_LINE_CONTROL).search(value or ""))


def validate_single_line_text(value: str) -> None:
    if has_control_characters(value, multi_line=False):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")


def validate_multi_line_text(value: str) -> None:
    if has_control_characters(value, multi_line=True):
        raise ValidationError(CONTROL_CHARACTERS_MESSAGE, code="control_characters")


class NoControlCharactersMixin:
    """Refuse control characters in every text field of the form (line breaks only in text areas).

    Passwords are left alone: they are hashed, never shown or exported, and refusing a character
    would lock out whoever chose it.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
                continue
            multi_line = isinstance(field.widget, forms.Textarea)
            field.validators.append(validate_multi_line_text if multi_line else validate_single_line_text)
