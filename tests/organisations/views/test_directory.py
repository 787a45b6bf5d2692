"""The public directory: filters, facet counts, sorting, pagination and bad input."""

import re
from html import unescape

import pytest
from django.urls import reverse

from organisations.models import Organisation
from organisations.search.tracked import tracked_search_keys
from organisations.selectors.reference import directory_reference
from tests.organisations.directory_helpers import make_organisation

pytestmark = pytest.mark.django_db

URL = reverse("organisations:list")


def result_names(response) -> list[str]:
    html = response.content.decode()
    return [unescape(name) for name in re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)]


def facet_count(response, facet: str, value: str) -> int:
    html = response.content.decode()
    match = re.search(
        rf'id="{facet}-{re.escape(value)}"(?: checked)?> <label for="{facet}-{re.escape(value)}">[^<]*'
        r'<span class="count">\((\d+)\)</span>',
        html,
    )
    assert match, f"no option {facet}={value}"
    return int(match.group(1))


@pytest.fixture
def directory():
    """A small directory across two regions, sectors, target groups and languages."""
    return {
        "kuopio_culture": make_organisation(
            "Kuopion Kuoroyhdistys ry", municipality="297", sectors=("kulttuuri",), languages=("fi",)
        ),
        "kuopio_sport": make_organisation(
            "Kuopion Hiihtoseura ry",
            municipality="297",
            sectors=("urheilu-ja-liikunta",),
            target_groups=("nuoret",),
            languages=("fi", "sv"),
        ),
        "kuopio_both": make_organisation(
            "Kuopion Tanssiseura ry",
            municipality="297",
            sectors=("kulttuuri", "urheilu-ja-liikunta"),
            target_groups=("nuoret", "ikaihmiset"),
        ),
        "iisalmi_culture": make_organisation(
            "Iisalmen Teatteriyhdistys ry", municipality="140", sectors=("kulttuuri",), languages=("fi",)
        ),
        "mikkeli_social": make_organisation(
            "Mikkelin Omaishoitajat ry",
            municipality="491",
            sectors=("sosiaali-ja-terveys",),
            target_groups=("omaishoitajat",),
            languages=("sv",),
        ),
        "draft": make_organisation(
            "Kuopion Luonnosyhdistys ry", municipality="297", sectors=("kulttuuri",), status=Organisation.Status.DRAFT
        ),
    }


def test_unfiltered_directory_lists_published_associations_of_served_regions(client, directory):
    make_organisation("Helsingin Kuoro ry", municipality="091", sectors=("kulttuuri",))
    response = client.get(URL)
    assert response.status_code == 200
    names = result_names(response)
    assert set(names) == {
        "Kuopion Kuoroyhdistys ry",
        "Kuopion Hiihtoseura ry",
        "Kuopion Tanssiseura ry",
        "Iisalmen Teatteriyhdistys ry",
        "Mikkelin Omaishoitajat ry",
    }
    assert "5 yhdistystä" in response.content.decode()


def test_filter_by_one_municipality(client, directory):
    names = result_names(client.get(URL, {"kunta": "140"}))
    assert names == ["Iisalmen Teatteriyhdistys ry"]


def test_repeated_municipality_parameter_means_any_of_them(client, directory):
    names = result_names(client.get(f"{URL}?kunta=140&kunta=491"))
    assert set(names) == {"Iisalmen Teatteriyhdistys ry", "Mikkelin Omaishoitajat ry"}


def test_filter_by_region(client, directory):
    assert result_names(client.get(URL, {"maakunta": "etela-savo"})) == ["Mikkelin Omaishoitajat ry"]
    assert "Mikkelin Omaishoitajat ry" not in result_names(client.get(URL, {"maakunta": "pohjois-savo"}))


def test_repeated_sector_parameter_lists_each_association_once(client, directory):
    names = result_names(client.get(f"{URL}?toimiala=kulttuuri&toimiala=urheilu-ja-liikunta"))
    assert sorted(names) == sorted(
        ["Kuopion Kuoroyhdistys ry", "Kuopion Hiihtoseura ry", "Kuopion Tanssiseura ry", "Iisalmen Teatteriyhdistys ry"]
    )


