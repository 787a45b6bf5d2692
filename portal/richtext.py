"""Rich text for every app: one allow-list, one sanitiser, a model field and a form field.

The council's minutes, the forums' posts and the newsletter all store HTML typed into
django-prose-editor. Whatever the editor sends, the server keeps only this allow-list: paragraphs,
line breaks, bold, italics, links (http, https and mailto only, always ``rel="noopener noreferrer
nofollow"``), lists, headings h2 to h4 and quotations. Scripts, styles, event handlers,
``javascript:`` URLs and everything else are removed, so stored HTML can be rendered with ``|safe``.
"""

from __future__ import annotations

import re

import nh3
from django import forms
from django.db import models

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "a", "ul", "ol", "li", "h2", "h3", "h4", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    # Their content is code, not text: dropped with the tag rather than left behind as text.
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    # A relative URL has no scheme to check and resolves differently on every page it is shown.
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)

# The editor leaves one empty paragraph in an empty document; stored, it should be empty.
_EMPTY_DOCUMENT = re.compile(r"^\s*(<p>\s*(<br>)?\s*</p>\s*)*$")


def sanitise_html(html: str) -> str:
    """``html`` reduced to the allow-list; an empty document becomes an empty string."""
    if not html:
        return ""
    cleaned = _cleaner.clean(html)
    return "" if _EMPTY_DOCUMENT.match(cleaned) else cleaned


class RichTextWidget(forms.Textarea):
    """A textarea that ``static/js/richtext.js`` turns into django-prose-editor's editor.

    django-prose-editor's own widget declares its modules through an inline import map, which the
    Content Security Policy (``script-src 'self'``, no inline scripts) refuses; our module imports
    the editor by its static path instead, so the page needs nothing inline.
    """

    class Media:
        css = {
            "all": [
                "django_prose_editor/material-icons.css",
                "django_prose_editor/editor.css",
                "css/richtext.css",
            ]
        }
        js = [forms.Script("js/richtext.js", type="module")]

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs={"data-richtext": "", **(attrs or {})})

    def format_value(self, value):
        # A form shown again with what was posted hands the editor only allowed markup: the editor
        # parses its text as HTML in the live page, where an <img onerror> would run (the policy
        # blocks it, but the editor should not depend on that).
        return super().format_value(sanitise_html(str(value)) if value else value)

    def use_required_attribute(self, initial) -> bool:
        # The textarea is hidden behind the editor: a browser's "required" bubble would point at
        # nothing. The form field's clean() still refuses an empty text.
        return False


class RichTextFormField(forms.CharField):
    """Sanitises in ``clean()``: the form's cleaned data is already what will be stored."""

    widget = RichTextWidget

    def clean(self, value):
        return super().clean(sanitise_html(value or ""))


class SanitisedHTMLField(models.TextField):
    """A text field whose stored value is always sanitised HTML.

    Sanitised on every write, not only in forms: ``pre_save`` cleans the value on the instance (so
    the object holds what the database holds) for ``save()``, ``create()`` and ``bulk_create()``,
    and ``get_db_prep_save`` cleans the values ``QuerySet.update()`` and ``bulk_update()`` write,
    which never pass through ``pre_save``. Not ``get_prep_value``: that also prepares lookup values,
    and ``filter(body__contains="<script")`` must look for what was asked. A service, the admin, the
    shell or a data migration therefore cannot store unsanitised HTML.
    """

    def pre_save(self, model_instance, add):
        value = sanitise_html(getattr(model_instance, self.attname) or "")
        setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value, connection):
        if isinstance(value, str):
            value = sanitise_html(value)
        return super().get_db_prep_save(value, connection)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": RichTextFormField, "widget": RichTextWidget, **kwargs})

    def deconstruct(self):
        # Migrations see a plain text column; the sanitising is behaviour, not schema.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs
