"""The directory's page order on phones: search, count, chosen filters as removable chips, then
results; the call to action for visitors; a municipal contact's export told before the click."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.organisations.directory_helpers import make_organisation
from tests.organisations.factories import UserFactory, municipal_contact_user

pytestmark = pytest.mark.django_db

URL = reverse("organisations:list")


@pytest.fixture
def directory():
    make_organisation("Kuopion Kuoroyhdistys ry", municipality="297", sectors=("kulttuuri",))
    make_organisation("Kuopion Hiihtoseura ry", municipality="297", sectors=("urheilu-ja-liikunta",))
    make_organisation("Kuopion Tanssiseura ry", municipality="297", sectors=("kulttuuri", "urheilu-ja-liikunta"))
    make_organisation("Iisalmen Teatteriyhdistys ry", municipality="140", sectors=("kulttuuri",))
    make_organisation("Mikkelin Kuoro ry", municipality="491", sectors=("kulttuuri",))


def chips(html: str) -> dict[str, str]:
    """Accessible name of each chip -> its link."""
    found = re.findall(
        r'<a class="chip" href="([^"]*)"><span class="visually-hidden">([^<]*)</span>([^<]*)<span',
        html,
    )
    return {unescape(hidden + label): unescape(href) for href, hidden, label in found}


def positions(html: str, *markers: str) -> list[int]:
    return [html.index(marker) for marker in markers]


def test_each_chip_removes_exactly_its_own_value(client, directory):
    html = client.get(URL, {"kunta": ["297", "140"], "toimiala": "kulttuuri", "page": "1"}).content.decode()
    assert chips(html) == {
        "Poista suodatin: Kuopio": f"{URL}?kunta=140&toimiala=kulttuuri",
        "Poista suodatin: Iisalmi": f"{URL}?kunta=297&toimiala=kulttuuri",
        "Poista suodatin: Kulttuuri": f"{URL}?kunta=297&kunta=140",
    }
    assert f'<a class="clear-filters" href="{URL}">Poista kaikki rajaukset</a>' in html
    # Following a chip really drops that one value.
    after = client.get(chips(html)["Poista suodatin: Iisalmi"]).content.decode()
    assert "Iisalmen Teatteriyhdistys ry" not in after
    assert "Kuopion Kuoroyhdistys ry" in after
    assert set(chips(after)) == {"Poista suodatin: Kuopio", "Poista suodatin: Kulttuuri"}


def test_search_words_are_a_chip_and_a_new_search_keeps_the_filters(client, directory):
    html = client.get(URL, {"q": "kuoro", "kunta": "297", "jarjestys": "nimi"}).content.decode()
    assert chips(html)["Poista suodatin: “kuoro”"] == f"{URL}?kunta=297&jarjestys=nimi"
    search = html.split('role="search"')[1].split("</form>")[0]
    assert '<input type="hidden" name="kunta" value="297">' in search
    assert '<input type="hidden" name="jarjestys" value="nimi">' in search
    assert 'name="q"' in search and 'name="q" value="kuoro"' not in search.split("hidden")[1]


def test_swedish_chips_name_the_options_in_swedish(client, directory):
    html = client.get("/sv" + URL, {"toimiala": "kulttuuri"}).content.decode()
    [name] = chips(html)
    assert name.startswith("Ta bort filtret: ")
    assert name != "Ta bort filtret: Kulttuuri"


def test_no_filters_no_chips_and_invalid_values_are_not_chips(client, directory):
    assert chips(client.get(URL).content.decode()) == {}
    html = client.get(URL, {"kunta": "999", "toimiala": "kulttuuri"}).content.decode()
    assert set(chips(html)) == {"Poista suodatin: Kulttuuri"}


def test_page_order_is_search_count_chips_filters_results(client, directory):
    html = client.get(URL, {"kunta": "297"}).content.decode()
    order = positions(
        html, 'role="search"', 'id="results-heading"', 'class="chip"', 'class="filter-panel"', 'class="result-list"'
    )
    assert order == sorted(order)
    # The filters are a collapsible panel, closed in the markup (site.js opens it on wide screens).
    assert '<details class="filter-panel" data-open-wide>' in html
    assert "(1 valittu)" in html


def test_call_to_action_only_for_visitors_who_are_not_signed_in(client, directory):
    register = reverse("organisations:register")
    assert f'<a class="button" href="{register}">Lisää yhdistyksesi</a>' in client.get(URL).content.decode()
    # The front page has a one-line version under its search box.
    home = client.get(reverse("home")).content.decode()
    assert f'<a class="button button-small" href="{register}">Lisää yhdistyksesi</a>' in home
    client.force_login(UserFactory())
    for page in (URL, reverse("home")):
        assert f'href="{register}">Lisää yhdistyksesi' not in client.get(page).content.decode()


def test_contact_sees_the_scoped_export_count_above_the_results(client, directory):
    client.force_login(municipal_contact_user("297"))
    html = client.get(URL, {"toimiala": "kulttuuri"}).content.decode()
    # The page counts the whole directory; the export holds only Kuopio's share.
    assert '<h2 id="results-heading">4 yhdistystä</h2>' in html
    assert '<h2 id="export-heading">Vie 2 yhdistystä (Kuopio)</h2>' in html
    assert html.index('id="export-heading"') < html.index('class="result-list"')
    # A filter on the contact's own municipality and another's: the export would be refused, and says so.
    html = client.get(URL, {"kunta": ["297", "140"]}).content.decode()
    assert "Suodattimissa on kuntia, jotka eivät ole sinun kuntiasi (Iisalmi)" in html
    assert reverse("organisations:export", args=["xlsx"]) not in html


def test_export_count_follows_region_and_municipality_filters(client, directory):
    client.force_login(municipal_contact_user("297", "491"))
    html = client.get(URL, {"toimiala": "kulttuuri"}).content.decode()
    assert '<h2 id="export-heading">Vie 3 yhdistystä (Kuopio, Mikkeli)</h2>' in html
    html = client.get(URL, {"toimiala": "kulttuuri", "kunta": "491"}).content.decode()
    assert '<h2 id="export-heading">Vie 1 yhdistys (Mikkeli)</h2>' in html
    html = client.get(URL, {"maakunta": "pohjois-savo"}).content.decode()
    assert '<h2 id="export-heading">Vie 3 yhdistystä (Kuopio)</h2>' in html


def test_export_count_costs_one_query_only_for_contacts(client, directory):
    params = {"toimiala": "kulttuuri"}
    client.get(URL, params)  # the facet counts and reference data are cached from here on
    client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as signed_in:
        client.get(URL, params)
    client.force_login(municipal_contact_user("297"))
    with CaptureQueriesContext(connection) as contact:
        html = client.get(URL, params).content.decode()
    assert 'id="export-heading"' in html
    # The same page for a contact: the scope, read once for the header link and the export links.
    assert len(contact.captured_queries) == len(signed_in.captured_queries)
    assert "/oma/kunta/" in html.split("</header>")[0]


@pytest.mark.parametrize("params", [{"toimiala": "kulttuuri"}, {"q": "kuoro"}, {"q": "Kuoroyhdistus"}, {}])
def test_the_count_told_is_the_number_of_rows_exported(client, directory, params):
    from organisations.models import ExportLog

    client.force_login(municipal_contact_user("297", "491"))
    html = client.get(URL, params).content.decode()
    told = int(re.search(r'<h2 id="export-heading">Vie (\d+) yhdisty', html).group(1))
    response = client.get(reverse("organisations:export", args=["csv"]), params)
    b"".join(response.streaming_content)
    assert ExportLog.objects.get().row_count == told


def test_no_export_links_for_filters_the_export_would_refuse(client, directory):
    client.force_login(municipal_contact_user("297"))
    response = client.get(URL, {"kunta": "999"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Osa rajauksista ei kelpaa: korjaa ne, niin voit viedä listan." in html
    assert reverse("organisations:export", args=["csv"]) not in html