def test_municipality_and_sector_combine(client, directory):
    names = result_names(client.get(URL, {"kunta": "297", "toimiala": "kulttuuri"}))
    assert sorted(names) == ["Kuopion Kuoroyhdistys ry", "Kuopion Tanssiseura ry"]


def test_filter_by_target_group_and_language(client, directory):
    assert sorted(result_names(client.get(URL, {"kohderyhma": "nuoret"}))) == [
        "Kuopion Hiihtoseura ry",
        "Kuopion Tanssiseura ry",
    ]
    assert sorted(result_names(client.get(f"{URL}?kieli=sv"))) == [
        "Kuopion Hiihtoseura ry",
        "Mikkelin Omaishoitajat ry",
    ]
    assert result_names(client.get(f"{URL}?kieli=sv&kohderyhma=nuoret")) == ["Kuopion Hiihtoseura ry"]


def test_all_filters_together_with_search(client, directory):
    response = client.get(
        URL,
        {"q": "hiihto", "kunta": "297", "maakunta": "pohjois-savo", "toimiala": "urheilu-ja-liikunta", "kieli": "fi"},
    )
    assert result_names(response) == ["Kuopion Hiihtoseura ry"]


def test_facet_counts_follow_the_other_filters_but_not_their_own(client, directory):
    response = client.get(URL, {"kunta": "297", "toimiala": "kulttuuri"})
    # Sector counts are within Kuopio, ignoring the sector choice itself.
    assert facet_count(response, "toimiala", "kulttuuri") == 2
    assert facet_count(response, "toimiala", "urheilu-ja-liikunta") == 2
    assert facet_count(response, "toimiala", "sosiaali-ja-terveys") == 0
    # Municipality counts are within culture, ignoring the municipality choice.
    assert facet_count(response, "kunta", "297") == 2
    assert facet_count(response, "kunta", "140") == 1
    assert facet_count(response, "kunta", "491") == 0
    assert facet_count(response, "maakunta", "pohjois-savo") == 3
    assert facet_count(response, "kohderyhma", "nuoret") == 1
    assert facet_count(response, "kieli", "fi") == 1


def test_unfiltered_facet_counts(client, directory):
    response = client.get(URL)
    assert facet_count(response, "kunta", "297") == 3
    assert facet_count(response, "maakunta", "etela-savo") == 1
    assert facet_count(response, "toimiala", "kulttuuri") == 3
    assert facet_count(response, "kohderyhma", "nuoret") == 2
    assert facet_count(response, "kieli", "sv") == 2


def test_municipality_options_are_only_the_served_regions(client, directory, settings):
    html = client.get(URL).content.decode()
    assert 'id="kunta-297"' in html
    assert 'id="kunta-091"' not in html  # Helsinki is not served
    assert html.count('name="kunta"') == 30
    # Choosing a region narrows the municipality options to it.
    html = client.get(URL, {"maakunta": "etela-savo"}).content.decode()
    assert 'id="kunta-491"' in html
    assert 'id="kunta-297"' not in html


def test_filter_form_works_without_javascript(client, directory):
    html = client.get(URL, {"kunta": "297"}).content.decode()
    assert '<form method="get" action="/yhdistykset/"' in html
    assert html.count("<fieldset>") == 5
    assert html.count("<legend>") == 5
    assert '<label for="maakunta-all">Kaikki</label>' in html
    assert '<input type="checkbox" name="kunta" value="297" id="kunta-297" checked> <label for="kunta-297">' in html
    filters = html.split('id="directory-filters"')[1].split("</form>")[0]
    assert '<button type="submit" class="button">Näytä tulokset</button>' in filters
    # Scripts only enhance (and the CSP allows no inline script): every one is a static file.
    assert html.count("<script") == html.count('<script src="/static/js/')


