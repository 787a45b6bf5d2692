"""Links to the exports of a directory filter (the directory page, a contact's saved filters)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext


def export_urls(query_string: str) -> list[tuple[str, str]]:
    suffix = f"?{query_string}" if query_string else ""
    joiner = "&" if query_string else "?"
    return [
        (gettext("CSV"), reverse("organisations:export", args=["csv"]) + suffix),
        (
            gettext("CSV with semicolons"),
            reverse("organisations:export", args=["csv"]) + suffix + joiner + "sep=semicolon",
        ),
        (gettext("Excel (XLSX)"), reverse("organisations:export", args=["xlsx"]) + suffix),
        (gettext("E-mail addresses"), reverse("organisations:export", args=["emails"]) + suffix),
    ]
