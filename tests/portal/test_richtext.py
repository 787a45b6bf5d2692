"""The one rich-text allow-list: what never comes back out, and what survives."""

import re
from pathlib import Path

import pytest
from django import forms
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import isolate_apps

from portal.richtext import RichTextFormField, RichTextWidget, SanitisedHTMLField, sanitise_html

HOSTILE = [
    '<p>Hei<script>alert("x")</script></p>',
    '<img src="x" onerror="alert(1)">',
    '<p onclick="alert(1)">Hei</p>',
    '<a href="javascript:alert(1)">klikkaa</a>',
    '<a href="JaVaScRiPt:alert(1)">klikkaa</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">klikkaa</a>',
    "<style>body { display: none }</style><p>Hei</p>",
    '<p style="background: url(javascript:alert(1))">Hei</p>',
    '<iframe src="https://example.org/"></iframe>',
    "<svg><script>alert(1)</script></svg>",
    '<form action="https://example.org/"><input name="x"></form>',
]


@pytest.mark.parametrize("html", HOSTILE)
def test_scripts_handlers_javascript_urls_and_styles_never_come_back_out(html):
    cleaned = sanitise_html(html).lower()
    for forbidden in ("<script", "alert", "onerror", "onclick", "javascript:", "data:", "<style", "style=", "<iframe"):
        assert forbidden not in cleaned, (html, cleaned)
    assert sanitise_html(cleaned) == cleaned  # stable: cleaning twice changes nothing


def test_the_allowed_markup_survives():
    html = (
        "<h2>Kokous</h2><h3>Esityslista</h3><h4>Liitteet</h4>"
        "<p><strong>Aika</strong> ja <em>paikka</em><br>Kuopio</p>"
        "<ul><li>yksi</li></ul><ol><li>kaksi</li></ol>"
        "<blockquote><p>Lainaus</p></blockquote>"
    )
    assert sanitise_html(html) == html


def test_links_keep_http_https_and_mailto_and_always_get_a_safe_rel():
    cleaned = sanitise_html(
        '<a href="https://example.org/" title="Sivu" target="_blank" rel="opener">a</a>'
        '<a href="http://example.org/">b</a><a href="mailto:info@example.org">c</a>'
        '<a href="ftp://example.org/">d</a><a href="/yhdistykset/">e</a>'
    )
    links = re.findall(r"<a [^>]*>", cleaned)
    assert links == [
        '<a href="https://example.org/" title="Sivu" rel="noopener noreferrer nofollow">',
        '<a href="http://example.org/" rel="noopener noreferrer nofollow">',
        '<a href="mailto:info@example.org" rel="noopener noreferrer nofollow">',
        '<a rel="noopener noreferrer nofollow">',
        '<a rel="noopener noreferrer nofollow">',
    ]


def test_tags_outside_the_list_leave_their_text():
    assert sanitise_html("<h1>Otsikko</h1><div><span>teksti</span></div>") == "Otsikkoteksti"


def test_an_empty_editor_document_is_stored_empty():
    assert sanitise_html("<p></p>") == ""
    assert sanitise_html("<p><br></p>") == ""
    assert sanitise_html("") == ""


def test_the_form_field_sanitises_in_clean_and_refuses_an_empty_document():
    field = RichTextFormField()
    assert field.clean('<p>Hei<script>alert(1)</script></p><p onclick="x()">!</p>') == "<p>Hei</p><p>!</p>"
    with pytest.raises(ValidationError):
        field.clean("<p></p>")
    with pytest.raises(ValidationError):
        field.clean("<script>alert(1)</script>")


def test_the_widget_loads_the_editor_from_our_static_files_without_inline_scripts():
    class Form(forms.Form):
        body = RichTextFormField()

    form = Form()
    assert "data-richtext" in str(form["body"])
    media = str(form.media)
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", media, flags=re.S)
    assert scripts == [""]  # one module, loaded by src; nothing inline (no import map)
    assert 'type="module"' in media and "/static/js/richtext.js" in media
    for path in (*RichTextWidget.Media.css["all"], "js/richtext.js"):
        assert finders.find(path), path
    # Our module imports the editor by a relative static path: that file must exist.
    module = Path(finders.find("js/richtext.js")).read_text(encoding="utf-8")
    (imported,) = re.findall(r'from "\.\./([^"]+)"', module)
    assert finders.find(imported) and "http" not in imported


@pytest.mark.django_db
@isolate_apps("portal")
def test_the_model_field_stores_only_sanitised_html_whatever_the_write_path():
    class Minutes(models.Model):
        body = SanitisedHTMLField()

        class Meta:
            app_label = "portal"

        def __str__(self) -> str:
            return self.body

    with connection.schema_editor() as editor:
        editor.create_model(Minutes)

    minutes = Minutes.objects.create(body='<p onclick="x()">Pöytäkirja<script>alert(1)</script></p>')
    assert minutes.body == "<p>Pöytäkirja</p>"  # the instance holds what was stored
    assert Minutes.objects.values_list("body", flat=True).get() == "<p>Pöytäkirja</p>"

    Minutes.objects.filter(pk=minutes.pk).update(body='<a href="javascript:alert(1)">x</a><style>p{}</style>')
    assert Minutes.objects.values_list("body", flat=True).get() == '<a rel="noopener noreferrer nofollow">x</a>'

    minutes.body = "<h2>Liite</h2><img src=x onerror=alert(1)>"
    Minutes.objects.bulk_update([minutes], ["body"])
    assert Minutes.objects.values_list("body", flat=True).get() == "<h2>Liite</h2>"

    # Lookups are not rewritten: a search for hostile markup finds nothing rather than something else.
    assert not Minutes.objects.filter(body__contains="<img").exists()
    assert isinstance(Minutes._meta.get_field("body").formfield(), RichTextFormField)


def test_a_form_shown_again_hands_the_editor_only_allowed_markup():
    rendered = RichTextWidget().render("body", '<p>Hei<img src=x onerror="alert(1)"></p>')
    assert "onerror" not in rendered and "&lt;p&gt;Hei&lt;/p&gt;" in rendered
