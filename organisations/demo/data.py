"""The demo's tables, read from ``data/*.json``: places (counts, genitives, villages), association
name patterns, descriptions and other words, fictional surnames.

The files keep their order, and the generator draws from them in that order, so the same seed
gives the same associations.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def _read(name: str) -> dict:
    with (DATA_DIR / f"{name}.json").open(encoding="utf-8") as file:
        return json.load(file)


_places = _read("places")
_words = _read("words")

# Associations per region for a portal of "5,000 in Pohjois-Savo"; scaled to the requested total.
REGION_BASE: dict[str, int] = _places["region_base"]
OTHER_REGION_BASE: int = _places["other_region_base"]
# Counts the seeds give (PRH's register, 2018); the rest of a region is shared by population.
KNOWN_COUNTS: dict[str, int] = _places["known_counts"]
POPULATION: dict[str, float] = _places["population"]
GENITIVES: dict[str, str] = _places["genitives"]
GENITIVE_RULES: list[tuple[str, str]] = [tuple(rule) for rule in _places["genitive_rules"]]
VILLAGE_FIRST: list[str] = _places["village_first"]
VILLAGE_LAST: list[tuple[str, str]] = [tuple(part) for part in _places["village_last"]]
DISTRICTS: dict[str, list[str]] = _places["districts"]
MEETING_PLACES: list[str] = _places["meeting_places"]
STREETS: list[str] = _places["streets"]

_names = _read("names")
NAME_PATTERNS: dict[str, list[str]] = _names["patterns"]
# The other sectors a name pattern fits; a pattern without an entry fits its own sector only.
RELATED_SECTORS: dict[str, list[str]] = _names["related_sectors"]

DESCRIPTIONS: dict[str, list[str]] = _words["descriptions"]
SECTOR_TARGET_GROUPS: dict[str, list[str]] = _words["sector_target_groups"]
ACCESSIBILITY_DETAILS: dict[str, list[str]] = _words["accessibility_details"]
CONTACT_TITLES: list[str] = _words["contact_titles"]
# Public demo contacts for these municipalities; Kuopio's is linked to the municipal demo account.
CONTACT_MUNICIPALITIES: list[str] = _words["contact_municipalities"]

# Fictional first names for the other apps' demo people (council members, event registrants).
FIRST_NAMES: list[str] = _read("people")["first_names"]
LAST_NAMES: list[str] = _read("people")["last_names"]
