import datetime as dt
import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from stdnum.fi import ytunnus

from accounts.models import User
from organisations.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_organisations, genitive, seed_demo
from organisations.models import ImportBatch, MunicipalContact, Organisation
from organisations.reference_data import read
from organisations.search import search_organisations

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 15)
# People named in the project's source material (the seeds); demo data must never contain them.
ETELA_SAVO_CODES = {"046", "097", "178", "213", "491", "507", "593", "623", "681", "740", "768"}
REAL_PEOPLE = (
    "Mika Saastamoinen",
    "Anne Aholainen",
    "Minna Laurio",
    "Tarja Himanen",
    "Mika Huovinen",
    "Sari Kuusijärvi",
    "Jonna Juhola",
    "Virpi Rosman",
    "Lea Mäkinen",
    "Eeva-Liisa Isosaari",
    "Seija Hytönen",
    "Jaana Uotinen",
    "Susanna Issakainen",
    "Harri Tillman",
)


def snapshot() -> list[tuple[str, str, str]]:
    return list(Organisation.objects.order_by("slug").values_list("name", "slug", "home_municipality__code"))


def test_same_seed_gives_the_same_associations():
    seed_demo(organisations=300, seed=7, with_accounts=False, today=TODAY)
    first = snapshot()
    seed_demo(organisations=300, seed=7, reset=True, with_accounts=False, today=TODAY)
    assert snapshot() == first
    assert len(first) == 300


def test_different_seeds_give_different_associations():
    seed_demo(organisations=300, seed=7, with_accounts=False, today=TODAY)
    first = snapshot()
    seed_demo(organisations=300, seed=8, reset=True, with_accounts=False, today=TODAY)
    assert snapshot() != first


def test_counts_follow_the_seeds_proportions(settings):
    settings.PORTAL_REGIONS = ["11", "10"]
    seed_demo(organisations=4000, seed=1, with_accounts=False, today=TODAY)
    by_municipality = Counter(Organisation.objects.values_list("home_municipality__code", flat=True))
    by_region = Counter(Organisation.objects.values_list("home_municipality__region__code", flat=True))
    assert sum(by_municipality.values()) == 4000
    # 5,000 in Pohjois-Savo for every 3,000 in Etelä-Savo.
    assert by_region["11"] == pytest.approx(2500, abs=3)
    assert by_region["10"] == pytest.approx(1500, abs=3)
    assert by_municipality["297"] / by_region["11"] == pytest.approx(0.40, abs=0.01)
    assert by_municipality["140"] == by_municipality["915"] == pytest.approx(200, abs=2)
    assert by_municipality["844"] == pytest.approx(30, abs=2)
    # Mikkeli and Savonlinna are the largest in Etelä-Savo.
    etela_savo = Counter({code: n for code, n in by_municipality.items() if code in ETELA_SAVO_CODES})
    assert [code for code, _ in etela_savo.most_common(2)] == ["491", "740"]


def test_only_pohjois_savo_when_only_it_is_served(settings):
    settings.PORTAL_REGIONS = ["11"]
    seed_demo(organisations=500, seed=1, with_accounts=False, today=TODAY)
    assert set(Organisation.objects.values_list("home_municipality__region__code", flat=True)) == {"11"}
    assert Organisation.objects.filter(home_municipality__code="297").count() == 200


def test_sector_shares_follow_the_reference_data():
    seed_demo(organisations=3000, seed=3, with_accounts=False, today=TODAY)
    counts = Counter(Organisation.sectors.through.objects.values_list("sector__slug", flat=True))
    for row in read("sectors"):
        assert counts[row["slug"]] / 3000 == pytest.approx(row["share"], abs=0.02), row["slug"]
    assert counts["kulttuuri"] > counts["urheilu-ja-liikunta"] > counts["sosiaali-ja-terveys"]