def test_sorting_by_name_uses_finnish_alphabetical_order(client):
    for name in ["Öljymäen Seura ry", "Ääneen Kuoro ry", "Zeta-seura ry", "Åminnen Förening rf", "Aapiskukko ry"]:
        make_organisation(name)
    names = result_names(client.get(URL, {"jarjestys": "nimi"}))
    assert names == ["Aapiskukko ry", "Zeta-seura ry", "Åminnen Förening rf", "Ääneen Kuoro ry", "Öljymäen Seura ry"]
    # Name order is also the default without a search.
    assert result_names(client.get(URL)) == names


def test_sorting_by_newest_and_recently_updated(client):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    old = make_organisation("Vanha Seura ry", created_at=now - timedelta(days=300))
    make_organisation("Uusi Seura ry", created_at=now - timedelta(days=1))
    make_organisation("Keskimmäinen Seura ry", created_at=now - timedelta(days=100))
    assert result_names(client.get(URL, {"jarjestys": "uusimmat"})) == [
        "Uusi Seura ry",
        "Keskimmäinen Seura ry",
        "Vanha Seura ry",
    ]
    old.description = "Päivitetty kuvaus"
    old.save()
    assert result_names(client.get(URL, {"jarjestys": "paivitetyt"}))[0] == "Vanha Seura ry"


def test_pagination_keeps_the_filters_in_shareable_links(client):
    for number in range(45):
        make_organisation(f"Kuopion Seura {number:02d} ry", sectors=("kulttuuri",))
    first = client.get(URL, {"toimiala": "kulttuuri"})
    html = first.content.decode()
    assert len(result_names(first)) == 20
    assert 'href="?toimiala=kulttuuri&amp;page=2"' in html
    third = client.get(URL, {"toimiala": "kulttuuri", "page": "3"})
    assert len(result_names(third)) == 5
    assert result_names(third)[0] == "Kuopion Seura 40 ry"


@pytest.mark.parametrize("page", ["999999", "abc", "-1", "0", "1e9", ""])
def test_out_of_range_or_garbage_page_shows_a_page(client, page):
    for number in range(25):
        make_organisation(f"Seura {number:02d} ry", index=False)
    response = client.get(URL, {"page": page})
    assert response.status_code == 200
    assert len(result_names(response)) in (5, 20)


def test_page_beyond_the_end_of_an_empty_result_is_fine(client):
    response = client.get(URL, {"page": "999999", "toimiala": "maanpuolustus"})
    assert response.status_code == 200
    assert "Yksikään yhdistys ei vastaa rajauksia." in response.content.decode()


