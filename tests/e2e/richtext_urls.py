"""The portal's addresses plus one page with a rich-text form (no app uses the field yet)."""

from django import forms
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from portal.richtext import RichTextFormField
from portal.urls import urlpatterns as portal_urlpatterns

PAGE = """{% extends "base.html" %}
{% block head %}{{ form.media }}{% endblock %}
{% block content %}<form method="post">{% csrf_token %}<label for="id_body">Teksti</label>{{ form.body }}
<button type="submit">Tallenna</button></form>{% if cleaned %}<output id="cleaned">{{ cleaned }}</output>{% endif %}
{% endblock %}"""


class RichTextForm(forms.Form):
    body = RichTextFormField()


def richtext_page(request):
    form = RichTextForm(request.POST or None)
    cleaned = form.cleaned_data["body"] if request.method == "POST" and form.is_valid() else ""
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({"form": form, "cleaned": cleaned}, request))


urlpatterns = [path("richtext/", richtext_page), *portal_urlpatterns]
