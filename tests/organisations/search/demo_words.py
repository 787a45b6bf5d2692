"""The issue's searches over demo-like associations, run the same way on PostgreSQL (in the suite)
and on SQLite (``sqlite_search_probe``, in another process): ``observe`` reads the directory's
pages and returns what each search shows, ``expected`` what it should show."""

from __future__ import annotations

import re
from html import unescape

from django.test import Client

from tests.organisations.directory_helpers import make_organisation

URL = "/yhdistykset/"
NOTHING_SIMILAR = "eikä mikään nimi muistuta niitä"
SIMILAR = "Nämä nimet muistuttavat niitä"
# FTS5 and to_tsquery operators, quotes and column filters: none may reach either query.
# Each of these has "kylä" as its only word; OPERATORS mix several words with operators.
SYNTAX = ['"kylä', 'kylä"*', "kylä*", "-kylä", ":kylä", "{kylä}:", "^kylä", "(kylä)"]
OPERATORS = [
    "name:kylä",
    "kylä OR eläkeläiset",
    "NEAR(kylä eläke, 2)",
    'kylä" OR "x',
    "kylä AND NOT x",
    "body : kylä + *",
]


def make_associations() -> None:
    make_organisation("Kuopion Eläkeläiset ry", sectors=("sosiaali-ja-terveys",))
    make_organisation("Hirvensalmen Eläkeläiset ry", municipality="097", sectors=("sosiaali-ja-terveys",))
    make_organisation("Alakylän Urheiluseura ry", municipality="844", sectors=("urheilu-ja-liikunta",))
    make_organisation("Anttolan Hiihtoseura ry", municipality="491", sectors=("urheilu-ja-liikunta",))
    make_organisation("Ahvenlahden Metsästysseura ry", municipality="915", sectors=("vapaa-aika",))
    make_organisation("Kuopion Kuoro ry", sectors=("kulttuuri",))
    make_organisation("Juvan Mieskuoro ry", municipality="178", sectors=("kulttuuri",))
    # "nuorisotoiminta" stems to "nuorisotoimin", which would stem again to "nuorisotoim".
    make_organisation("Varkauden Nuorisotoiminta ry", municipality="915")
    # A Kuopio association without "Kuopio" in its name, first in alphabetical order.
    make_organisation("Alakylän Kyläseura ry", sectors=("asukas-ja-kylatoiminta",))
    make_organisation(
        "Savon Shakkikerho ry",
        municipality="915",
        description="Kerho kokoontuu kylätalolla, ja eläkeläiset ovat tervetulleita.",
    )


def _names(html: str) -> list[str]:
    return [unescape(name) for name in re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)]


def observe(words: list[str]) -> dict[str, dict]:
    client = Client(raise_request_exception=False)
    results = {}
    for word in words:
        response = client.get(URL, {"q": word})
        html = response.content.decode()
        results[word] = {
            "status": response.status_code,
            "names": _names(html),
            "similar": SIMILAR in html,
            "nothing_similar": NOTHING_SIMILAR in html,
        }
    return results


def expected(*, voikko: bool) -> dict[str, list[str]]:
    """What each of the issue's words finds, in the directory's order (name matches first)."""
    words = {
        "eläkeläisten": ["Hirvensalmen Eläkeläiset ry", "Kuopion Eläkeläiset ry", "Savon Shakkikerho ry"],
        "urheiluseuran": ["Alakylän Urheiluseura ry"],
        "metsästysseuran": ["Ahvenlahden Metsästysseura ry"],
        # "Mieskuoro" is a choir: Voikko splits it, and without Voikko "kuoro" ends it.
        "kuorot": ["Juvan Mieskuoro ry", "Kuopion Kuoro ry"],
        "Kuopion": ["Kuopion Eläkeläiset ry", "Kuopion Kuoro ry", "Alakylän Kyläseura ry"],
        # A compound no name contains: a sports club ("seura") in the "Urheilu ja liikunta" sector,
        # split by Voikko or, without it, by the index's vocabulary ("liikunta" + "-seura").
        "liikuntaseura": ["Alakylän Urheiluseura ry", "Anttolan Hiihtoseura ry"],
        # A compound a name contains is not split by the vocabulary: not "Alakylän Urheiluseura".
        "kyläseura": ["Alakylän Kyläseura ry"],
        # The last part of a name's compound, then of a label's ("Asukas- ja kylätoiminta").
        "toiminta": ["Varkauden Nuorisotoiminta ry", "Alakylän Kyläseura ry"],
    }
    if voikko:
        # Voikko also splits the query's known compounds: "urheiluseuran" finds the other club in
        # the sports sector, after the name match.
        words["urheiluseuran"] = ["Alakylän Urheiluseura ry", "Anttolan Hiihtoseura ry"]
        # Voikko splits the query and the name "Alakylän" ("ala" + "kylä") alike.
        words["kyläseura"] = ["Alakylän Kyläseura ry", "Alakylän Urheiluseura ry"]
    return words
