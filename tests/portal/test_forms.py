import importlib
import inspect

from django import forms

from portal.forms import NoControlCharactersMixin

FORM_MODULES = [
    "accounts.forms",
    "council.forms",
    "forums.forms",
    "newsletter.forms",
    "organisations.forms.imports",
    "organisations.forms.moderation",
    "organisations.forms.municipal",
    "organisations.forms.selfservice",
]


def takes_text(form_class) -> bool:
    return any(
        isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)
        for field in form_class.base_fields.values()
    )


def test_every_form_that_takes_text_refuses_control_characters():
    forms_taking_text = [
        form_class
        for name in FORM_MODULES
        for _, form_class in inspect.getmembers(importlib.import_module(name), inspect.isclass)
        if issubclass(form_class, forms.BaseForm) and form_class.__module__ == name and takes_text(form_class)
    ]
    assert len(forms_taking_text) > 15
    assert [cls.__name__ for cls in forms_taking_text if not issubclass(cls, NoControlCharactersMixin)] == []


class Sample(NoControlCharactersMixin, forms.Form):
    title = forms.CharField()
    body = forms.CharField(widget=forms.Textarea)
    password = forms.CharField(widget=forms.PasswordInput)


def test_single_line_fields_refuse_every_control_character_and_text_areas_keep_line_breaks():
    form = Sample({"title": "Otsikko\tX", "body": "Rivi 1\r\n\tRivi 2", "password": "sala\x01"})
    assert not form.is_valid()
    assert list(form.errors) == ["title"]
    assert form.errors.as_data()["title"][0].code == "control_characters"
    assert Sample({"title": "Otsikko", "body": "Rivi 1\n\tRivi 2", "password": "x"}).is_valid()
    assert "body" in Sample({"title": "Otsikko", "body": "Ri\x0cvi", "password": "x"}).errors
