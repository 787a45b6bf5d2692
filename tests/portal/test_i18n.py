from pathlib import Path

import polib
import pytest

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_catalogue_is_complete_and_compiled(language):
    po = polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries() + po.fuzzy_entries()]
    assert untranslated == []
    mo = polib.mofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"))
    compiled = {entry.msgid: entry.msgstr or entry.msgstr_plural for entry in mo}
    stale = [entry.msgid for entry in po.translated_entries() if entry.msgid not in compiled]
    assert stale == [], "run manage.py compilemessages"


@pytest.mark.django_db
def test_pages_are_finnish_by_default_and_swedish_on_request(client):
    assert "Yhdistykset" in client.get("/yhdistykset/").content.decode()
    assert "Föreningar" in client.get("/sv/yhdistykset/").content.decode()
    assert "Associations" in client.get("/en/yhdistykset/").content.decode()
