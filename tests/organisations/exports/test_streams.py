import csv
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from organisations.exports import COLUMNS, neutralise, prepare, stream_csv
from organisations.models import ExportLog, Language, Municipality, Organisation, TargetGroup, Visibility
from organisations.permissions import visible_contact_fields
from organisations.search import refresh_search_index
from organisations.services.municipal import export_log_finish, export_log_start
from tests.organisations.factories import OrganisationFactory, municipal_contact_user, sector
from tests.roles import add_totp, login_with_totp, verified_user

pytestmark = pytest.mark.django_db

KEYS = [column.key for column in COLUMNS]
SECRET = "iisalmi-only"


def export_url(format: str, query: str = "") -> str:
    return reverse("organisations:export", args=[format]) + (f"?{query}" if query else "")


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[dict[str, str]]:
    text = body(response).decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return [dict(zip(KEYS, row, strict=True)) for row in rows[1:]]


def xlsx_rows(response) -> list[dict[str, str]]:
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    # Empty cells are not written, so a row may end early.
    return [{key: value or "" for key, value in itertools.zip_longest(KEYS, row[: len(KEYS)])} for row in rows[1:]]


@pytest.fixture
def kuopio_contact():
    return municipal_contact_user("297")


@pytest.fixture
def directory():
    """Associations in Kuopio, Siilinjärvi and Iisalmi, published and not, with sectors and groups."""
    kuopio, iisalmi, siilinjarvi = (Municipality.objects.get(code=code) for code in ("297", "140", "749"))
    culture, sport = sector("kulttuuri"), sector("urheilu-ja-liikunta")
    youth = TargetGroup.objects.get(slug="nuoret")
    swedish = Language.objects.get(code="sv")
    made = {
        "kuopio_culture": OrganisationFactory(name="Kuopion Kamarikuoro ry", sectors=[culture]),
        "kuopio_sport": OrganisationFactory(name="Kuopion Kävelijät ry", sectors=[sport]),
        "kuopio_both": OrganisationFactory(name="Kuopion Nuorisoseura ry", sectors=[culture, sport]),
        "kuopio_draft": OrganisationFactory(name="Kuopion Luonnos ry", status=Organisation.Status.DRAFT),
        "kuopio_archived": OrganisationFactory(name="Kuopion Arkisto ry", status=Organisation.Status.ARCHIVED),
        "iisalmi": OrganisationFactory(
            name=f"Iisalmen Seura ry {SECRET}",
            home_municipality=iisalmi,
            sectors=[culture],
            email=f"{SECRET}@example.org",
        ),
        "iisalmi_active_in_kuopio": OrganisationFactory(
            name=f"Iisalmen Kulkijat ry {SECRET}", home_municipality=iisalmi, email=f"kulkijat-{SECRET}@example.org"
        ),
        "siilinjarvi": OrganisationFactory(name="Siilinjärven Soittajat ry", home_municipality=siilinjarvi),
    }
    made["iisalmi_active_in_kuopio"].municipalities.set([kuopio, iisalmi])
    made["kuopio_both"].target_groups.set([youth])
    made["kuopio_both"].languages.set([swedish])
    made["kuopio_both"].municipalities.set([kuopio, siilinjarvi])
    # The directory's text search reads the search index.
    refresh_search_index([organisation.pk for organisation in made.values()])
    return made


def expected_names(predicate) -> set[str]:
    """The associations a Kuopio contact may see, computed without the FilterSet or the export code."""
    names = set()
    for organisation in Organisation.objects.all():
        if organisation.status != Organisation.Status.PUBLISHED or organisation.home_municipality.code != "297":
            continue
        if predicate(organisation):
            names.add(organisation.name)
    return names


def sector_slugs(organisation) -> set[str]:
    return {item.slug for item in organisation.sectors.all()}


