import io
import os

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from organisations.models import ImportBatch, Municipality, Organisation
from tests.organisations.factories import OrganisationFactory, municipal_contact_user, sector
from tests.organisations.imports_helpers import apply, dry_run, run_import_jobs

pytestmark = pytest.mark.django_db

HEADER = "nimi;kotikunta;yhdistysrekisterinumero;Y-tunnus;toimialat;kohderyhmät;sähköposti;puhelin;postinumero"
GOOD_CSV = "\n".join(
    [
        HEADER,
        "Kuopion Lintuharrastajat ry;Kuopio;201.234;;Vapaa-aika ja harrastukset;;"
        "linnut@example.org;+358 40 111 2222;70100",
        "Iisalmen Shakkikerho ry;140;;0737546-2;Kulttuuri, Urheilu ja liikunta;Nuoret;shakki@example.org;;74100",
        "Siilinjärven Kuoro ry;Siilinjärvi;;;;;kuoro@example.org;;",
        "Tuntematon ry;Atlantis;;;;;;;",
        "Väärä Y-tunnus ry;Kuopio;;1234567-0;;;;;",
        "Kuopion Lintuharrastajat ry;Kuopio;201.234;;;;;;",
    ]
).encode()


# The role fixtures bring two draft associations of their own; imported ones are published.


@pytest.fixture
def staff(role_user):
    return role_user("staff")


@pytest.fixture
def staff_client(client, login_as):
    """Staff pages need the two-factor step: a real login with a TOTP code."""
    login_as(client, "staff")
    return client


def upload(client, content: bytes, name: str = "lista.csv"):
    file = io.BytesIO(content)
    file.name = name
    response = client.post(reverse("organisations:import"), {"file": file})
    run_import_jobs()
    return response


def test_dry_run_reports_each_row_and_writes_nothing(staff_client):
    client = staff_client
    response = upload(client, GOOD_CSV)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:import_batch", args=[batch.pk])
    assert Organisation.objects.published().count() == 0
    assert batch.status == ImportBatch.Status.CHECKED
    actions = [(row["line"], row["action"]) for row in batch.report["rows"]]
    assert actions == [(2, "create"), (3, "create"), (4, "create"), (5, "reject"), (6, "reject"), (7, "unchanged")]
    assert batch.report["summary"] == {"create": 3, "update": 0, "unchanged": 1, "reject": 2}
    reasons = {row["line"]: " ".join(row["messages"]) for row in batch.report["rows"]}
    assert "Atlantis" in reasons[5]
    assert "Y-tunnus" in reasons[6]
    page = client.get(response["Location"]).content.decode()
    assert "Atlantis" in page
    assert "Vahvista ja tuo" in page


def test_confirmed_run_writes_in_one_go_and_refreshes_the_search_index(staff_client):
    client = staff_client
    upload(client, GOOD_CSV)
    batch = ImportBatch.objects.get()
    response = client.post(reverse("organisations:import_batch", args=[batch.pk]))
    assert response.status_code == 302
    run_import_jobs()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert bytes(batch.content) == b""
    birds = Organisation.objects.get(register_number="201234")
    assert birds.home_municipality.code == "297"
    assert birds.status == Organisation.Status.PUBLISHED
    assert birds.phone == "+358401112222"
    assert [item.slug for item in birds.sectors.all()] == ["vapaa-aika"]
    chess = Organisation.objects.get(business_id="0737546-2")
    assert {item.slug for item in chess.sectors.all()} == {"kulttuuri", "urheilu-ja-liikunta"}
    assert [item.slug for item in chess.target_groups.all()] == ["nuoret"]
    assert chess.postal_code == "74100"
    assert "Shakkikerho" in chess.search_document
    assert Organisation.objects.published().count() == 3
    # Confirming twice is refused and changes nothing.
    client.post(reverse("organisations:import_batch", args=[batch.pk]))
    run_import_jobs()
    assert Organisation.objects.published().count() == 3


