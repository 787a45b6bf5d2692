"""Loads the reference data (regions, municipalities, sectors, ...) shipped in ``reference/``.

Used by data migrations with historical models, so it takes the app registry, not model classes.
Loading is idempotent: rows are matched on their natural key and updated in place.
"""

import json
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def read(name: str) -> list[dict]:
    return json.loads((REFERENCE_DIR / f"{name}.json").read_text(encoding="utf-8"))


def load_reference_data(apps, schema_editor=None) -> None:
    Region = apps.get_model("organisations", "Region")
    Municipality = apps.get_model("organisations", "Municipality")
    Sector = apps.get_model("organisations", "Sector")
    TargetGroup = apps.get_model("organisations", "TargetGroup")
    Language = apps.get_model("organisations", "Language")

    regions = {}
    for row in read("regions"):
        regions[row["code"]], _ = Region.objects.update_or_create(
            code=row["code"],
            defaults={"name_fi": row["name_fi"], "name_sv": row.get("name_sv") or "", "slug": row["slug"]},
        )
    for row in read("municipalities"):
        Municipality.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_fi": row["name_fi"],
                "name_sv": row.get("name_sv") or "",
                "slug": row["slug"],
                "region": regions[row["region"]],
                "subregion_code": row.get("subregion_code") or "",
                "subregion_name": row.get("subregion_fi") or "",
            },
        )
    for model, name in ((Sector, "sectors"), (TargetGroup, "target_groups")):
        for position, row in enumerate(read(name)):
            model.objects.update_or_create(
                slug=row["slug"],
                defaults={
                    "name_fi": row["name_fi"],
                    "name_sv": row.get("name_sv") or "",
                    "name_en": row.get("name_en") or "",
                    "position": position,
                },
            )
    for position, row in enumerate(read("languages")):
        Language.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_fi": row["name_fi"],
                "name_sv": row.get("name_sv") or "",
                "name_en": row.get("name_en") or "",
                "position": position,
            },
        )