def test_unknown_municipality_code_is_explained_and_the_rest_still_applies(client, directory):
    response = client.get(URL, {"kunta": ["999", "140"], "toimiala": "kulttuuri"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Palvelussa ei ole kuntaa, jonka koodi on 999." in html
    assert '<form method="get"' in html
    # The invalid value is left out, the valid sector still filters.
    assert sorted(result_names(response)) == sorted(
        ["Kuopion Kuoroyhdistys ry", "Kuopion Tanssiseura ry", "Iisalmen Teatteriyhdistys ry"]
    )


def test_municipality_outside_the_served_regions_is_explained(client, directory):
    response = client.get(URL, {"kunta": "091"})
    assert response.status_code == 400
    assert "Palvelussa ei ole kuntaa, jonka koodi on 091." in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"maakunta": "atlantis"},
        {"toimiala": "<script>alert(1)</script>"},
        {"kohderyhma": "x" * 500},
        {"kieli": "klingon"},
        {"jarjestys": "DROP TABLE"},
        {"q": "x" * 5000},
    ],
)
def test_garbage_parameters_give_a_translated_message_never_an_error(client, directory, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "<script>alert(1)</script>" not in html
    assert len(result_names(response)) == 5


@pytest.mark.parametrize("text", ["'\"):*&|!", "!!!", ":*", "&|", "()"])
def test_search_text_without_words_is_explained(client, directory, text):
    response = client.get(URL, {"q": text})
    assert response.status_code == 400
    assert "Hae sanoilla, joissa on kirjaimia tai numeroita." in response.content.decode()


def test_swedish_directory_uses_swedish_labels(client, directory):
    html = client.get("/sv/yhdistykset/", {"kunta": "999"}).content.decode()
    assert "<legend>Hemkommun</legend>" in html
    assert "Kultur <span" in html
    assert "Det finns ingen kommun med koden 999 i tjänsten." in html


def test_unpublished_associations_are_never_counted_or_listed(client, directory):
    response = client.get(URL, {"kunta": "297"})
    assert "Kuopion Luonnosyhdistys ry" not in response.content.decode()
    assert facet_count(response, "kunta", "297") == 3


def _populate(count: int) -> None:
    for number in range(count):
        make_organisation(
            f"Kuopion Kyläseura {number:03d} ry",
            sectors=("kulttuuri", "asukas-ja-kylatoiminta"),
            target_groups=("nuoret",),
            languages=("fi",),
            index=False,
        )
    from organisations.search import refresh_search_index

    refresh_search_index(Organisation.objects.values_list("pk", flat=True))


# Cold cache: one query for all facet counts (and the total), the page, its sectors.
DIRECTORY_QUERIES = 3


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize(
    "params",
    [{}, {"kunta": "297", "toimiala": "kulttuuri"}, {"q": "kyläseura"}, {"kieli": "fi", "jarjestys": "uusimmat"}],
)
def test_directory_query_count_does_not_grow_with_the_results(client, django_assert_num_queries, count, params):
    _populate(count)
    # Reference data and the set of tracked searches are cached across requests; facet counts are still cold.
    directory_reference()
    tracked_search_keys()
    with django_assert_num_queries(DIRECTORY_QUERIES):
        response = client.get(URL, params)
    assert response.status_code == 200
    assert len(result_names(response)) == min(count, 20)


def test_cached_facet_counts_cost_no_queries(client, django_assert_num_queries):
    _populate(5)
    directory_reference()
    cold = client.get(URL, {"kunta": "297"})
    # Warm: the page and its sectors only; the facet counts (and the total) come from the cache.
    with django_assert_num_queries(DIRECTORY_QUERIES - 1):
        warm = client.get(URL, {"kunta": "297", "page": "1"})
    assert warm.status_code == 200
    assert result_names(warm) == result_names(cold) != []
    assert facet_count(warm, "kunta", "297") == facet_count(cold, "kunta", "297") > 0


def test_search_index_refresh_invalidates_cached_counts(client):
    make_organisation("Ensimmäinen Seura ry")
    assert "1 yhdistys" in client.get(URL).content.decode()
    assert facet_count(client.get(URL), "kunta", "297") == 1  # the filter's options, cached with the counts
    assert facet_count(client.get(URL, {"kieli": "sv"}), "kunta", "297") == 0
    make_organisation("Toinen Seura ry")  # make_organisation refreshes the index
    assert "2 yhdistystä" in client.get(URL).content.decode()
    assert facet_count(client.get(URL), "kunta", "297") == 2
    assert facet_count(client.get("/sv" + URL), "kunta", "297") == 2


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"kunta": ["297", "140"]},
        {"maakunta": "pohjois-savo", "toimiala": "kulttuuri"},
        {"kunta": "297", "toimiala": ["kulttuuri", "urheilu-ja-liikunta"], "kohderyhma": "nuoret", "kieli": "fi"},
        {"q": "kuopion", "kieli": "sv"},
    ],
)
def test_facet_counts_without_postgresql_agree_with_the_sql(directory, params):
    """The demo's SQLite counts facets in Python; both ways must give the same figures."""
    from django.http import QueryDict

    from organisations.selectors.directory import Directory

    data = QueryDict(mutable=True)
    for key, value in params.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    directory_filter = Directory(data)
    candidates = directory_filter.filtered(excluding=directory_filter.FACETS, ranked=False).order_by()
    tests = directory_filter._facet_tests()
    in_sql = directory_filter._count_facets()
    in_python = directory_filter._count_facets_python(candidates, tests)
    assert in_sql == in_python
    assert sum(in_sql["kunta"].values()) > 0