def test_reimporting_the_same_file_creates_no_duplicates(staff):
    first = dry_run(user=staff, file_name="lista.csv", content=GOOD_CSV)
    apply(first)
    before = set(Organisation.objects.values_list("pk", "updated_at"))
    second = dry_run(user=staff, file_name="lista.csv", content=GOOD_CSV)
    assert second.report["summary"] == {"create": 0, "update": 0, "unchanged": 4, "reject": 2}
    apply(second)
    assert set(Organisation.objects.values_list("pk", "updated_at")) == before


def test_rows_match_by_register_number_then_business_id_then_name_and_municipality(staff):
    kuopio = Municipality.objects.get(code="297")
    by_register = OrganisationFactory(name="Vanha Nimi ry", register_number="201234")
    by_business = OrganisationFactory(name="Toinen Vanha ry", business_id="0737546-2")
    by_name = OrganisationFactory(name="Kuopion Kuoro ry", home_municipality=kuopio)
    content = "\n".join(
        [
            "nimi,kotikunta,rekisterinumero,y-tunnus,sähköposti",
            "Uusi Nimi ry,Kuopio,201.234,,uusi@example.org",
            "Toinen Uusi ry,Kuopio,,0737546-2,",
            "kuopion kuoro ry,297,,,kuoro@example.org",
        ]
    ).encode()
    batch = apply(dry_run(user=staff, file_name="a.csv", content=content))
    assert [row["action"] for row in batch.report["rows"]] == ["update", "update", "update"]
    by_register.refresh_from_db()
    by_business.refresh_from_db()
    by_name.refresh_from_db()
    assert (by_register.name, by_register.email) == ("Uusi Nimi ry", "uusi@example.org")
    assert by_business.name == "Toinen Uusi ry"
    assert by_name.email == "kuoro@example.org"
    assert Organisation.objects.published().count() == 3


def test_a_name_match_with_a_different_register_number_is_rejected(staff):
    OrganisationFactory(name="Kuopion Kuoro ry", register_number="111")
    content = b"nimi;kotikunta;rekisterinumero\nKuopion Kuoro ry;Kuopio;222\n"
    batch = dry_run(user=staff, file_name="a.csv", content=content)
    row = batch.report["rows"][0]
    assert row["action"] == "reject"
    assert "111" in row["messages"][0]


def test_blank_cells_never_erase(staff):
    organisation = OrganisationFactory(name="Kuopion Kuoro ry", email="vanha@example.org", phone="+35817123456")
    organisation.sectors.set([sector("kulttuuri")])
    content = b"nimi;kotikunta;sahkoposti;puhelin;toimialat\nKuopion Kuoro ry;Kuopio;;;Urheilu ja liikunta\n"
    batch = apply(dry_run(user=staff, file_name="a.csv", content=content))
    assert batch.report["rows"][0]["action"] == "update"
    organisation.refresh_from_db()
    assert organisation.email == "vanha@example.org"
    assert organisation.phone == "+35817123456"
    assert {item.slug for item in organisation.sectors.all()} == {"kulttuuri", "urheilu-ja-liikunta"}


def test_xlsx_import_with_numeric_cells(staff):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Nimi", "Kotikunta", "Postinumero", "Rekisterinumero"])
    sheet.append(["Helsingin Testi ry", 297, 100, 201234])
    stream = io.BytesIO()
    workbook.save(stream)
    batch = apply(dry_run(user=staff, file_name="a.xlsx", content=stream.getvalue()))
    assert batch.status == ImportBatch.Status.APPLIED
    organisation = Organisation.objects.published().get()
    assert organisation.postal_code == "00100"
    assert organisation.register_number == "201234"
    assert organisation.home_municipality.code == "297"


def test_an_export_imports_back_unchanged(client, staff):
    OrganisationFactory(name="Kuopion Kuoro ry", register_number="201234", email="kuoro@example.org")
    contact = municipal_contact_user("297")
    client.force_login(contact)
    exported = b"".join(client.get(reverse("organisations:export", args=["csv"]) + "?sep=semicolon").streaming_content)
    batch = dry_run(user=staff, file_name="vienti.csv", content=exported)
    assert batch.report["summary"] == {"create": 0, "update": 0, "unchanged": 1, "reject": 0}