@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        ("", lambda o: True),
        ("kunta=297", lambda o: True),
        ("toimiala=kulttuuri", lambda o: "kulttuuri" in sector_slugs(o)),
        (
            "toimiala=kulttuuri&toimiala=urheilu-ja-liikunta",
            lambda o: sector_slugs(o) & {"kulttuuri", "urheilu-ja-liikunta"},
        ),
        ("q=Kamarikuoro", lambda o: "kamarikuoro" in o.name.lower()),
        ("kohderyhma=nuoret", lambda o: o.target_groups.filter(slug="nuoret").exists()),
        ("kieli=sv", lambda o: o.languages.filter(code="sv").exists()),
        ("maakunta=pohjois-savo", lambda o: True),
        ("maakunta=etela-savo", lambda o: False),
        ("page=3&sep=semicolon", lambda o: True),
    ],
)
@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_exported_rows_equal_what_the_contact_may_see_under_the_filter(
    client, kuopio_contact, directory, query, predicate, format
):
    client.force_login(kuopio_contact)
    response = client.get(export_url(format, query))
    assert response.status_code == 200
    rows = csv_rows(response) if format == "csv" else xlsx_rows(response)
    names = [row["name"] for row in rows]
    assert len(names) == len(set(names)), "an association appears twice"
    assert set(names) == expected_names(predicate)


def test_email_export_lists_the_public_addresses_of_the_filtered_associations(client, kuopio_contact, directory):
    OrganisationFactory(name="Kuopion Postittajat ry", email="posti@example.org")
    OrganisationFactory(name="Kuopion Toinen ry", email="POSTI@example.org")  # the same address twice
    third = OrganisationFactory(name="Kuopion Kolmas ry", email="kolmas@example.org", sectors=[sector("kulttuuri")])
    refresh_search_index([third.pk])
    client.force_login(kuopio_contact)
    lines = body(client.get(export_url("emails"))).decode().split("\r\n")
    assert lines == ["kolmas@example.org", "posti@example.org", ""]
    joined = body(client.get(export_url("emails", "sep=semicolon"))).decode()
    assert joined == "kolmas@example.org; posti@example.org"
    only_culture = body(client.get(export_url("emails", "toimiala=kulttuuri"))).decode()
    assert only_culture == "kolmas@example.org\r\n"


SCOPE_ATTEMPTS = [
    ("kunta=140", 403),
    ("kunta=297&kunta=140", 403),
    ("kunta=140&kunta=297", 403),
    ("kunta=140&kunta=140", 403),
    ("kunta=%20140", 403),
    ("kunta=999", 403),
    ("kunta=140&maakunta=pohjois-savo", 403),
    ("", 200),
    ("maakunta=pohjois-savo", 200),
    ("maakunta=etela-savo", 200),
    ("kunta[]=140", 200),
    ("home_municipality=140", 200),
    ("kunta__code=140", 200),
    ("q=Iisalmen", 200),
    ("toimiala=kulttuuri", 200),
    ("kunta=297&q=iisalmi-only", 200),
]


@pytest.mark.parametrize(("query", "status"), SCOPE_ATTEMPTS)
@pytest.mark.parametrize("format", ["csv", "xlsx", "emails"])
def test_kuopio_contact_never_gets_iisalmi_associations(client, kuopio_contact, directory, query, status, format):
    client.force_login(kuopio_contact)
    response = client.get(export_url(format, query))
    assert response.status_code == status
    if status == 403:
        page = response.content.decode()
        # The refusal names the contact's own scope and none of the associations outside it.
        assert "Kuopio (297)" in page
        assert "Iisalmen" not in page
        assert SECRET not in page
        assert ExportLog.objects.count() == 0
        return
    if format == "xlsx":
        content = "\n".join(str(row) for row in xlsx_rows(response))
    else:
        content = body(response).decode("utf-8-sig")
    assert SECRET not in content
    assert "Siilinjärven Soittajat" not in content


