"""Fictional demo data for the directory: ``manage.py seed_demo`` and the benchmarks use this.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so the same number of
associations and the same seed give the same names, slugs and contents (timestamps are spread
backwards from the day of the run). Proportions follow the seeds: Pohjois-Savo has about 5,000
associations, of which Kuopio about 2,000, Iisalmi and Varkaus about 400 each, Lapinlahti,
Leppävirta and Siilinjärvi about 200 and Tervo about 60; Etelä-Savo about 3,000. Sector shares
come from ``reference/sectors.json``.

Demo data is recognised by its addresses: every demo association's contact e-mail and every demo
municipal contact's e-mail is on a reserved ``.example`` domain, and the demo accounts are the
fixed ``@example.org`` addresses in ``DEMO_ACCOUNTS``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from stdnum.fi import alv, ytunnus

from accounts.models import User
from portal.permissions import COUNCIL_SECRETARIES_GROUP, MODERATORS_GROUP, MUNICIPAL_CONTACTS_GROUP

from .models import Language, MunicipalContact, Municipality, Organisation, Sector, TargetGroup, Visibility
from .reference_data import read
from .search import refresh_search_index

DEMO_DOMAIN_SUFFIX = ".example"
# A fixed password is acceptable only because demo accounts exist only on DEBUG machines or when
# asked for explicitly (``--with-accounts``); it is printed and documented in the README.
DEMO_PASSWORD = "demo-jarjestotori"  # noqa: S105 - published on purpose, see above
BATCH_SIZE = 2000

# Associations per region for a portal of "5,000 in Pohjois-Savo"; scaled to the requested total.
REGION_BASE = {"11": 5000, "10": 3000}
OTHER_REGION_BASE = 3000

# Counts the seeds give (PRH's register, 2018); the rest of a region is shared by population.
KNOWN_COUNTS = {
    "297": 2000,  # Kuopio
    "140": 400,  # Iisalmi
    "915": 400,  # Varkaus
    "402": 200,  # Lapinlahti
    "420": 200,  # Leppävirta
    "749": 200,  # Siilinjärvi
    "844": 60,  # Tervo
}
# Approximate populations (thousands) of the served municipalities not counted in the seeds.
POPULATION = {
    "171": 4.6,  # Joroinen
    "204": 2.8,  # Kaavi
    "239": 2.2,  # Keitele
    "263": 7.6,  # Kiuruvesi
    "595": 4.4,  # Pielavesi
    "686": 3.0,  # Rautalampi
    "687": 1.5,  # Rautavaara
    "762": 3.8,  # Sonkajärvi
    "778": 6.9,  # Suonenjoki
    "857": 2.4,  # Tuusniemi
    "921": 2.0,  # Vesanto
    "925": 3.6,  # Vieremä
    "046": 1.3,  # Enonkoski
    "097": 2.1,  # Hirvensalmi
    "178": 5.9,  # Juva
    "213": 5.0,  # Kangasniemi
    "491": 52.0,  # Mikkeli
    "507": 5.6,  # Mäntyharju
    "593": 17.0,  # Pieksämäki
    "623": 2.1,  # Puumala
    "681": 3.4,  # Rantasalmi
    "740": 31.5,  # Savonlinna
    "768": 2.5,  # Sulkava
}

# Genitives of the served municipalities; other names go through ``genitive``'s suffix rules.
GENITIVES = {
    "Kuopio": "Kuopion",
    "Iisalmi": "Iisalmen",
    "Varkaus": "Varkauden",
    "Leppävirta": "Leppävirran",
    "Siilinjärvi": "Siilinjärven",
    "Lapinlahti": "Lapinlahden",
    "Tervo": "Tervon",
    "Joroinen": "Joroisten",
    "Kaavi": "Kaavin",
    "Keitele": "Keiteleen",
    "Kiuruvesi": "Kiuruveden",
    "Pielavesi": "Pielaveden",
    "Rautalampi": "Rautalammin",
    "Rautavaara": "Rautavaaran",
    "Sonkajärvi": "Sonkajärven",
    "Suonenjoki": "Suonenjoen",
    "Tuusniemi": "Tuusniemen",
    "Vesanto": "Vesannon",
    "Vieremä": "Vieremän",
    "Enonkoski": "Enonkosken",
    "Hirvensalmi": "Hirvensalmen",
    "Juva": "Juvan",
    "Kangasniemi": "Kangasniemen",
    "Mikkeli": "Mikkelin",
    "Mäntyharju": "Mäntyharjun",
    "Pieksämäki": "Pieksämäen",
    "Puumala": "Puumalan",
    "Rantasalmi": "Rantasalmen",
    "Savonlinna": "Savonlinnan",
    "Sulkava": "Sulkavan",
}
GENITIVE_RULES = (
    ("lahti", "lahden"),
    ("lampi", "lammen"),
    ("joki", "joen"),
    ("mäki", "mäen"),
    ("vesi", "veden"),
    ("salmi", "salmen"),
    ("niemi", "niemen"),
    ("järvi", "järven"),
    ("koski", "kosken"),
    ("harju", "harjun"),
    ("nen", "sen"),
    ("i", "en"),
    ("us", "uden"),
    ("ys", "yden"),
)

# Village name parts for kyläyhdistys and other very local associations (combinations, fictional).
VILLAGE_FIRST = (
    "Koivu",
    "Haapa",
    "Leppä",
    "Mänty",
    "Kuusi",
    "Pihlaja",
    "Kivi",
    "Pitkä",
    "Kangas",
    "Suo",
    "Rauha",
    "Kallio",
    "Hieta",
    "Kaita",
    "Ahven",
    "Hauki",
    "Lohi",
    "Kontio",
    "Metsä",
    "Lampi",
    "Selkä",
    "Ylä",
    "Ala",
    "Särki",
)
VILLAGE_LAST = (
    ("lahti", "lahden"),
    ("niemi", "niemen"),
    ("mäki", "mäen"),
    ("järvi", "järven"),
    ("vaara", "vaaran"),
    ("kylä", "kylän"),
    ("salo", "salon"),
    ("koski", "kosken"),
    ("ranta", "rannan"),
    ("harju", "harjun"),
    ("saari", "saaren"),
    ("joki", "joen"),
    ("salmi", "salmen"),
    ("vesi", "veden"),
)
# Residential districts give Kuopio's many associations more varied names.
DISTRICTS = {
    "297": (
        "Puijonlaakson",
        "Petosen",
        "Saaristokaupungin",
        "Neulamäen",
        "Jynkän",
        "Männistön",
        "Niiralan",
        "Kelloniemen",
        "Leväsen",
        "Haapaniemen",
        "Linnanpellon",
        "Särkiniemen",
        "Inkilänmäen",
        "Rypysuon",
        "Nilsiän",
        "Juankosken",
        "Karttulan",
        "Vehmersalmen",
        "Riistaveden",
        "Melalahden",
    ),
    "491": ("Rantakylän", "Tuppuralan", "Lähemäen", "Kalevankankaan", "Haukivuoren", "Ristiinan", "Anttolan"),
    "740": ("Kerimäen", "Punkaharjun", "Savonrannan", "Nojanmaan", "Pihlajaniemen", "Kellarpellon"),
    "140": ("Kirman", "Kangaslammin", "Peltosalmen", "Runnin", "Ylemmäisen"),
    "915": ("Kuoppakankaan", "Käpykankaan", "Kommilan", "Taulumäen", "Kaura-ahon"),
}

# Name patterns per sector: {g} is a place genitive, {v} a village genitive.
NAME_PATTERNS = {
    "kulttuuri": (
        "{g} Kuoro",
        "{g} Mieskuoro",
        "{g} Naiskuoro",
        "{g} Kamarikuoro",
        "{g} Teatteriyhdistys",
        "{g} Harrastajateatteri",
        "{g} Kansantanssijat",
        "{g} Pelimannit",
        "{g} Puhallinorkesteri",
        "{g} Taideyhdistys",
        "{g} Kuvataideseura",
        "{g} Kotiseutuyhdistys",
        "{g} Kirjallisuusseura",
        "{g} Elokuvakerho",
        "{g} Valokuvaajat",
        "{g} Musiikkiyhdistys",
        "{g} Rock-yhdistys",
        "{v} Nuorisoseura",
        "{g} Kesäteatteri",
        "{g} Tanssiseura",
    ),
    "urheilu-ja-liikunta": (
        "{g} Latu",
        "{g} Urheilijat",
        "{g} Palloseura",
        "{g} Hiihtoseura",
        "{g} Voimistelijat",
        "{g} Suunnistajat",
        "{g} Uimaseura",
        "{g} Tennisseura",
        "{g} Pyöräilijät",
        "{g} Salibandyseura",
        "{g} Ratsastajat",
        "{g} Painiseura",
        "{g} Melojat",
        "{g} Koripalloseura",
        "{g} Kuntoilijat",
        "{g} Lentopalloseura",
        "{g} Golfseura",
        "{v} Urheiluseura",
        "{g} Ampumaseura",
        "{g} Seniorikuntoilijat",
    ),
    "vapaa-aika": (
        "{g} Metsästysseura",
        "{v} Metsästysseura",
        "{g} Kalastusseura",
        "{v} Osakaskunnan Kalastajat",
        "{g} Moottorikerho",
        "{g} Kennelkerho",
        "{g} Puutarhaseura",
        "{g} Shakkikerho",
        "{g} Veneilijät",
        "{g} Sienestäjät",
        "{g} Retkeilijät",
        "{g} Lintuharrastajat",
        "{g} Käsityöyhdistys",
        "{g} Radioamatöörit",
        "{g} Mökkiläiset",
        "{g} Mopoautokerho",
        "{g} Pienoismallikerho",
        "{g} Tanssiharrastajat",
    ),
    "sosiaali-ja-terveys": (
        "{g} Mielenterveysseura",
        "{g} Seudun Eläkeläiset",
        "{g} Eläkeläiset",
        "{g} Sydänyhdistys",
        "{g} Diabetesyhdistys",
        "{g} Invalidit",
        "{g} Omaishoitajat",
        "{g} Reumayhdistys",
        "{g} Näkövammaiset",
        "{g} Kuuloyhdistys",
        "{g} Muistiyhdistys",
        "{g} Työttömät",
        "{g} Syöpäyhdistys",
        "{g} Hengitysyhdistys",
        "{g} Kehitysvammaisten Tuki",
        "{g} Lastensuojeluyhdistys",
        "{g} Vertaistukiyhdistys",
        "{g} Perhekerho",
    ),
    "ammatti-ja-elinkeino": (
        "{g} Yrittäjät",
        "{g} Maa- ja kotitalousnaiset",
        "{g} Tuottajayhdistys",
        "{g} Metsänomistajat",
        "{g} Kauppiasyhdistys",
        "{g} Opettajayhdistys",
        "{g} Hoitajat",
        "{g} Insinöörit",
        "{g} Mehiläishoitajat",
        "{g} Ammattiosasto",
        "{g} Lomittajat",
        "{g} Matkailuyhdistys",
    ),
    "poliittinen": (
        "{g} Työväenyhdistys",
        "{g} Kunnallisjärjestö",
        "{g} Naisjärjestö",
        "{g} Nuorisojärjestö",
        "{g} Vihreät",
        "{g} Seniorit",
        "{g} Kansalaisvaikuttajat",
    ),
    "uskonto-ja-maailmankatsomus": (
        "{g} Rauhanyhdistys",
        "{g} Lähetysyhdistys",
        "{g} Ortodoksinen Veljeskunta",
        "{g} Vapaa-ajattelijat",
        "{g} Kristillinen Yhdistys",
        "{g} Raamattupiiri",
    ),
    "koulutus-ja-kasvatus": (
        "{g} Koulun Vanhempainyhdistys",
        "{v} Koulun Vanhempainyhdistys",
        "{g} Partiolaiset",
        "{g} Kansalaisopiston Tukiyhdistys",
        "{g} Lukion Tukiyhdistys",
        "{g} 4H-yhdistys",
        "{g} Marttayhdistys",
        "{g} Opintopiiri",
        "{g} Kerhotoiminta",
    ),
    "asukas-ja-kylatoiminta": (
        "{v} Kyläyhdistys",
        "{v} Kyläyhdistys",
        "{v} Kyläyhdistys",
        "{v} Kylätoimikunta",
        "{g} Kyläyhdistys",
        "{g} Asukasyhdistys",
        "{g} Omakotiyhdistys",
        "{v} Kyläseura",
    ),
    "ymparisto": (
        "{g} Luonnonsuojeluyhdistys",
        "{g} Ympäristöyhdistys",
        "{v} Vesiensuojeluyhdistys",
        "{g} Luontokerho",
    ),
    "maanpuolustus": (
        "{g} Reserviläiset",
        "{g} Reserviupseerit",
        "{g} Sotaveteraanit",
        "{g} Maanpuolustusnaiset",
        "{g} Maanpuolustuskilta",
    ),
    "kansainvalinen": (
        "{g} Ystävyysseura",
        "{g} Ystävyyskuntayhdistys",
        "{g} Monikulttuurinen Yhdistys",
        "{g} Kansainvälinen Klubi",
        "{g} Kehitysyhteistyöyhdistys",
    ),
    "muu": (
        "{g} Vapaaehtoiset",
        "{g} Talkooväki",
        "{g} Yhteislaulajat",
        "{g} Kiltayhdistys",
        "{g} Kotiseutuyhdistys",
        "{g} Tukiyhdistys",
    ),
}

# Two or three of these (per sector) make a description; "{g}" is the home municipality's genitive.
DESCRIPTIONS = {
    "kulttuuri": (
        "Yhdistys järjestää konsertteja, esityksiä ja näyttelyitä {g} alueella.",
        "Harjoittelemme kerran viikossa, ja uudet harrastajat ovat aina tervetulleita.",
        "Toimintamme tavoitteena on tehdä paikallista kulttuuria näkyväksi ja tuoda ihmisiä yhteen.",
        "Esiinnymme kesäisin kylätapahtumissa ja joulun aikaan palvelutaloissa.",
        "Jäseneksi voi liittyä kuka tahansa taiteesta ja kotiseudusta kiinnostunut.",
    ),
    "urheilu-ja-liikunta": (
        "Seura tarjoaa ohjattua liikuntaa kaikenikäisille {g} alueella.",
        "Harjoitusvuoroja on lapsille, nuorille ja aikuisille, ja kokeilukerrat ovat maksuttomia.",
        "Järjestämme vuosittain kuntotapahtumia sekä piirin- ja seuratason kilpailuja.",
        "Toimintamme perustuu vapaaehtoisiin valmentajiin ja ohjaajiin.",
        "Talvella ylläpidämme latuja ja kesällä järjestämme liikuntaleirejä.",
    ),
    "vapaa-aika": (
        "Yhdistys kokoaa yhteen harrastuksesta kiinnostuneet {g} alueella.",
        "Tapaamme säännöllisesti kerhoillassa ja teemme retkiä lähiseudulle.",
        "Järjestämme kursseja aloittelijoille ja jaamme kokemuksia pidempään harrastaneille.",
        "Toimintaan voi tulla mukaan ilman aiempaa kokemusta.",
        "Yhdistys huolehtii myös alueen luonnosta ja yhteisistä välineistä.",
    ),
    "sosiaali-ja-terveys": (
        "Yhdistys tarjoaa vertaistukea, tietoa ja virkistystoimintaa {g} alueella.",
        "Vertaisryhmät kokoontuvat kuukausittain, ja mukaan voi tulla myös läheisenä.",
        "Teemme yhteistyötä hyvinvointialueen ja muiden järjestöjen kanssa.",
        "Järjestämme luentoja, retkiä ja liikuntaryhmiä jäsenille ja heidän läheisilleen.",
        "Vapaaehtoisemme käyvät ystävinä ja tukihenkilöinä niitä, jotka apua tarvitsevat.",
    ),
    "ammatti-ja-elinkeino": (
        "Yhdistys edistää jäsentensä ammattitaitoa ja elinkeinoa {g} alueella.",
        "Järjestämme koulutuksia, yritysvierailuja ja verkostoitumistilaisuuksia.",
        "Valvomme jäsenten etuja ja vaikutamme paikalliseen päätöksentekoon.",
        "Yhdistys jakaa tietoa alan ajankohtaisista asioista jäsenkirjeissään.",
    ),
    "poliittinen": (
        "Yhdistys tekee paikallista yhteiskunnallista vaikuttamistyötä {g} alueella.",
        "Järjestämme avoimia keskustelutilaisuuksia ajankohtaisista aiheista.",
        "Tuemme jäseniämme kunnallisessa luottamustoiminnassa.",
    ),
    "uskonto-ja-maailmankatsomus": (
        "Yhdistys kokoaa yhteen samoin ajattelevia {g} alueella.",
        "Järjestämme seuroja, keskustelupiirejä ja leirejä.",
        "Toimintamme on avointa kaikille kiinnostuneille.",
    ),
    "koulutus-ja-kasvatus": (
        "Yhdistys tukee lasten ja nuorten kasvua ja oppimista {g} alueella.",
        "Järjestämme kerhoja, retkiä ja tapahtumia yhdessä koulun ja kodin kanssa.",
        "Keräämme varoja leirikouluihin ja harrastusvälineisiin.",
        "Toiminnassa on mukana vanhempia, opettajia ja vapaaehtoisia.",
    ),
    "asukas-ja-kylatoiminta": (
        "Yhdistys pitää kylän elinvoimaisena ja ylläpitää kylätaloa.",
        "Järjestämme kesäjuhlat, talkoot ja joulumyyjäiset.",
        "Kylätalolla on kuntosali ja tilaa kokouksille ja juhlille.",
        "Vaikutamme kyläteiden, valaistuksen ja palveluiden kehittämiseen {g} kanssa.",
        "Uudet asukkaat ja kesäasukkaat ovat tervetulleita mukaan.",
    ),
    "ymparisto": (
        "Yhdistys suojelee luontoa ja vesistöjä {g} alueella.",
        "Järjestämme luontoretkiä, kunnostustalkoita ja vieraslajitalkoita.",
        "Seuraamme vesistöjen tilaa yhdessä osakaskuntien kanssa.",
    ),
    "maanpuolustus": (
        "Yhdistys ylläpitää maanpuolustustahtoa ja vaalii veteraaniperinnettä {g} alueella.",
        "Järjestämme ammunta- ja kuntoiluharjoituksia sekä koulutusiltoja.",
        "Osallistumme itsenäisyyspäivän ja kaatuneiden muistopäivän tilaisuuksiin.",
    ),
    "kansainvalinen": (
        "Yhdistys edistää kansainvälistä yhteistyötä ja ystävyyttä {g} alueella.",
        "Järjestämme kielikahviloita, teemailtoja ja vierailuja ystävyyskaupunkeihin.",
        "Autamme uusia asukkaita löytämään paikkansa yhteisössä.",
    ),
    "muu": (
        "Yhdistys kokoaa yhteen vapaaehtoisia {g} alueella.",
        "Autamme tapahtumien järjestelyissä ja naapuriavussa.",
        "Toimintaan voi osallistua oman aikataulunsa mukaan.",
    ),
}
SECTOR_TARGET_GROUPS = {
    "kulttuuri": ("kaikki-asukkaat", "lapset-ja-perheet", "nuoret", "ikaihmiset"),
    "urheilu-ja-liikunta": ("lapset-ja-perheet", "nuoret", "kaikki-asukkaat", "ikaihmiset"),
    "vapaa-aika": ("kaikki-asukkaat", "miehet", "naiset", "nuoret"),
    "sosiaali-ja-terveys": (
        "ikaihmiset",
        "potilaat-ja-pitkaaikaissairaat",
        "mielenterveys-ja-paihteet",
        "vammaiset",
        "omaishoitajat",
        "tyottomat",
        "lapset-ja-perheet",
        "asunnottomat",
    ),
    "ammatti-ja-elinkeino": ("kaikki-asukkaat", "naiset"),
    "poliittinen": ("kaikki-asukkaat", "nuoret", "naiset"),
    "uskonto-ja-maailmankatsomus": ("kaikki-asukkaat", "lapset-ja-perheet"),
    "koulutus-ja-kasvatus": ("lapset-ja-perheet", "nuoret", "opiskelijat"),
    "asukas-ja-kylatoiminta": ("kaikki-asukkaat", "ikaihmiset", "lapset-ja-perheet"),
    "ymparisto": ("kaikki-asukkaat",),
    "maanpuolustus": ("veteraanit", "miehet", "naiset"),
    "kansainvalinen": ("maahanmuuttajat", "kaikki-asukkaat", "opiskelijat"),
    "muu": ("kaikki-asukkaat",),
}
MEETING_PLACES = (
    "Kylätalo",
    "Kirjaston kokoushuone",
    "Työväentalo",
    "Nuorisotalo",
    "Seurakuntatalo",
    "Koulun liikuntasali",
    "Palvelutalon kerhohuone",
    "Urheilukenttä",
    "Kerhotila",
    "Järjestötalo",
    "Kansalaisopiston luokka",
    "Seurantalo",
)
STREETS = ("Kauppakatu", "Koulutie", "Rantatie", "Kirkkotie", "Asematie", "Puistokatu", "Myllytie", "Urheilutie")
ACCESSIBILITY_DETAILS = {
    Organisation.Accessibility.ACCESSIBLE: (
        "Esteetön sisäänkäynti ja inva-WC.",
        "Tilat ovat kadun tasossa, ja salissa on induktiosilmukka.",
        "Hissi kaikkiin kerroksiin ja inva-pysäköintipaikka oven vieressä.",
    ),
    Organisation.Accessibility.PARTLY: (
        "Sisäänkäynnillä kaksi porrasta; siirrettävä luiska pyydettäessä.",
        "Kokoustila on toisessa kerroksessa, hissi on pieni.",
        "WC ei ole esteetön.",
    ),
    Organisation.Accessibility.NOT_ACCESSIBLE: ("Kerhotilaan johtavat portaat, ei hissiä.",),
}

# Common Finnish names. Surnames of people named in the project's source material are left out,
# so no combination can be a real person from those documents.
FIRST_NAMES = (
    "Aino",
    "Anna",
    "Eija",
    "Elina",
    "Helena",
    "Hanna",
    "Kaisa",
    "Katja",
    "Laura",
    "Leena",
    "Marja",
    "Noora",
    "Outi",
    "Paula",
    "Riikka",
    "Satu",
    "Tiina",
    "Ulla",
    "Antti",
    "Eero",
    "Heikki",
    "Ilkka",
    "Jari",
    "Juha",
    "Kalle",
    "Lauri",
    "Markku",
    "Matti",
    "Pekka",
    "Petri",
    "Risto",
    "Sami",
    "Timo",
    "Ville",
)
LAST_NAMES = (
    "Heikkinen",
    "Hyvönen",
    "Kettunen",
    "Korhonen",
    "Laitinen",
    "Miettinen",
    "Pitkänen",
    "Rautiainen",
    "Ruotsalainen",
    "Räsänen",
    "Tiihonen",
    "Tikkanen",
    "Turunen",
    "Väisänen",
    "Jääskeläinen",
    "Karhunen",
    "Kärkkäinen",
    "Lappalainen",
    "Partanen",
    "Rissanen",
    "Savolainen",
    "Toivanen",
    "Voutilainen",
    "Hakkarainen",
    "Kokkonen",
    "Pesonen",
)
CONTACT_TITLES = (
    "hyvinvointikoordinaattori",
    "järjestöyhteyshenkilö",
    "vapaa-aikasihteeri",
    "hyte-koordinaattori",
    "kulttuuri- ja liikuntapäällikkö",
)
# Public demo contacts for these municipalities; Kuopio's is linked to the municipal demo account.
CONTACT_MUNICIPALITIES = ("297", "140", "915", "749", "420", "844", "491", "740", "593")


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


def reproducible_random(seed: int | str) -> random.Random:
    # Demo data must be reproducible from its seed, not unpredictable.
    return random.Random(seed)  # noqa: S311


def genitive(name: str) -> str:
    if name in GENITIVES:
        return GENITIVES[name]
    for ending, replacement in GENITIVE_RULES:
        if name.endswith(ending):
            return name[: -len(ending)] + replacement
    return name + "n"


def ascii_local(text: str) -> str:
    """An e-mail or domain label from Finnish text: ä→a, ö→o, å→a, nothing else but a-z0-9."""
    text = text.lower().translate(str.maketrans({"ä": "a", "ö": "o", "å": "a"}))
    return re.sub(r"[^a-z0-9]+", "", text)


def largest_remainder(weights: dict, total: int) -> dict:
    """Integer counts proportional to ``weights`` that add up to exactly ``total`` (ties by key order)."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return dict.fromkeys(weights, 0)
    exact = {key: total * weight / weight_sum for key, weight in weights.items()}
    counts = {key: int(value) for key, value in exact.items()}
    leftover = total - sum(counts.values())
    order = sorted(weights, key=lambda key: (-(exact[key] - counts[key]), list(weights).index(key)))
    for key in order[:leftover]:
        counts[key] += 1
    return counts


