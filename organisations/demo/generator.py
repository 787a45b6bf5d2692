"""Fictional associations, drawn from one seeded random stream (and seeded Faker providers).

Everything is drawn in a fixed order, so the same number of associations and the same seed give
the same names, slugs and contents (timestamps are spread backwards from the day of the run).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Sequence

from django.utils import timezone
from faker import Faker

from ..models import Language, Municipality, Organisation, Sector, TargetGroup, Visibility
from ..reference_data import read
from ..services.common import unique_slug
from ..validators import normalise_phone
from .data import (
    ACCESSIBILITY_DETAILS,
    DESCRIPTIONS,
    DISTRICTS,
    GENITIVE_RULES,
    GENITIVES,
    KNOWN_COUNTS,
    LAST_NAMES,
    MEETING_PLACES,
    NAME_PATTERNS,
    OTHER_REGION_BASE,
    POPULATION,
    REGION_BASE,
    RELATED_SECTORS,
    SECTOR_TARGET_GROUPS,
    STREETS,
    VILLAGE_FIRST,
    VILLAGE_LAST,
)

DEMO_DOMAIN_SUFFIX = ".example"
# The share of people given a Swedish first name (Swedish-speaking Finns are about 5 %).
SWEDISH_NAME_SHARE = 0.05
# How often a listing whose name fits another sector too (RELATED_SECTORS) carries it as well.
RELATED_SECTOR_SHARE = 0.12
# Random draws of the usual places before the name falls back to the region's villages.
NAME_ATTEMPTS = 8


def reproducible_random(seed: int | str) -> random.Random:
    # Demo data must be reproducible from its seed, not unpredictable.
    return random.Random(seed)  # noqa: S311


def genitive(name: str) -> str:
    if name in GENITIVES:
        return GENITIVES[name]
    for ending, replacement in GENITIVE_RULES:
        if name.endswith(ending):
            return name[: -len(ending)] + replacement
    return name + "n"


def ascii_local(text: str) -> str:
    """An e-mail or domain label from Finnish text: ä→a, ö→o, å→a, nothing else but a-z0-9."""
    text = text.lower().translate(str.maketrans({"ä": "a", "ö": "o", "å": "a"}))
    return re.sub(r"[^a-z0-9]+", "", text)


def largest_remainder(weights: dict, total: int) -> dict:
    """Integer counts proportional to ``weights`` that add up to exactly ``total`` (ties by key order)."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return dict.fromkeys(weights, 0)
    exact = {key: total * weight / weight_sum for key, weight in weights.items()}
    counts = {key: int(value) for key, value in exact.items()}
    leftover = total - sum(counts.values())
    order = sorted(weights, key=lambda key: (-(exact[key] - counts[key]), list(weights).index(key)))
    for key in order[:leftover]:
        counts[key] += 1
    return counts


def municipality_weights(municipalities: Sequence[Municipality]) -> dict[str, float]:
    """Associations per municipality for a portal of 5,000 in Pohjois-Savo (before scaling)."""
    weights: dict[str, float] = {}
    by_region: dict[str, list[Municipality]] = {}
    for municipality in municipalities:
        by_region.setdefault(municipality.region.code, []).append(municipality)
    for region_code in sorted(by_region):
        members = by_region[region_code]
        region_total = REGION_BASE.get(region_code, OTHER_REGION_BASE)
        known = {m.code: KNOWN_COUNTS[m.code] for m in members if m.code in KNOWN_COUNTS}
        rest = [m for m in members if m.code not in KNOWN_COUNTS]
        remaining = max(region_total - sum(known.values()), 0)
        # Small municipalities have more associations per resident, hence the damping exponent.
        rest_weights = {m.code: POPULATION.get(m.code, 2.0) ** 0.75 for m in rest}
        rest_sum = sum(rest_weights.values()) or 1.0
        weights.update(known)
        for code, weight in rest_weights.items():
            weights[code] = remaining * weight / rest_sum
    return weights


def seeded_faker(locale: str, seed: int | str) -> Faker:
    faker = Faker(locale)
    faker.seed_instance(seed)
    return faker


def fictional_person(rng: random.Random, finnish: Faker, swedish: Faker) -> tuple[str, str]:
    """A first name from Faker's Finnish or Swedish provider and a surname from our fictional list.

    Faker's Finnish surnames include those of real people named in the project's source material;
    our list leaves them out, so no demo person can be one of them.
    """
    first = (swedish if rng.random() < SWEDISH_NAME_SHARE else finnish).first_name()
    return first, rng.choice(LAST_NAMES)