MALFORMED = [
    ("latin-1.csv", "nimi;kotikunta\nKöyhät ry;Kuopio\n".encode("latin-1"), "UTF-8"),
    ("utf-16.csv", "nimi;kotikunta\nKöyhät ry;Kuopio\n".encode("utf-16"), "UTF-8"),
    ("missing.csv", b"name;email\nA ry;a@example.org\n", "kotikunta"),
    ("garbage.csv", os.urandom(4000), "UTF-8"),
]
# Refused by the upload's cheap checks (nothing but blank lines, or a zip directory that cannot be
# read): the form says why, no file is kept and no job is queued.
REFUSED_AT_UPLOAD = [
    ("empty.csv", b"\n\n", "tyhj"),
    ("fake.xlsx", b"this is not a zip file at all", "XLSX"),
    ("broken.xlsx", b"PK\x03\x04" + os.urandom(2000), "XLSX"),
]


@pytest.mark.parametrize(("name", "content", "expected"), REFUSED_AT_UPLOAD, ids=[c[0] for c in REFUSED_AT_UPLOAD])
def test_unreadable_files_are_refused_at_the_upload(staff_client, name, content, expected):
    response = upload(staff_client, content, name)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(("name", "content", "expected"), MALFORMED, ids=[case[0] for case in MALFORMED])
def test_malformed_files_give_a_clear_report_and_write_nothing(staff_client, staff, name, content, expected):
    client = staff_client
    response = upload(client, content, name)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    assert expected.lower() in batch.report["error"].lower()
    page = client.get(response["Location"]).content.decode()
    assert batch.report["error"] in page.replace("&quot;", '"').replace("&#x27;", "'")
    assert "Vahvista ja tuo" not in page
    assert Organisation.objects.published().count() == 0
    with pytest.raises(ValueError, match="checked"):
        apply(batch)


def test_ten_megabytes_of_garbage_are_refused_with_a_clear_message(staff_client, staff):
    client = staff_client
    response = upload(client, os.urandom(10 * 1024 * 1024), "iso.csv")
    assert response.status_code == 200
    assert "liian suuri" in response.content.decode()
    assert ImportBatch.objects.count() == 0
    assert Organisation.objects.published().count() == 0
    # The service refuses it too, whatever the caller.
    batch = dry_run(user=staff, file_name="iso.csv", content=b"x" * (10 * 1024 * 1024))
    assert batch.status == ImportBatch.Status.FAILED
    assert Organisation.objects.published().count() == 0


def test_an_imported_row_named_like_a_reserved_address_gets_another_slug(staff):
    content = b"nimi;kotikunta\nUusi;Kuopio\nVienti;Kuopio\n"
    batch = dry_run(user=staff, file_name="lista.csv", content=content)
    apply(batch)
    slugs = set(Organisation.objects.filter(name__in=["Uusi", "Vienti"]).values_list("slug", flat=True))
    assert slugs == {"uusi-2", "vienti-2"}


def test_a_row_with_control_characters_is_rejected_with_a_clear_reason(staff):
    content = (
        "nimi;kotikunta;postitoimipaikka;kuvaus\n"
        "Kontrolli ry;Kuopio;\x01;\n"
        "Rivinvaihto ry;Kuopio;Kuopio;Ensimmäinen rivi\nToinen rivi\n"
    )
    content = content.replace("rivi\nToinen rivi", 'rivi"').replace(";Ensimmäinen", ';"Ensimmäinen rivi\nToinen')
    with translation.override("en"):
        batch = apply(dry_run(user=staff, file_name="a.csv", content=content.encode()))
    rejected, accepted = batch.report["rows"]
    assert rejected["action"] == "reject"
    assert rejected["messages"] == ["post office: contains invisible control characters; remove them."]
    assert accepted["action"] == "create"
    assert not Organisation.objects.filter(name="Kontrolli ry").exists()
    assert Organisation.objects.get(name="Rivinvaihto ry").description == "Ensimmäinen rivi\nToinen rivi"