def test_names_are_finnish_association_names_with_unique_slugs():
    seed_demo(organisations=1000, seed=2, with_accounts=False, today=TODAY)
    names = list(Organisation.objects.values_list("name", flat=True))
    assert all(name.endswith(" ry") for name in names)
    assert any(name.startswith("Kuopion ") for name in names)
    assert any("Kyläyhdistys" in name for name in names)
    slugs = list(Organisation.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == len(slugs)
    assert len(set(names)) > 0.8 * len(names)


def test_municipality_genitives():
    assert genitive("Kuopio") == "Kuopion"
    assert genitive("Leppävirta") == "Leppävirran"
    assert genitive("Varkaus") == "Varkauden"
    assert genitive("Rautalampi") == "Rautalammin"
    assert genitive("Pieksämäki") == "Pieksämäen"
    assert genitive("Heinävesi") == "Heinäveden"
    assert genitive("Outokumpu") == "Outokumpun"


def test_identifiers_are_valid_and_contents_varied():
    seed_demo(organisations=1500, seed=4, with_accounts=False, today=TODAY)
    organisations = list(Organisation.objects.all())
    business_ids = [o.business_id for o in organisations if o.business_id]
    assert len(business_ids) > 100
    assert all(ytunnus.is_valid(business_id) for business_id in business_ids)
    assert all(re.fullmatch(r"\d{1,7}", o.register_number) for o in organisations if o.register_number)
    for organisation in organisations[:200]:
        organisation.full_clean()
    statuses = Counter(o.status for o in organisations)
    assert statuses[Organisation.Status.PUBLISHED] > 0.8 * len(organisations)
    assert {Organisation.Status.DRAFT, Organisation.Status.PENDING, Organisation.Status.ARCHIVED} <= set(statuses)
    confirmed = [o.information_confirmed_at.date() for o in organisations if o.information_confirmed_at]
    assert min(confirmed) < TODAY - dt.timedelta(days=2 * 365)
    assert max(confirmed) > TODAY - dt.timedelta(days=90)
    assert all(o.website.endswith(".example/") for o in organisations if o.website)
    assert all(o.contact_email.endswith(".example") for o in organisations)
    assert Organisation.objects.filter(languages__code="sv").exists()
    assert Organisation.objects.filter(languages__code="fi").count() == len(organisations)
    assert Organisation.municipalities.through.objects.exists()
    # Personal data is public only with consent.
    assert not Organisation.objects.filter(contact_consent_at__isnull=True, contact_name_visibility="public").exists()
    assert Organisation.objects.filter(contact_consent_at__isnull=False, contact_name_visibility="public").exists()


def test_no_real_person_from_the_seeds_appears():
    seed_demo(organisations=3000, seed=5, today=TODAY)
    people = set(Organisation.objects.values_list("contact_name", flat=True))
    people |= set(MunicipalContact.objects.values_list("name", flat=True))
    people |= {user.get_full_name() for user in User.objects.all()}
    surnames = {name.split()[-1].lower() for name in REAL_PEOPLE}
    assert not {name.lower() for name in people} & {name.lower() for name in REAL_PEOPLE}
    assert not {name.split()[-1].lower() for name in people if name} & surnames


def test_rerun_does_not_duplicate_and_reset_recreates():
    out = StringIO()
    call_command("seed_demo", organisations=200, seed=1, with_accounts=True, stdout=out)
    assert Organisation.objects.count() == 200
    call_command("seed_demo", organisations=200, seed=1, with_accounts=True, stdout=out)
    assert Organisation.objects.count() == 200
    assert "already exists" in out.getvalue()
    assert User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).count() == len(DEMO_ACCOUNTS)
    call_command("seed_demo", organisations=150, seed=1, reset=True, with_accounts=True, stdout=out)
    assert Organisation.objects.count() == 150
    assert MunicipalContact.objects.filter(municipalities__code="297").count() == 1


def test_reset_keeps_associations_that_are_not_demo_data():
    from tests.organisations.factories import OrganisationFactory

    real = OrganisationFactory(name="Oikea Yhdistys ry", contact_email="sihteeri@oikea.fi")
    seed_demo(organisations=100, seed=1, with_accounts=False, today=TODAY)
    seed_demo(organisations=100, seed=1, reset=True, with_accounts=False, today=TODAY)
    assert Organisation.objects.filter(pk=real.pk).exists()
    assert demo_organisations().count() == 100


def test_search_index_is_filled():
    seed_demo(organisations=200, seed=1, with_accounts=False, today=TODAY)
    assert not Organisation.objects.filter(search_document="").exists()
    assert not Organisation.objects.filter(search_entry__isnull=True).exists()
    organisation = Organisation.objects.order_by("pk").first()
    assert organisation.name in organisation.search_document
    word = organisation.name.split()[-2]  # the part after the place, e.g. "Kyläyhdistys"
    found = search_organisations(Organisation.objects.all(), word, ranked=False)
    assert found.filter(pk=organisation.pk).exists()


def test_demo_accounts_can_log_in_with_their_roles(client):
    call_command("seed_demo", organisations=200, seed=1, with_accounts=True, stdout=StringIO())
    emails = {account.role: account.email for account in DEMO_ACCOUNTS}
    admin = User.objects.get(email=emails["staff superuser"])
    assert admin.is_superuser and admin.is_staff
    assert User.objects.get(email=emails["moderator"]).has_perm("organisations.moderate_organisation")
    assert Group.objects.get(name="Council secretaries").user_set.filter(email=emails["council secretary"]).exists()
    municipal = User.objects.get(email=emails["municipal contact (Kuopio)"])
    assert list(municipal.municipal_contacts.values_list("municipalities__code", flat=True)) == ["297"]
    editor = User.objects.get(email=emails["association editor"])
    assert Organisation.objects.edited_by(editor).published().count() == 1
    response = client.post(reverse("account_login"), {"login": editor.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_no_demo_accounts_without_debug_unless_asked(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("seed_demo", organisations=50, seed=1, stdout=out)
    assert not User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).exists()
    assert "--with-accounts" in out.getvalue()
    call_command("seed_demo", organisations=50, seed=1, with_accounts=True, stdout=out)
    assert User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).count() == len(DEMO_ACCOUNTS)
    assert DEMO_PASSWORD in out.getvalue()


def test_demo_accounts_on_debug_machines(settings):
    settings.DEBUG = True
    call_command("seed_demo", organisations=50, seed=1, stdout=StringIO())
    assert User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).count() == len(DEMO_ACCOUNTS)


def test_the_demo_staff_account_has_a_checked_import_to_look_at():
    seed_demo(organisations=50, seed=1, today=TODAY)
    staff = User.objects.get(email=DEMO_ACCOUNTS[0].email)
    batch = staff.import_batches.get()
    assert batch.status == ImportBatch.Status.CHECKED
    assert batch.report["summary"] == {"create": 2, "update": 0, "unchanged": 0, "reject": 1}
    seed_demo(organisations=50, seed=1, today=TODAY)
    assert staff.import_batches.count() == 1
