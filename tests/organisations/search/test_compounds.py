"""Compound query words split by the index's own vocabulary where Voikko is not installed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.models import Organisation
from organisations.search import bump_directory_version, search_organisations
from organisations.search.compounds import Split, Vocabulary, expand_word, split_word
from organisations.search.fts import analysed
from organisations.search.query import vocabulary_splits
from tests.organisations.directory_helpers import make_organisation

VOCABULARY = Vocabulary(
    analysed(
        "Alakylän Urheiluseura Anttolan Hiihtoseura Alakylän Kyläseura Juvan Mieskuoro Savon Shakkikerho "
        "Urheilu ja liikunta Sosiaali ja terveys Eläkeläiset Naiset Metsä Hoitoyhdistys Kulttuuri"
    ).split()
)


@pytest.mark.parametrize(
    ("word", "split"),
    [
        # The last part alone ("seura") is no vocabulary word, but it ends three of them.
        ("liikuntaseura", Split("liikun", "seura", ("hiihtoseur", "urheiluseur", "kyläseur"))),
        ("liikuntaseuran", Split("liikun", "seura", ("hiihtoseur", "urheiluseur", "kyläseur"))),
        ("kulttuurikerho", Split("kulttuur", "kerho", ("shakkikerho",))),
        # Linking forms of the first part: "-s" for "-nen" words, the genitive "-n".
        ("eläkeläiskuoro", Split("eläkeläis", "kuoro", ("mieskuoro",))),
        ("naisvoimisteluseura", None),
        ("naiskuoro", Split("naise", "kuoro", ("mieskuoro",))),
        ("metsänhoitoyhdistys", Split("mets", "hoitoyhdistys", ())),
    ],
)
def test_a_compound_splits_into_known_words(word, split):
    assert split_word(word, VOCABULARY) == split


@pytest.mark.parametrize(
    ("word", "expanded"),
    [
        # Not split, but the last part of vocabulary compounds, as Voikko's parts of them would be.
        ("kuorot", Split(None, "kuoro", ("mieskuoro",))),
        ("seuran", Split(None, "seura", ("hiihtoseur", "urheiluseur", "kyläseur"))),
    ],
)
def test_a_word_also_matches_the_compounds_it_ends(word, expanded):
    assert split_word(word, VOCABULARY) is None
    assert expand_word(word, VOCABULARY) == expanded


@pytest.mark.parametrize(
    "word",
    [
        "kuor",  # too short for two parts, and ends no compound
        "urheiluseuran",  # the vocabulary's own word
        "kyläseura",  # ditto: not "kylä" + any "-seura", which would find "Alakylän Urheiluseura"
        "urheiluseu",  # begins a vocabulary word: it finds that already
        "kylätoimikunta",  # "toimikunta" is no vocabulary word nor the end of one
        "seurakunta",  # no known first part
    ],
)
def test_a_word_is_not_split_wrongly(word):
    assert expand_word(word, VOCABULARY) is None


@pytest.mark.django_db
def test_voikko_splits_where_installed(settings):
    settings.SEARCH_USE_VOIKKO = True
    make_organisation("Alakylän Urheiluseura ry", municipality="844", sectors=("urheilu-ja-liikunta",))
    assert vocabulary_splits(["liikuntaseura"]) == {}
    settings.SEARCH_USE_VOIKKO = False
    assert vocabulary_splits(["liikuntaseura"])["liikuntaseura"].first == "liikun"


def _vocabulary_reads(queries) -> int:
    return sum("ts_stat(" in query["sql"] for query in queries)


@pytest.mark.django_db
def test_the_vocabulary_is_read_once_per_index_version(settings):
    settings.SEARCH_USE_VOIKKO = False
    make_organisation("Alakylän Urheiluseura ry", municipality="844", sectors=("urheilu-ja-liikunta",))
    make_organisation("Kuopion Kuoro ry", sectors=("kulttuuri",))

    def search(text):
        with CaptureQueriesContext(connection) as queries:
            names = list(search_organisations(Organisation.objects.published(), text).values_list("name", flat=True))
        return names, queries

    first, first_queries = search("liikuntaseura")
    assert first == ["Alakylän Urheiluseura ry"]
    assert _vocabulary_reads(first_queries) == 1
    again, again_queries = search("liikuntaseura")
    plain, plain_queries = search("kuoro")
    assert again == first
    assert plain == ["Kuopion Kuoro ry"]
    # Once read, a split search asks the database no more than any other search.
    assert len(again_queries) == len(plain_queries) == 1
    # A change to the index (a new version) reads the vocabulary again, once.
    bump_directory_version()
    assert _vocabulary_reads(search("liikuntaseura")[1]) == 1
    assert _vocabulary_reads(search("liikuntaseura")[1]) == 0