class _Generator:
    """Builds unsaved associations and their many-to-many rows from one random stream."""

    def __init__(self, *, seed: int, today: dt.date) -> None:
        self.rng = reproducible_random(seed)
        # People's first names and Business IDs from Faker, seeded like the rest (its own stream).
        self.finnish = seeded_faker("fi_FI", seed)
        self.swedish = seeded_faker("sv_SE", seed)
        self.now = timezone.make_aware(dt.datetime.combine(today, dt.time(12, 0)), dt.UTC)
        # Names are unique per home municipality: two "Haapaniemen Ratsastajat ry" in one town
        # would puzzle a resident, one in Kuopio and one in Mikkeli would not.
        self.used_names: dict[str, set[str]] = {}
        self.all_villages = [first + last[1] for first in VILLAGE_FIRST for last in VILLAGE_LAST]
        # Slugs of associations that are not demo data are taken too (only they can collide).
        self.used_slugs: set[str] = set(Organisation.objects.values_list("slug", flat=True))
        self.used_register_numbers: set[str] = set()
        self.sectors = {sector.slug: sector for sector in Sector.objects.all()}
        self.target_groups = {group.slug: group for group in TargetGroup.objects.all()}
        self.languages = {language.code: language for language in Language.objects.all()}

    def person(self) -> tuple[str, str]:
        return fictional_person(self.rng, self.finnish, self.swedish)

    def village(self, municipality: Municipality) -> str:
        # A stable handful of villages per municipality, so several associations share a village.
        local = reproducible_random(f"{municipality.code}-{self.rng.randrange(8)}")
        return local.choice(VILLAGE_FIRST) + local.choice(VILLAGE_LAST)[1]

    def place(self, municipality: Municipality) -> str:
        roll = self.rng.random()
        districts = DISTRICTS.get(municipality.code)
        if districts and roll < 0.35:
            return self.rng.choice(districts)
        if roll > 0.9:
            return f"{genitive(municipality.name_fi)} Seudun"
        return genitive(municipality.name_fi)

    def name(self, sector_slug: str, municipality: Municipality, region_genitive: str | None) -> tuple[str, str]:
        """A name unused in the home municipality, and the pattern it was made from."""
        patterns = NAME_PATTERNS[sector_slug]
        taken = self.used_names.setdefault(municipality.code, set())
        for _attempt in range(NAME_ATTEMPTS):
            pattern = self.rng.choice(patterns)
            place = region_genitive or self.place(municipality)
            base = pattern.format(g=place, v=self.village(municipality))
            # "Kuopion Seudun Seudun Eläkeläiset" would read badly.
            candidate = base.replace("Seudun Seudun", "Seudun") + " ry"
            if candidate not in taken:
                taken.add(candidate)
                return candidate, pattern
        # A busy sector in a big town runs out of the usual places: name it after a village, in a
        # fixed order from a random start so the same seed still gives the same name.
        villages = self.all_villages
        start = self.rng.randrange(len(villages))
        for offset in range(len(villages)):
            village = villages[(start + offset) % len(villages)]
            for pattern in patterns:
                candidate = pattern.format(g=village, v=village) + " ry"
                if candidate not in taken:
                    taken.add(candidate)
                    return candidate, pattern
        raise RuntimeError(f"No unused association name left in {municipality} for {sector_slug}.")

    def slug(self, name: str) -> str:
        # Every existing slug is in ``used_slugs`` already: no query per association.
        return unique_slug(name, taken=self.used_slugs, check_database=False)

    def register_number(self) -> str:
        for _attempt in range(20):
            number = str(self.rng.randrange(100_000, 240_000))
            if number not in self.used_register_numbers:
                break
        self.used_register_numbers.add(number)
        return number

    def business_id(self) -> str:
        return self.finnish.company_business_id()

    def phone(self) -> str:
        # Stored as the forms store it (E.164); the made-up "123" block keeps them from looking like anyone's.
        return normalise_phone(f"{self.rng.choice(('040', '044', '050'))} 123 {self.rng.randrange(10_000):04d}")

    def status(self) -> str:
        roll = self.rng.random()
        if roll < 0.88:
            return Organisation.Status.PUBLISHED
        if roll < 0.92:
            return Organisation.Status.DRAFT
        if roll < 0.96:
            return Organisation.Status.PENDING
        return Organisation.Status.ARCHIVED

    def visibility(self, weights: tuple[float, float, float]) -> str:
        return self.rng.choices((Visibility.PUBLIC, Visibility.MUNICIPAL, Visibility.STAFF), weights=weights, k=1)[0]

    def organisation(
        self,
        *,
        municipality: Municipality,
        sector_slug: str,
        region_genitive: str | None,
    ) -> tuple[Organisation, list[str]]:
        rng = self.rng
        name, pattern = self.name(sector_slug, municipality, region_genitive)
        slug = self.slug(name)
        domain = ascii_local(name.removesuffix(" ry"))[:50] + DEMO_DOMAIN_SUFFIX
        place_genitive = genitive(municipality.name_fi)
        pool = DESCRIPTIONS[sector_slug]
        # Sentences keep their written order: the first of each sector introduces the association.
        chosen = sorted(rng.sample(range(len(pool)), k=min(len(pool), rng.randint(2, 3))))
        description = " ".join(pool[index].format(g=place_genitive) for index in chosen)

        status = self.status()
        confirmed_at = None
        if status != Organisation.Status.DRAFT or rng.random() < 0.3:
            confirmed_at = self.now - dt.timedelta(days=rng.uniform(0, 3 * 365))

        has_register = rng.random() < 0.75
        accessibility = rng.choices(list(Organisation.Accessibility), weights=(40, 30, 20, 10), k=1)[0]
        details = ""
        if accessibility in ACCESSIBILITY_DETAILS and rng.random() < 0.7:
            details = rng.choice(ACCESSIBILITY_DETAILS[accessibility])

        first, last = self.person()
        has_name = rng.random() < 0.85
        consent = has_name and rng.random() < 0.6
        # Without consent nothing personal is public: visibilities stay municipal or staff.
        public_weights = (0.6, 0.25, 0.15) if consent else (0.0, 0.5, 0.5)
        role_address = rng.choice(("sihteeri", "puheenjohtaja", "info"))
        organisation = Organisation(
            name=name,
            slug=slug,
            register_number=self.register_number() if has_register else "",
            business_id=self.business_id() if has_register and rng.random() < 0.35 else "",
            home_municipality=municipality,
            description=description,
            website=f"https://{domain}/" if rng.random() < 0.6 else "",
            facebook_url=f"https://facebook.example/{slug}" if rng.random() < 0.3 else "",
            email=f"info@{domain}" if rng.random() < 0.5 else "",
            phone=self.phone() if rng.random() < 0.6 else "",
            meeting_place=f"{rng.choice(MEETING_PLACES)}, {municipality.name_fi}" if rng.random() < 0.7 else "",
            street_address=f"{rng.choice(STREETS)} {rng.randint(1, 40)}" if rng.random() < 0.4 else "",
            accessibility=accessibility,
            accessibility_details=details,
            contact_name=f"{first} {last}" if has_name else "",
            contact_email=(
                f"{ascii_local(first)}.{ascii_local(last)}@{domain}" if has_name else f"{role_address}@{domain}"
            ),
            contact_phone=self.phone() if has_name and rng.random() < 0.7 else "",
            contact_name_visibility=self.visibility(public_weights),
            contact_email_visibility=self.visibility(public_weights),
            contact_phone_visibility=self.visibility(public_weights),
            contact_consent_at=(
                (confirmed_at or self.now) - dt.timedelta(days=rng.randint(0, 60)) if consent else None
            ),
            status=status,
            information_confirmed_at=confirmed_at,
            created_at=(confirmed_at or self.now) - dt.timedelta(days=rng.randint(0, 2000)),
        )
        if organisation.street_address:
            organisation.post_office = municipality.name_fi.upper()

        # A second sector only where the name fits it: a crafts society may be culture as well as
        # leisure, a men's choir is culture and never trade and industry.
        sector_slugs = [sector_slug]
        related = [slug for slug in RELATED_SECTORS.get(pattern, ()) if slug in self.sectors]
        if related and rng.random() < RELATED_SECTOR_SHARE:
            sector_slugs.append(rng.choice(related))
        return organisation, sector_slugs

    def target_group_slugs(self, sector_slugs: list[str]) -> list[str]:
        pool = SECTOR_TARGET_GROUPS[sector_slugs[0]]
        chosen = self.rng.sample(pool, k=min(len(pool), self.rng.randint(1, 2)))
        return [slug for slug in chosen if slug in self.target_groups]

    def language_codes(self) -> list[str]:
        codes = ["fi"]
        roll = self.rng.random()
        if roll < 0.05:
            codes.append("sv")
        if 0.04 < roll < 0.14:
            codes.append("en")
        if self.rng.random() < 0.02:
            codes.append(self.rng.choice(("ru", "uk", "ar", "et", "so")))
        return [code for code in codes if code in self.languages]


def plan_counts(*, total: int, municipalities: Sequence[Municipality]) -> dict[str, int]:
    """How many associations each served municipality gets, adding up to ``total``."""
    return largest_remainder(municipality_weights(municipalities), total)


def _sector_plan(rng: random.Random, total: int) -> list[str]:
    shares = {row["slug"]: float(row.get("share", 0)) for row in read("sectors") if row["slug"] in NAME_PATTERNS}
    counts = largest_remainder(shares, total)
    plan = [slug for slug, count in counts.items() for _ in range(count)]
    rng.shuffle(plan)
    return plan
