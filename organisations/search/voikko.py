"""Finnish word forms from the Voikko morphological analyser, where installed.

Finnish builds words by compounding and inflection, which the Snowball stemmer alone does not
undo: "eläkeläisten" stems to "eläkeläist", which is no prefix of "eläkeläisyhdistys". When Voikko
(Debian's ``voikko-fi`` and the ``libvoikko`` binding) is installed, the index gets the base forms
of the compound parts of names ("eläkeläinen yhdistys") and a query the base forms of its words.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from django.conf import settings

PROPER_NOUN_CLASSES = {"paikannimi", "etunimi", "sukunimi", "nimi"}
WORDBASE_RE = re.compile(r"\+([^+(]*)\(([^)]*)\)")


class _Analyser:
    """A lazily loaded, thread-safe Voikko handle; ``None`` where Voikko is not installed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded = False
        self._voikko = None

    def get(self):
        if not getattr(settings, "SEARCH_USE_VOIKKO", True):
            return None
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self._voikko = self._load()
                    self._loaded = True
        return self._voikko

    @staticmethod
    def _load():
        try:
            import libvoikko
        except ImportError:
            return None
        try:
            return libvoikko.Voikko("fi")
        except (OSError, libvoikko.VoikkoException):
            # The binding is there but the shared library or the Finnish dictionary is not.
            return None

    def analyse(self, word: str) -> list[dict]:
        voikko = self.get()
        if voikko is None:
            return []
        with self._lock:
            return voikko.analyze(word)


_analyser = _Analyser()


def voikko_available() -> bool:
    return _analyser.get() is not None


@lru_cache(maxsize=50_000)
def _word_forms(word: str, use_voikko: bool, with_parts: bool) -> tuple[str, ...]:
    """Base forms of ``word`` and, with ``with_parts``, of its compound parts (without ``word``)."""
    if not use_voikko:
        return ()
    forms: list[str] = []
    analyses = _analyser.analyse(word)
    # Place and person names are not split: "Enonkoski" is not about rapids ("koski").
    proper = any(analysis.get("CLASS") in PROPER_NOUN_CLASSES for analysis in analyses)
    for analysis in analyses:
        base = (analysis.get("BASEFORM") or "").lower()
        if base and base != word and base not in forms:
            forms.append(base)
        if not with_parts or proper:
            continue
        for part in _parts(analysis):
            if part not in forms and part != word:
                forms.append(part)
    return tuple(forms)


def _parts(analysis: dict) -> list[str]:
    """The base forms of a compound's parts (longer than two letters); empty unless a compound."""
    groups: list[tuple[str, str]] = []
    for surface, part_base in WORDBASE_RE.findall(analysis.get("WORDBASES", "")):
        if part_base.startswith("+") and groups:
            # A derivational ending ("yhdist" + "ys") belongs to the part before it, which
            # then stands as written ("yhdistys", not the verb "yhdistää").
            groups[-1] = (groups[-1][0] + surface, "")
        else:
            groups.append((surface, part_base))
    if len(groups) < 2:
        return []
    return [part for part in ((part_base or surface).lower() for surface, part_base in groups) if len(part) > 2]


@lru_cache(maxsize=50_000)
def _compounds(word: str, use_voikko: bool) -> tuple[tuple[str, ...], ...]:
    if not use_voikko:
        return ()
    analyses = _analyser.analyse(word)
    if any(analysis.get("CLASS") in PROPER_NOUN_CLASSES for analysis in analyses):
        return ()
    found: list[tuple[str, ...]] = []
    for analysis in analyses:
        parts = tuple(_parts(analysis))
        if len(parts) > 1 and parts not in found:
            found.append(parts)
    return tuple(found)


def compound_parts(word: str) -> tuple[tuple[str, ...], ...]:
    """Per analysis of a compound query word, the base forms of its parts: "liikuntaseura" is
    ("liikunta", "seura"). A query word also matches a document with all parts of it."""
    return _compounds(word.lower(), voikko_available())


def word_forms(word: str) -> tuple[str, ...]:
    """What the index adds for a word: its base forms and its compound parts."""
    return _word_forms(word.lower(), voikko_available(), True)


def base_forms(word: str) -> tuple[str, ...]:
    """What a query word also matches: its base forms only. Compound parts would make
    "urheiluseura" find every "seura"."""
    return _word_forms(word.lower(), voikko_available(), False)
