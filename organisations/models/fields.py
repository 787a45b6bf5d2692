"""Model fields shared by the directory's models and other apps' people."""

from __future__ import annotations

from django import forms
from django.db import models

from ..validators import normalise_phone, validate_phone


class PhoneFormField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalise_phone(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        validate_phone(value)


class PhoneNumberField(models.CharField):
    """A phone number stored in E.164; any form or full_clean() normalises it and refuses non-numbers."""

    default_validators = [validate_phone]

    def to_python(self, value):
        return normalise_phone(super().to_python(value))

    def get_prep_value(self, value):
        # Written as given (CharField would run to_python here): normalising is cleaning's job, in
        # forms and full_clean(), so a lookup or a bulk write never silently rewrites a value.
        value = super(models.CharField, self).get_prep_value(value)
        return value if value is None else str(value)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhoneFormField, **kwargs})
