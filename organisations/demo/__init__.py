"""Fictional demo data for the directory: ``manage.py seed_demo`` and the benchmarks use this.

``data/`` holds the tables (places, name patterns, descriptions, surnames), ``generator`` draws
associations from them with one seeded random stream, ``seed`` loads, recognises and deletes the
demo. Proportions follow the seeds: Pohjois-Savo has about 5,000 associations, of which Kuopio
about 2,000, Iisalmi and Varkaus about 400 each, Lapinlahti, Leppävirta and Siilinjärvi about 200
and Tervo about 60; Etelä-Savo about 3,000. Sector shares come from ``reference/sectors.json``.
"""

from .data import FIRST_NAMES, LAST_NAMES
from .generator import DEMO_DOMAIN_SUFFIX, ascii_local, genitive, plan_counts, reproducible_random
from .seed import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DemoAccount,
    SeedResult,
    demo_accounts_ensure,
    demo_data_delete,
    demo_municipal_contacts,
    demo_municipal_contacts_create,
    demo_organisations,
    demo_organisations_create,
    seed_demo,
)

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_DOMAIN_SUFFIX",
    "DEMO_PASSWORD",
    "FIRST_NAMES",
    "LAST_NAMES",
    "DemoAccount",
    "SeedResult",
    "ascii_local",
    "demo_accounts_ensure",
    "demo_data_delete",
    "demo_municipal_contacts",
    "demo_municipal_contacts_create",
    "demo_organisations",
    "demo_organisations_create",
    "genitive",
    "plan_counts",
    "reproducible_random",
    "seed_demo",
]
