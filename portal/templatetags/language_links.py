"""The language switcher as plain links to the same page under /sv/, /en/ or the root.

Every public page is in ``i18n_patterns`` with untranslated paths, so the other languages' address
is the current path with its language prefix swapped: no form, so no CSRF token, no CSRF cookie
and no ``Vary: Cookie`` on an anonymous page (which a shared cache could then keep), and no
resolve()/reverse() per language.
"""

from __future__ import annotations

from functools import cache

from django import template
from django.conf import settings
from django.utils.encoding import escape_uri_path
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info

register = template.Library()


@cache
def _languages() -> tuple[tuple[str, str], ...]:
    return tuple((code, capfirst(get_language_info(code)["name_local"])) for code, _name in settings.LANGUAGES)


def language_path(path_info: str, current: str, target: str) -> str:
    """``path_info`` (of a page in ``current``) as the same page in ``target``."""
    default = settings.LANGUAGE_CODE
    if current != default and (path_info == f"/{current}" or path_info.startswith(f"/{current}/")):
        path_info = path_info[len(current) + 1 :] or "/"
    return path_info if target == default else f"/{target}{path_info}"


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    request = context.get("request")
    current = get_language() or settings.LANGUAGE_CODE
    if request is None:
        return []
    script = request.path[: len(request.path) - len(request.path_info)]
    query = request.META.get("QUERY_STRING", "")
    suffix = f"?{query}" if query else ""
    return [
        {
            "code": code,
            "name": name,
            "url": escape_uri_path(script + language_path(request.path_info, current, code)) + suffix,
            "current": code == current,
        }
        for code, name in _languages()
    ]