def municipality_weights(municipalities: Sequence[Municipality]) -> dict[str, float]:
    """Associations per municipality for a portal of 5,000 in Pohjois-Savo (before scaling)."""
    weights: dict[str, float] = {}
    by_region: dict[str, list[Municipality]] = {}
    for municipality in municipalities:
        by_region.setdefault(municipality.region.code, []).append(municipality)
    for region_code in sorted(by_region):
        members = by_region[region_code]
        region_total = REGION_BASE.get(region_code, OTHER_REGION_BASE)
        known = {m.code: KNOWN_COUNTS[m.code] for m in members if m.code in KNOWN_COUNTS}
        rest = [m for m in members if m.code not in KNOWN_COUNTS]
        remaining = max(region_total - sum(known.values()), 0)
        # Small municipalities have more associations per resident, hence the damping exponent.
        rest_weights = {m.code: POPULATION.get(m.code, 2.0) ** 0.75 for m in rest}
        rest_sum = sum(rest_weights.values()) or 1.0
        weights.update(known)
        for code, weight in rest_weights.items():
            weights[code] = remaining * weight / rest_sum
    return weights


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


class _Generator:
    """Builds unsaved associations and their many-to-many rows from one random stream."""

    def __init__(self, *, seed: int, today: dt.date) -> None:
        self.rng = reproducible_random(seed)
        self.now = timezone.make_aware(dt.datetime.combine(today, dt.time(12, 0)), dt.UTC)
        self.used_names: set[str] = set()
        # Slugs of associations that are not demo data are taken too (only they can collide).
        self.used_slugs: set[str] = set(Organisation.objects.values_list("slug", flat=True))
        self.slug_numbers: dict[str, int] = {}
        self.used_register_numbers: set[str] = set()
        self.sectors = {sector.slug: sector for sector in Sector.objects.all()}
        self.target_groups = {group.slug: group for group in TargetGroup.objects.all()}
        self.languages = {language.code: language for language in Language.objects.all()}

    def person(self) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)

    def village(self, municipality: Municipality) -> str:
        # A stable handful of villages per municipality, so several associations share a village.
        local = reproducible_random(f"{municipality.code}-{self.rng.randrange(8)}")
        return local.choice(VILLAGE_FIRST) + local.choice(VILLAGE_LAST)[1]

    def place(self, municipality: Municipality) -> str:
        roll = self.rng.random()
        districts = DISTRICTS.get(municipality.code)
        if districts and roll < 0.35:
            return self.rng.choice(districts)
        if roll > 0.9:
            return f"{genitive(municipality.name_fi)} Seudun"
        return genitive(municipality.name_fi)

    def name(self, sector_slug: str, municipality: Municipality, region_genitive: str | None) -> str:
        patterns = NAME_PATTERNS[sector_slug]
        candidate = ""
        for _attempt in range(6):
            pattern = self.rng.choice(patterns)
            place = region_genitive or self.place(municipality)
            base = pattern.format(g=place, v=self.village(municipality))
            # "Kuopion Seudun Seudun Eläkeläiset" would read badly.
            base = base.replace("Seudun Seudun", "Seudun")
            candidate = f"{base} ry"
            if candidate not in self.used_names:
                break
        self.used_names.add(candidate)
        return candidate

    def slug(self, name: str) -> str:
        base = slugify(name)[:200]
        slug, number = base, self.slug_numbers.get(base, 2)
        while slug in self.used_slugs:
            slug, number = f"{base}-{number}", number + 1
        self.slug_numbers[base] = number
        self.used_slugs.add(slug)
        return slug

    def register_number(self) -> str:
        for _attempt in range(20):
            number = str(self.rng.randrange(100_000, 240_000))
            if number not in self.used_register_numbers:
                break
        self.used_register_numbers.add(number)
        return number

    def business_id(self) -> str:
        while True:
            base = f"{self.rng.randrange(100_000, 3_400_000):07d}"
            # The check digit makes the weighted sum divisible by 11; a remainder of 1 is never issued.
            check = (11 - alv.checksum(base + "0")) % 11
            if check < 10 and ytunnus.is_valid(base + str(check)):
                return f"{base}-{check}"

    def phone(self) -> str:
        return f"{self.rng.choice(('040', '044', '050'))} 123 {self.rng.randrange(10_000):04d}"

    def status(self) -> str:
        roll = self.rng.random()
        if roll < 0.88:
            return Organisation.Status.PUBLISHED
        if roll < 0.92:
            return Organisation.Status.DRAFT
        if roll < 0.96:
            return Organisation.Status.PENDING
        return Organisation.Status.ARCHIVED

    def visibility(self, weights: tuple[float, float, float]) -> str:
        return self.rng.choices((Visibility.PUBLIC, Visibility.MUNICIPAL, Visibility.STAFF), weights=weights, k=1)[0]

    def organisation(
        self,
        *,
        municipality: Municipality,
        sector_slug: str,
        region_genitive: str | None,
    ) -> tuple[Organisation, list[str]]:
        rng = self.rng
        name = self.name(sector_slug, municipality, region_genitive)
        slug = self.slug(name)
        domain = ascii_local(name.removesuffix(" ry"))[:50] + DEMO_DOMAIN_SUFFIX
        place_genitive = genitive(municipality.name_fi)
        pool = DESCRIPTIONS[sector_slug]
        # Sentences keep their written order: the first of each sector introduces the association.
        chosen = sorted(rng.sample(range(len(pool)), k=min(len(pool), rng.randint(2, 3))))
        description = " ".join(pool[index].format(g=place_genitive) for index in chosen)

        status = self.status()
        confirmed_at = None
        if status != Organisation.Status.DRAFT or rng.random() < 0.3:
            confirmed_at = self.now - dt.timedelta(days=rng.uniform(0, 3 * 365))

        has_register = rng.random() < 0.75
        accessibility = rng.choices(list(Organisation.Accessibility), weights=(40, 30, 20, 10), k=1)[0]
        details = ""
        if accessibility in ACCESSIBILITY_DETAILS and rng.random() < 0.7:
            details = rng.choice(ACCESSIBILITY_DETAILS[accessibility])

        first, last = self.person()
        has_name = rng.random() < 0.85
        consent = has_name and rng.random() < 0.6
        # Without consent nothing personal is public: visibilities stay municipal or staff.
        public_weights = (0.6, 0.25, 0.15) if consent else (0.0, 0.5, 0.5)
        role_address = rng.choice(("sihteeri", "puheenjohtaja", "info"))
        organisation = Organisation(
            name=name,
            slug=slug,
            register_number=self.register_number() if has_register else "",
            business_id=self.business_id() if has_register and rng.random() < 0.35 else "",
            home_municipality=municipality,
            description=description,
            website=f"https://{domain}/" if rng.random() < 0.6 else "",
            facebook_url=f"https://facebook.example/{slug}" if rng.random() < 0.3 else "",
            email=f"info@{domain}" if rng.random() < 0.5 else "",
            phone=self.phone() if rng.random() < 0.6 else "",
            meeting_place=f"{rng.choice(MEETING_PLACES)}, {municipality.name_fi}" if rng.random() < 0.7 else "",
            street_address=f"{rng.choice(STREETS)} {rng.randint(1, 40)}" if rng.random() < 0.4 else "",
            accessibility=accessibility,
            accessibility_details=details,
            contact_name=f"{first} {last}" if has_name else "",
            contact_email=(
                f"{ascii_local(first)}.{ascii_local(last)}@{domain}" if has_name else f"{role_address}@{domain}"
            ),
            contact_phone=self.phone() if has_name and rng.random() < 0.7 else "",
            contact_name_visibility=self.visibility(public_weights),
            contact_email_visibility=self.visibility(public_weights),
            contact_phone_visibility=self.visibility(public_weights),
            contact_consent_at=(
                (confirmed_at or self.now) - dt.timedelta(days=rng.randint(0, 60)) if consent else None
            ),
            status=status,
            information_confirmed_at=confirmed_at,
            created_at=(confirmed_at or self.now) - dt.timedelta(days=rng.randint(0, 2000)),
        )
        if organisation.street_address:
            organisation.post_office = municipality.name_fi.upper()

        sector_slugs = [sector_slug]
        if rng.random() < 0.1:
            other = rng.choice(list(NAME_PATTERNS))
            if other != sector_slug:
                sector_slugs.append(other)
        return organisation, sector_slugs

    def target_group_slugs(self, sector_slugs: list[str]) -> list[str]:
        pool = SECTOR_TARGET_GROUPS[sector_slugs[0]]
        chosen = self.rng.sample(pool, k=min(len(pool), self.rng.randint(1, 2)))
        return [slug for slug in chosen if slug in self.target_groups]

    def language_codes(self) -> list[str]:
        codes = ["fi"]
        roll = self.rng.random()
        if roll < 0.05:
            codes.append("sv")
        if 0.04 < roll < 0.14:
            codes.append("en")
        if self.rng.random() < 0.02:
            codes.append(self.rng.choice(("ru", "uk", "ar", "et", "so")))
        return [code for code in codes if code in self.languages]