def test_refusal_page_explains_which_municipalities_are_outside_the_scope(client, kuopio_contact):
    client.force_login(kuopio_contact)
    response = client.get(export_url("csv", "kunta=297&kunta=140"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "140" in page
    assert "Kuopio (297)" in page


def test_invalid_filter_is_a_clear_400_and_exports_nothing(client, kuopio_contact, directory):
    client.force_login(kuopio_contact)
    response = client.get(export_url("csv", "toimiala=ei-ole"))
    assert response.status_code == 400
    assert "ei-ole" in response.content.decode()
    assert ExportLog.objects.count() == 0


def test_unknown_format_is_404(client, kuopio_contact):
    client.force_login(kuopio_contact)
    assert client.get(export_url("pdf")).status_code == 404


@pytest.fixture
def contact_grid():
    """One Kuopio association per combination of visibilities and consent."""
    made = []
    levels = list(Visibility.values)
    for number, (name_level, email_level, phone_level, consent) in enumerate(
        itertools.product(levels, levels, levels, [True, False])
    ):
        made.append(
            OrganisationFactory(
                name=f"Grid {number:02d} ry",
                contact_name=f"Henkilö {number}",
                contact_email=f"henkilo{number}@example.org",
                contact_phone=f"+358 40 000 {number:04d}",
                contact_name_visibility=name_level,
                contact_email_visibility=email_level,
                contact_phone_visibility=phone_level,
                contact_consent_at=timezone.now() if consent else None,
            )
        )
    return made


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_contact_person_fields_follow_visible_contact_fields(client, kuopio_contact, contact_grid, format):
    client.force_login(kuopio_contact)
    response = client.get(export_url(format))
    rows = {row["name"]: row for row in (csv_rows(response) if format == "csv" else xlsx_rows(response))}
    assert len(rows) == len(contact_grid) == 54
    for organisation in contact_grid:
        visible = visible_contact_fields(kuopio_contact, organisation, as_municipal_contact=True)
        for field in ("contact_name", "contact_email", "contact_phone"):
            expected = getattr(organisation, field) if field in visible else ""
            assert rows[organisation.name][field] == expected, (organisation.name, field)


def test_staff_only_contact_fields_never_reach_a_municipal_contact(client, kuopio_contact):
    OrganisationFactory(
        name="Kuopion Salainen ry",
        contact_name="Salainen Henkilö",
        contact_email="salainen@example.org",
        contact_phone="+358 40 999 9999",
        contact_consent_at=timezone.now(),
    )
    client.force_login(kuopio_contact)
    for format in ("csv", "xlsx", "emails"):
        content = body(client.get(export_url(format)))
        if format == "xlsx":
            content = str(xlsx_rows(client.get(export_url(format)))).encode()
        assert b"salainen@example.org" not in content
        assert "Salainen Henkilö".encode() not in content


def test_csv_has_bom_header_and_semicolon_option(client, kuopio_contact):
    OrganisationFactory(name="Kuopion Ääniyhdistys ry", post_office="Kuopio")
    client.force_login(kuopio_contact)
    response = client.get(export_url("csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="yhdistykset-')
    assert response["Cache-Control"] == "no-store, private"
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf")
    header = content.decode("utf-8-sig").split("\n")[0]
    assert header.startswith("nimi,nimi ruotsiksi,yhdistysrekisterinumero,Y-tunnus,kotikunta,")
    semicolon = body(client.get(export_url("csv", "sep=semicolon"))).decode("utf-8-sig")
    assert semicolon.split("\n")[1].startswith("Kuopion Ääniyhdistys ry;")


def test_swedish_export_has_swedish_headings_and_names(client, kuopio_contact):
    OrganisationFactory(name="Kuopion Kuoro ry", sectors=[sector("kulttuuri")])
    client.force_login(kuopio_contact)
    # The request activates Swedish for the thread; leave Finnish behind for the tests that follow.
    with translation.override("fi"):
        text = body(client.get("/sv" + export_url("csv"))).decode("utf-8-sig")
    assert "Kultur" in text
    assert "Kuopio" in text


def test_formula_injection_is_neutralised_while_phone_numbers_stay_readable(client, kuopio_contact):
    OrganisationFactory(
        name='=HYPERLINK("http://evil.example","click")',
        name_sv="+SUM(1,2)",
        street_address="-2+3",
        post_office="@cmd",
        postal_code="\t7010",
        phone="+358 40 123 4567",
        contact_phone="=1+1",
        contact_phone_visibility=Visibility.MUNICIPAL,
        contact_consent_at=timezone.now(),
    )
    OrganisationFactory(name="\rCarriage ry", phone="+358 (0)17 123 456", email="-x@example.org")
    client.force_login(kuopio_contact)
    rows = {row["phone"]: row for row in csv_rows(client.get(export_url("csv")))}
    evil = rows["+358 40 123 4567"]
    assert evil["name"] == """'=HYPERLINK("http://evil.example","click")"""
    assert evil["name_sv"] == "'+SUM(1,2)"
    assert evil["street_address"] == "'-2+3"
    assert evil["post_office"] == "'@cmd"
    assert evil["postal_code"] == "'\t7010"
    assert evil["contact_phone"] == "'=1+1"
    carriage = rows["+358 (0)17 123 456"]
    assert carriage["name"] == "'\rCarriage ry"
    assert carriage["email"] == "'-x@example.org"

    workbook = load_workbook(io.BytesIO(body(client.get(export_url("xlsx")))))
    sheet = workbook.worksheets[0]
    by_phone = {row[KEYS.index("phone")].value: row for row in sheet.iter_rows(min_row=2)}
    evil_row = by_phone["+358 40 123 4567"]
    assert evil_row[KEYS.index("name")].value.startswith("'=HYPERLINK")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    phone_cell = evil_row[KEYS.index("phone")]
    assert phone_cell.data_type == "s"
    assert phone_cell.number_format == "@"
    assert evil_row[KEYS.index("contact_phone")].value == "'=1+1"


def test_xlsx_keeps_characters_xml_cannot_hold_out_and_escapes_the_rest(client, kuopio_contact):
    OrganisationFactory(name="A & B <Kuoro> ry\x0b", street_address="  Katu 1  ")
    client.force_login(kuopio_contact)
    rows = xlsx_rows(client.get(export_url("xlsx")))
    assert rows[0]["name"] == "A & B <Kuoro> ry"
    assert rows[0]["street_address"] == "  Katu 1  "


def test_a_cell_made_only_of_characters_xml_cannot_hold_is_left_empty_and_the_export_finishes(client, kuopio_contact):
    OrganisationFactory(name="Kontrolli ry", post_office="\x01", street_address="\x02\x0b")
    client.force_login(kuopio_contact)
    rows = xlsx_rows(client.get(export_url("xlsx")))
    assert rows[0]["name"] == "Kontrolli ry"
    assert rows[0]["post_office"] == ""
    assert rows[0]["street_address"] == ""
    log = ExportLog.objects.get()
    assert log.row_count == 1
    assert log.finished_at is not None


def test_every_export_is_logged_with_its_filters_and_row_count(client, kuopio_contact, directory):
    client.force_login(kuopio_contact)
    body(client.get(export_url("csv", "toimiala=kulttuuri&page=2&sep=semicolon")))
    body(client.get(export_url("xlsx")))
    body(client.get(export_url("emails", "q=kuopion")))
    logs = list(ExportLog.objects.order_by("created_at", "pk"))
    assert [log.format for log in logs] == ["csv", "xlsx", "emails"]
    assert [log.user for log in logs] == [kuopio_contact] * 3
    assert all(log.user_email == kuopio_contact.email for log in logs)
    assert logs[0].filters == {"toimiala": ["kulttuuri"]}
    assert logs[0].row_count == 2
    assert logs[1].filters == {}
    assert logs[1].row_count == 3
    assert logs[2].filters == {"q": ["kuopion"]}
    assert all(log.municipalities == ["297"] for log in logs)
    assert all(log.finished_at is not None for log in logs)


def test_an_unfinished_download_stays_visible_in_the_log(kuopio_contact, directory):
    log = export_log_start(user=kuopio_contact, format="csv", filters={}, municipalities=["297"])
    queryset = Organisation.objects.published().filter(home_municipality__code="297")
    stream = stream_csv(
        prepare(queryset, user=kuopio_contact),
        separator=",",
        on_row_count=lambda count: export_log_finish(log=log, row_count=count),
    )
    next(stream)  # the header only; the reader then goes away
    stream.close()
    log.refresh_from_db()
    assert log.row_count is None
    assert log.finished_at is None


def test_staff_see_the_export_log_read_only_in_the_admin(client, kuopio_contact, directory):
    client.force_login(kuopio_contact)
    body(client.get(export_url("csv")))
    staff = verified_user(is_staff=True, is_superuser=True)
    client.logout()
    login_with_totp(client, staff, add_totp(staff))
    changelist = client.get(reverse("admin:organisations_exportlog_changelist"))
    assert changelist.status_code == 200
    assert kuopio_contact.email in changelist.content.decode()
    log = ExportLog.objects.get()
    assert client.get(reverse("admin:organisations_exportlog_add")).status_code == 403
    assert (
        client.post(reverse("admin:organisations_exportlog_delete", args=[log.pk]), {"post": "yes"}).status_code == 403
    )
    change = client.post(reverse("admin:organisations_exportlog_change", args=[log.pk]), {"row_count": 0})
    assert change.status_code == 403
    log.refresh_from_db()
    assert log.row_count == 3


def _count_export_queries(client, format: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(export_url(format, "toimiala=kulttuuri&toimiala=urheilu-ja-liikunta"))
        body(response)
    return len(captured)


@pytest.mark.parametrize("format", ["csv", "xlsx", "emails"])
def test_export_query_count_does_not_grow_with_the_rows(client, kuopio_contact, format, django_assert_num_queries):
    client.force_login(kuopio_contact)
    culture = sector("kulttuuri")
    kuopio = Municipality.objects.get(code="297")
    for number in range(3):
        organisation = OrganisationFactory(name=f"Pieni {number} ry", sectors=[culture])
        organisation.municipalities.set([kuopio])
    refresh_search_index(Organisation.objects.values_list("pk", flat=True))
    _count_export_queries(client, format)  # warms the caches of reference data, if any
    few = _count_export_queries(client, format)
    for number in range(40):
        organisation = OrganisationFactory(name=f"Suuri {number} ry", sectors=[culture, sector("urheilu-ja-liikunta")])
        organisation.municipalities.set([kuopio])
        organisation.target_groups.set(TargetGroup.objects.all()[:2])
    refresh_search_index(Organisation.objects.values_list("pk", flat=True))
    _count_export_queries(client, format)  # the directory's facet cache is keyed by the data's version
    # Session, account, scope, the filter's choices, the log's insert (with savepoints in a test),
    # 4 reference tables, the rows, 4 relations for the one chunk, the log's update.
    with django_assert_num_queries(few):
        response = client.get(export_url(format, "toimiala=kulttuuri&toimiala=urheilu-ja-liikunta"))
        body(response)
    assert few <= 22


TRICKY = [
    "=1+1",
    "+358 40 123 4567",
    "+358 (0)17 123 456",
    "+358-40-1234567",
    "+SUM(A1)",
    "+358 40 =1",
    "-12",
    "@now",
    "\tx",
    "\rx",
    "'quoted",
    "plain",
    "",
    "+1234",
]


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_database_neutralising_matches_the_python_rule(client, kuopio_contact, format):
    for number, value in enumerate(TRICKY):
        OrganisationFactory(name=f"Rule {number:02d}", post_office=value, phone=value)
    client.force_login(kuopio_contact)
    response = client.get(export_url(format))
    rows = {row["name"]: row for row in (csv_rows(response) if format == "csv" else xlsx_rows(response))}
    for number, value in enumerate(TRICKY):
        row = rows[f"Rule {number:02d}"]
        assert row["post_office"] == neutralise(value), value
        assert row["phone"] == neutralise(value, phone=True), value


def test_a_search_that_falls_back_to_similar_names_exports_what_the_directory_shows(client, kuopio_contact):
    choir = OrganisationFactory(name="Kuopion Kamarikuoro ry")
    other = OrganisationFactory(name="Kuopion Kävelijät ry")
    refresh_search_index([choir.pk, other.pk])
    client.force_login(kuopio_contact)
    page = client.get(reverse("organisations:list") + "?q=Kmarikuoro").content.decode()
    assert "Kuopion Kamarikuoro ry" in page
    assert "Kuopion Kävelijät ry" not in page
    names = {row["name"] for row in csv_rows(client.get(export_url("csv", "q=Kmarikuoro")))}
    assert names == {"Kuopion Kamarikuoro ry"}


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_portable_rows_equal_the_postgresql_rows(kuopio_contact, directory, language):
    # The SQLite demo exports through the portable path; it must give exactly the SQL path's cells.
    from organisations.exports.streams import _python_row_chunks, row_chunks

    tricky = directory["kuopio_both"]
    tricky.phone = "+358 40 123 4567"
    tricky.email = "=cmd@example.org"
    tricky.information_confirmed_at = timezone.now()
    tricky.contact_name = "-Testi Henkilö"
    tricky.contact_name_visibility = Visibility.MUNICIPAL
    tricky.contact_phone = "+358 50 765 4321"
    tricky.contact_phone_visibility = Visibility.STAFF
    tricky.contact_consent_at = timezone.now()
    tricky.save()
    queryset = Organisation.objects.published().filter(home_municipality__code__in=["297", "749"])
    with translation.override(language):
        prepared = prepare(queryset, user=kuopio_contact)
    sql_rows = [row for chunk in row_chunks(prepared) for row in chunk]
    python_rows = [row for chunk in _python_row_chunks(prepared, chunk_size=2) for row in chunk]
    assert len(sql_rows) == 4
    assert python_rows == sql_rows
    both = next(row for row in python_rows if row[0] == tricky.name)
    assert both[COLUMNS.index(next(c for c in COLUMNS if c.key == "email"))] == "'=cmd@example.org"
    assert both[COLUMNS.index(next(c for c in COLUMNS if c.key == "contact_name"))] == "'-Testi Henkilö"
    assert both[COLUMNS.index(next(c for c in COLUMNS if c.key == "contact_phone"))] is None
