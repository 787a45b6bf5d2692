"""Loading, recognising and deleting the demo: ``manage.py seed_demo`` and the benchmarks use this.

Demo data is recognised by its addresses: every demo association's contact e-mail and every demo
municipal contact's e-mail is on a reserved ``.example`` domain, and the demo accounts are the
fixed ``@example.org`` addresses in ``DEMO_ACCOUNTS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from portal.permissions import COUNCIL_SECRETARIES_GROUP, MODERATORS_GROUP, MUNICIPAL_CONTACTS_GROUP

from ..models import MunicipalContact, Municipality, Organisation
from ..search import refresh_search_index
from .data import CONTACT_MUNICIPALITIES, CONTACT_TITLES
from .generator import (
    DEMO_DOMAIN_SUFFIX,
    _Generator,
    _sector_plan,
    ascii_local,
    fictional_person,
    genitive,
    plan_counts,
    reproducible_random,
    seeded_faker,
)

# A fixed password is acceptable only because demo accounts exist only on DEBUG machines or when
# asked for explicitly (``--with-accounts``); it is printed and documented in the README.
DEMO_PASSWORD = "demo-jarjestotori"  # noqa: S105 - published on purpose, see above
BATCH_SIZE = 2000


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str


DEMO_ACCOUNTS = (
    DemoAccount("yllapito@example.org", "Aino", "Ylläpitäjä", "staff superuser"),
    DemoAccount("moderaattori@example.org", "Eero", "Moderaattori", "moderator"),
    DemoAccount("sihteeri@example.org", "Kaisa", "Sihteeri", "council secretary"),
    DemoAccount("kunta@example.org", "Ville", "Kuntalainen", "municipal contact (Kuopio)"),
    DemoAccount("yhdistys@example.org", "Outi", "Yhdistysaktiivi", "association editor"),
)


@dataclass
class SeedResult:
    organisation_ids: list[int] = field(default_factory=list)
    accounts: list[tuple[DemoAccount, str]] = field(default_factory=list)
    created: bool = True


def demo_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(contact_email__endswith=DEMO_DOMAIN_SUFFIX)


def demo_municipal_contacts() -> QuerySet[MunicipalContact]:
    return MunicipalContact.objects.filter(email__endswith=DEMO_DOMAIN_SUFFIX)


@contextmanager
def _history_paused() -> Iterator[None]:
    """Record no versions (simple_history's documented switch for bulk loads) while demo data goes.

    A version per deleted demo association would make a reset take minutes instead of seconds and
    fill the history with rows nobody reads. seed_demo runs in a process of its own, so switching
    the setting for its duration affects no request.
    """
    previous = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = previous


@transaction.atomic
def demo_data_delete() -> int:
    """Delete the demo associations, demo municipal contacts and demo accounts; returns associations deleted."""
    demo_ids = demo_organisations().values("pk")
    # One DELETE per many-to-many table; loading those rows through the ORM would take minutes.
    for through in (
        Organisation.municipalities.through,
        Organisation.sectors.through,
        Organisation.target_groups.through,
        Organisation.languages.through,
    ):
        through.objects.filter(organisation_id__in=demo_ids).delete()
    ids = list(demo_ids.values_list("pk", flat=True))
    with _history_paused():
        for start in range(0, len(ids), BATCH_SIZE * 5):
            # Only primary keys: the collector still follows every relation (editors and later apps).
            Organisation.objects.filter(pk__in=ids[start : start + BATCH_SIZE * 5]).only("pk").delete()
    # Versions recorded while the demo associations were used (edits in a demo) go with them.
    Organisation.history.filter(id__in=ids).delete()
    demo_municipal_contacts().delete()
    User.objects.filter(email__in=[account.email for account in DEMO_ACCOUNTS]).delete()
    return len(ids)


def _bulk_insert(model, objects: Sequence, *, assign_ids: bool = False) -> None:
    """Insert many rows: with COPY on PostgreSQL (several times faster than INSERTs), else bulk_create.

    With ``assign_ids`` the objects get their primary keys (drawn from the table's sequence first).
    """
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and not assign_ids)]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if assign_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objects)],
            )
            for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = pk
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, add=True), connection=connection) for f in fields])


def _bulk_through(model, rows: Iterable) -> None:
    _bulk_insert(model, list(rows))


@transaction.atomic
def demo_organisations_create(*, total: int, seed: int, today: dt.date | None = None) -> list[int]:
    """Create ``total`` fictional associations in the served regions; returns their ids."""
    municipalities = list(Municipality.objects.served().select_related("region").order_by("code"))
    if not municipalities or total <= 0:
        return []
    generator = _Generator(seed=seed, today=today or timezone.now().date())
    rng = generator.rng
    counts = plan_counts(total=total, municipalities=municipalities)
    sector_plan = _sector_plan(rng, total)
    by_code = {municipality.code: municipality for municipality in municipalities}
    by_region: dict[str, list[Municipality]] = {}
    for municipality in municipalities:
        by_region.setdefault(municipality.region.code, []).append(municipality)

    organisations: list[Organisation] = []
    extra: list[tuple[list[str], list[str], list[str], list[str]]] = []
    index = 0
    for code, count in counts.items():
        municipality = by_code[code]
        region_members = by_region[municipality.region.code]
        largest = max(region_members, key=lambda m: counts.get(m.code, 0))
        for _ in range(count):
            sector_slug = sector_plan[index]
            index += 1
            # Regional associations ("Pohjois-Savon …") are based in the region's largest town.
            regional = municipality is largest and rng.random() < 0.06
            region_genitive = genitive(municipality.region.name_fi) if regional else None
            organisation, sector_slugs = generator.organisation(
                municipality=municipality, sector_slug=sector_slug, region_genitive=region_genitive
            )
            # The home municipality is always among the municipalities of activity: an association
            # based in Kuopio and active only in Siilinjärvi is not one a resident would believe.
            active_in = [municipality.code]
            if regional:
                active_in += [m.code for m in region_members if m is not municipality]
            elif rng.random() < 0.12:
                neighbours = [
                    m.code
                    for m in region_members
                    if m is not municipality and m.subregion_code == municipality.subregion_code
                ] or [m.code for m in region_members if m is not municipality]
                active_in += rng.sample(neighbours, k=min(len(neighbours), rng.randint(1, 3)))
            organisations.append(organisation)
            extra.append(
                (active_in, sector_slugs, generator.target_group_slugs(sector_slugs), generator.language_codes())
            )

    _bulk_insert(Organisation, organisations, assign_ids=True)
    # extra[n] holds, in this order, the codes or slugs of each association's relations.
    relations = (
        ("municipalities", "municipality_id", lambda code: by_code[code].pk),
        ("sectors", "sector_id", lambda slug: generator.sectors[slug].pk),
        ("target_groups", "targetgroup_id", lambda slug: generator.target_groups[slug].pk),
        ("languages", "language_id", lambda code: generator.languages[code].pk),
    )
    for index, (relation, column, pk_of) in enumerate(relations):
        through = getattr(Organisation, relation).through
        _bulk_through(
            through,
            (
                through(organisation_id=organisation.pk, **{column: pk_of(key)})
                for organisation, keys in zip(organisations, extra, strict=True)
                for key in keys[index]
            ),
        )
    ids = [organisation.pk for organisation in organisations]
    refresh_search_index(ids)
    return ids


@transaction.atomic
def demo_municipal_contacts_create(*, seed: int) -> list[MunicipalContact]:
    rng = reproducible_random(f"contacts-{seed}")
    finnish, swedish = seeded_faker("fi_FI", f"contacts-{seed}"), seeded_faker("sv_SE", f"contacts-{seed}")
    contacts = []
    for municipality in Municipality.objects.served().filter(code__in=CONTACT_MUNICIPALITIES).order_by("code"):
        first, last = fictional_person(rng, finnish, swedish)
        contact = MunicipalContact(
            name=f"{first} {last}",
            title=rng.choice(CONTACT_TITLES),
            email=f"{ascii_local(first)}.{ascii_local(last)}@{municipality.slug}{DEMO_DOMAIN_SUFFIX}",
            phone=f"044 123 {rng.randrange(10_000):04d}",
            is_public=True,
        )
        contact.full_clean(exclude=["municipalities"])
        contact.save()
        contact.municipalities.set([municipality])
        contacts.append(contact)
    return contacts


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[DemoAccount, str]]:
    """Create (or reset the password of) the demo accounts; returns each with what it may do."""
    result = []
    groups = {
        "moderator": MODERATORS_GROUP,
        "council secretary": COUNCIL_SECRETARIES_GROUP,
        "municipal contact (Kuopio)": MUNICIPAL_CONTACTS_GROUP,
    }
    for account in DEMO_ACCOUNTS:
        user, _created = User.objects.get_or_create(
            email=account.email, defaults={"first_name": account.first_name, "last_name": account.last_name}
        )
        user.set_password(DEMO_PASSWORD)
        user.is_staff = user.is_superuser = account.role == "staff superuser"
        user.save()
        # Logging in needs a verified address (allauth's mandatory verification); demo mail is fictional.
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        detail = account.role
        if account.role in groups:
            group, _ = Group.objects.get_or_create(name=groups[account.role])
            user.groups.add(group)
        if account.role.startswith("municipal contact"):
            contact = demo_municipal_contacts().filter(municipalities__code="297").first()
            if contact is not None:
                contact.user = user
                contact.save(update_fields=["user"])
        if account.role == "association editor":
            organisation = (
                demo_organisations().published().filter(home_municipality__code="297").order_by("pk").first()
                or demo_organisations().published().order_by("pk").first()
            )
            if organisation is not None:
                organisation.editorships.get_or_create(user=user)
                detail = f"{account.role}: {organisation.name} (/yhdistykset/{organisation.slug}/)"
        result.append((account, detail))
    return result


@transaction.atomic
def seed_demo(
    *,
    organisations: int,
    seed: int,
    reset: bool = False,
    with_accounts: bool = True,
    today: dt.date | None = None,
) -> SeedResult:
    """Load the demo: associations, municipal contacts and (optionally) demo accounts.

    Without ``reset`` an existing demo is left as it is (``created`` is False), so running the
    README's demo command again never duplicates anything.
    """
    if reset:
        demo_data_delete()
    result = SeedResult()
    if demo_organisations().exists():
        result.created = False
    else:
        result.organisation_ids = demo_organisations_create(total=organisations, seed=seed, today=today)
        demo_municipal_contacts_create(seed=seed)
    if with_accounts:
        result.accounts = demo_accounts_ensure()
        demo_import_ensure()
    return result


# A small sheet for the staff account's import history: two new associations and a rejected row.
DEMO_IMPORT_CSV = (
    "nimi;kotikunta;toimialat;sähköposti\n"
    "Kuopion Esimerkkikuoro ry;Kuopio;Kulttuuri;kuoro@esimerkki.example\n"
    "Mikkelin Kuvitteelliset Kävelijät ry;Mikkeli;Urheilu ja liikunta;kavely@esimerkki.example\n"
    "Kadonnut Kerho ry;Atlantis;;\n"
).encode()


def demo_import_ensure() -> None:
    """A finished dry run in the demo staff account's imports, so the report page has something to show."""
    from ..models import ImportJob
    from ..services.imports import import_batch_create, import_job_run

    staff = User.objects.filter(email=DEMO_ACCOUNTS[0].email).first()
    if staff is None or staff.import_batches.exists():
        return
    batch = import_batch_create(user=staff, file_name="esimerkki.csv", content=DEMO_IMPORT_CSV, language="fi")
    # Run here if no eager task already did (it runs only after a commit).
    for pk in batch.jobs.filter(status=ImportJob.Status.QUEUED).values_list("pk", flat=True):
        import_job_run(pk)