def plan_counts(*, total: int, municipalities: Sequence[Municipality]) -> dict[str, int]:
    """How many associations each served municipality gets, adding up to ``total``."""
    return largest_remainder(municipality_weights(municipalities), total)


def _sector_plan(rng: random.Random, total: int) -> list[str]:
    shares = {row["slug"]: float(row.get("share", 0)) for row in read("sectors") if row["slug"] in NAME_PATTERNS}
    counts = largest_remainder(shares, total)
    plan = [slug for slug, count in counts.items() for _ in range(count)]
    rng.shuffle(plan)
    return plan


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
            active_in: list[str] = []
            if regional:
                active_in = [m.code for m in region_members if m is not municipality]
            elif rng.random() < 0.12:
                neighbours = [
                    m.code
                    for m in region_members
                    if m is not municipality and m.subregion_code == municipality.subregion_code
                ] or [m.code for m in region_members if m is not municipality]
                active_in = rng.sample(neighbours, k=min(len(neighbours), rng.randint(1, 3)))
            organisations.append(organisation)
            extra.append(
                (active_in, sector_slugs, generator.target_group_slugs(sector_slugs), generator.language_codes())
            )

    _bulk_insert(Organisation, organisations, assign_ids=True)
    through = Organisation.municipalities.through
    _bulk_through(
        through,
        (
            through(organisation_id=organisation.pk, municipality_id=by_code[code].pk)
            for organisation, (active_in, *_rest) in zip(organisations, extra, strict=True)
            for code in active_in
        ),
    )
    through = Organisation.sectors.through
    _bulk_through(
        through,
        (
            through(organisation_id=organisation.pk, sector_id=generator.sectors[slug].pk)
            for organisation, (_m, sector_slugs, _t, _l) in zip(organisations, extra, strict=True)
            for slug in sector_slugs
        ),
    )
    through = Organisation.target_groups.through
    _bulk_through(
        through,
        (
            through(organisation_id=organisation.pk, targetgroup_id=generator.target_groups[slug].pk)
            for organisation, (_m, _s, group_slugs, _l) in zip(organisations, extra, strict=True)
            for slug in group_slugs
        ),
    )
    through = Organisation.languages.through
    _bulk_through(
        through,
        (
            through(organisation_id=organisation.pk, language_id=generator.languages[code].pk)
            for organisation, (_m, _s, _t, language_codes) in zip(organisations, extra, strict=True)
            for code in language_codes
        ),
    )
    ids = [organisation.pk for organisation in organisations]
    refresh_search_index(ids)
    return ids


@transaction.atomic
def demo_municipal_contacts_create(*, seed: int) -> list[MunicipalContact]:
    rng = reproducible_random(f"contacts-{seed}")
    contacts = []
    for municipality in Municipality.objects.served().filter(code__in=CONTACT_MUNICIPALITIES).order_by("code"):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
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
    return result
