"""Finnish search: inflected forms, compounds, typos, ranking, and the index kept up to date."""

import re
from html import unescape

import pytest
from django.urls import reverse

from organisations import search
from organisations.models import Organisation
from organisations.search import prefix_tsquery, refresh_search_index, search_organisations, search_terms
from tests.organisations.directory_helpers import make_organisation

pytestmark = pytest.mark.django_db

URL = reverse("organisations:list")


def result_names(response) -> list[str]:
    html = response.content.decode()
    return [unescape(name) for name in re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)]


def found(text: str) -> list[str]:
    queryset = search_organisations(Organisation.objects.published(), text).order_by("-rank", "name")
    return list(queryset.values_list("name", flat=True))


@pytest.fixture
def associations():
    make_organisation("Kuopion Eläkeläisyhdistys ry", sectors=("sosiaali-ja-terveys",))
    make_organisation("Tervon Kyläyhdistys ry", municipality="844", sectors=("asukas-ja-kylatoiminta",))
    make_organisation("Iisalmen Urheiluseura ry", municipality="140", sectors=("urheilu-ja-liikunta",))
    make_organisation("Varkauden Marttayhdistys ry", municipality="915", sectors=("vapaa-aika",))
    make_organisation("Mikkelin Lapsiperheyhdistys ry", municipality="491")
    make_organisation(
        "Savon Shakkikerho ry",
        municipality="915",
        description="Kerho kokoontuu kylätalolla, ja eläkeläiset ovat tervetulleita.",
    )


def test_inflected_word_finds_the_compound_name(associations):
    assert found("eläkeläisten") == ["Kuopion Eläkeläisyhdistys ry", "Savon Shakkikerho ry"]


def test_first_part_of_a_compound_finds_it(associations):
    assert found("kylä")[0] == "Tervon Kyläyhdistys ry"


def test_name_matches_rank_above_description_matches(associations):
    assert found("kylä") == ["Tervon Kyläyhdistys ry", "Savon Shakkikerho ry"]


def test_every_word_must_match(associations):
    assert found("eläkeläisten kuopion") == ["Kuopion Eläkeläisyhdistys ry"]
    assert found("eläkeläisten tervon") == []


def test_municipality_name_in_any_form_finds_its_associations(associations):
    assert found("Tervon") == ["Tervon Kyläyhdistys ry"]
    assert "Kuopion Eläkeläisyhdistys ry" in found("kuopio")


def test_swedish_sector_names_are_searchable(associations):
    assert found("idrott") == ["Iisalmen Urheiluseura ry"]


def test_a_typo_in_the_name_is_tolerated(client, associations):
    assert found("eläkläisyhdistys") == []
    response = client.get(URL, {"q": "eläkläisyhdistys"})
    assert result_names(response)[0] == "Kuopion Eläkeläisyhdistys ry"
    assert "Hakusanoja vastaavaa yhdistystä ei löytynyt" in response.content.decode()
    assert result_names(client.get(URL, {"q": "kyläydistys"}))[0] == "Tervon Kyläyhdistys ry"


def test_similar_names_are_not_mixed_into_exact_matches(client, associations):
    response = client.get(URL, {"q": "kylä"})
    assert "Hakusanoja vastaavaa yhdistystä ei löytynyt" not in response.content.decode()
    assert result_names(response) == ["Tervon Kyläyhdistys ry", "Savon Shakkikerho ry"]


def test_voikko_is_installed_here():
    # CI installs voikko-fi; the tests below would otherwise silently test only the fallback.
    assert search.voikko_available()


def test_voikko_finds_base_forms_the_stemmer_misses(associations):
    # "martoille" (to the Marthas) and "urheiluseurojen" share no prefix with the names.
    assert found("martoille") == ["Varkauden Marttayhdistys ry"]
    assert found("urheiluseurojen") == ["Iisalmen Urheiluseura ry"]
    assert found("lasten") == ["Mikkelin Lapsiperheyhdistys ry"]


def test_voikko_adds_compound_parts_to_the_document():
    organisation = make_organisation("Kuopion Eläkeläisyhdistys ry")
    organisation.refresh_from_db()
    words = organisation.search_document.split()
    assert "eläkeläinen" in words
    assert "yhdistys" in words
    assert "kuopio" in words  # the base form of "Kuopion"
    place = make_organisation("Enonkosken Kyläseura ry", municipality="046")
    place.refresh_from_db()
    assert "koski" not in place.search_document.split()  # place names are not split into parts


def test_search_works_without_voikko(settings):
    settings.SEARCH_USE_VOIKKO = False
    assert not search.voikko_available()
    make_organisation("Kuopion Eläkeläisyhdistys ry")
    make_organisation("Tervon Kyläyhdistys ry", municipality="844")
    organisation = Organisation.objects.get(name="Kuopion Eläkeläisyhdistys ry")
    assert "eläkeläinen" not in organisation.search_document.split()
    assert found("eläkeläisten") == ["Kuopion Eläkeläisyhdistys ry"]
    assert found("kylä") == ["Tervon Kyläyhdistys ry"]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("'\"):*&|!", []),
        ("kylä:* | !eläke", ["kylä", "eläke"]),
        ("Kylä & (kylä)", ["kylä"]),
        ("a_b", ["a", "b"]),
        ("1 2 3 4 5 6 7 8 9 10", ["1", "2", "3", "4", "5", "6", "7", "8"]),
    ],
)
def test_query_syntax_never_reaches_to_tsquery(text, terms):
    assert search_terms(text) == terms
    assert re.fullmatch(r"[\w:*|&() ]*", prefix_tsquery(terms))


@pytest.mark.parametrize("text", ["'\"):*&|!", "kylä:*&|!'", "\\", "%_", "ä" * 300, "<b>kylä</b>", "kylä)"])
def test_garbage_search_never_fails(client, associations, text):
    response = client.get(URL, {"q": text})
    assert response.status_code in (200, 400)
    if "kylä" in text and len(text) < 200:
        assert result_names(response)[0] == "Tervon Kyläyhdistys ry"


def test_search_results_in_the_directory_are_ranked(client, associations):
    response = client.get(URL, {"q": "kylä"})
    assert result_names(response) == ["Tervon Kyläyhdistys ry", "Savon Shakkikerho ry"]
    assert '<option value="osuvuus" selected>' in response.content.decode()


def test_search_can_be_sorted_by_name_instead(client, associations):
    response = client.get(URL, {"q": "kylä", "jarjestys": "nimi"})
    assert result_names(response) == ["Savon Shakkikerho ry", "Tervon Kyläyhdistys ry"]


def test_refresh_search_index_picks_up_changes(associations):
    organisation = Organisation.objects.get(name="Savon Shakkikerho ry")
    organisation.description = "Pelaamme myös sulkapalloa."
    organisation.save()
    assert found("sulkapallo") == []
    refresh_search_index([organisation.pk])
    assert found("sulkapallo") == ["Savon Shakkikerho ry"]


@pytest.mark.parametrize("count", [3, 30])
def test_refresh_search_index_is_a_constant_number_of_queries(django_assert_num_queries, count):
    ids = [make_organisation(f"Seura {number} ry", sectors=("kulttuuri",), index=False).pk for number in range(count)]
    # reference names (3), then per batch sectors, target groups, languages, associations, one UPDATE
    with django_assert_num_queries(8):
        refresh_search_index(ids)
    assert Organisation.objects.filter(pk__in=ids, search_entry__isnull=True).count() == 0
    # Every refreshed association is findable by its sector (the batches lost none of them).
    assert sorted(found("kulttuuri")) == sorted(f"Seura {number} ry" for number in range(count))
