"""Demo newsletter: fictional subscribers on ``.example`` addresses and a few issues in the archive.

Deterministic for a seed; running it again adds nothing. The issues are marked sent without
mailing anybody (their deliveries are not created): the archive and the secretary's pages have
something to show, and the fictional addresses never reach an SMTP server.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from organisations.models import Municipality, Sector

from .models import Issue, Subscriber
from .services import CONSENT_WORDING, CONSENT_WORDING_VERSION

DEMO_DOMAIN = "uutiskirje.example"

ISSUES = [
    (
        "Syksyn järjestöinfo ja avustushaku",
        "<h2>Avustushaku on auki</h2><p>Kuntien yhdistysavustusten haku päättyy kuun lopussa. "
        "Järjestöneuvottelukunta neuvoo hakemuksissa tiistaisin.</p>"
        "<ul><li>Toiminta-avustukset</li><li>Kohdeavustukset</li></ul>",
        "Höstens föreningsinfo och bidragsansökan",
        "<h2>Bidragsansökan är öppen</h2><p>Ansökan om kommunernas föreningsbidrag går ut i slutet av "
        "månaden. Föreningsdelegationen ger råd om ansökningarna på tisdagar.</p>",
    ),
    (
        "Vapaaehtoisten ilta ja uudet yhdistykset",
        "<p>Tervetuloa vapaaehtoisten iltaan kirjastolle! Esittelemme myös palveluun viime kuussa "
        "liittyneet yhdistykset.</p>",
        "",
        "",
    ),
    (
        "Järjestöneuvottelukunnan vaalit lähestyvät",
        "<p>Neuvottelukunnan jäsenten ehdokasasettelu alkaa. Yhdistys voi asettaa yhden ehdokkaan; "
        'ohjeet ovat <a href="https://jarjestotori.example/ohjeet">ohjesivulla</a>.</p>',
        "Valet till föreningsdelegationen närmar sig",
        "<p>Nomineringen av delegationens medlemmar börjar. En förening kan nominera en kandidat.</p>",
    ),
]


def demo_subscribers():
    return Subscriber.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")


@transaction.atomic
def seed_demo(*, seed: int, stdout=None, subscribers: int = 300) -> None:
    if demo_subscribers().exists():
        if stdout:
            stdout.write("Newsletter demo data already exists; nothing added.")
        return
    rng = random.Random(f"newsletter-{seed}")  # noqa: S311 (demo data, not security)
    municipalities = list(Municipality.objects.served().order_by("code"))
    sectors = list(Sector.objects.order_by("position", "pk"))
    now = timezone.now()
    rows = []
    for number in range(1, subscribers + 1):
        roll = rng.random()
        status = (
            Subscriber.Status.CONFIRMED
            if roll < 0.85
            else Subscriber.Status.PENDING
            if roll < 0.93
            else Subscriber.Status.UNSUBSCRIBED
        )
        requested = now - timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 1440))
        rows.append(
            Subscriber(
                email=f"tilaaja{number:05d}@{DEMO_DOMAIN}",
                language="sv" if rng.random() < 0.08 else "fi",
                status=status,
                created_at=requested,
                consent_requested_at=requested,
                consent_confirmed_at=(requested + timedelta(minutes=rng.randint(1, 600)))
                if status != Subscriber.Status.PENDING
                else None,
                consent_form="subscribe",
                consent_wording_version=CONSENT_WORDING_VERSION,
                consent_wording=CONSENT_WORDING,
                unsubscribed_at=now - timedelta(days=rng.randint(0, 30))
                if status == Subscriber.Status.UNSUBSCRIBED
                else None,
            )
        )
    created = Subscriber.objects.bulk_create(rows, batch_size=2000)
    municipality_links, sector_links = [], []
    for subscriber in created:
        if municipalities and rng.random() < 0.6:
            for municipality in rng.sample(municipalities, k=min(len(municipalities), rng.randint(1, 2))):
                municipality_links.append(
                    Subscriber.municipalities.through(subscriber_id=subscriber.pk, municipality_id=municipality.pk)
                )
        if sectors and rng.random() < 0.4:
            for sector in rng.sample(sectors, k=min(len(sectors), rng.randint(1, 3))):
                sector_links.append(Subscriber.sectors.through(subscriber_id=subscriber.pk, sector_id=sector.pk))
    Subscriber.municipalities.through.objects.bulk_create(municipality_links, batch_size=5000)
    Subscriber.sectors.through.objects.bulk_create(sector_links, batch_size=5000)

    confirmed = demo_subscribers().confirmed().count()
    for months_ago, (title_fi, body_fi, title_sv, body_sv) in zip((3, 2, 1), ISSUES, strict=True):
        sent_at = now - timedelta(days=30 * months_ago)
        Issue.objects.create(
            title_fi=title_fi,
            body_fi=body_fi,
            title_sv=title_sv,
            body_sv=body_sv,
            include_new_organisations=False,
            status=Issue.Status.SENT,
            created_at=sent_at - timedelta(days=2),
            scheduled_at=sent_at,
            started_at=sent_at,
            finished_at=sent_at + timedelta(minutes=1),
            published_at=sent_at,
            recipient_count=confirmed,
        )
    Issue.objects.create(
        title_fi="Joulun tapahtumat yhdistyksissä (luonnos)",
        body_fi="<p>Kokoamme yhdistysten joulutapahtumat tähän numeroon.</p>",
    )
    if stdout:
        stdout.write(f"Created {len(created)} demo newsletter subscribers and {len(ISSUES)} archived issues.")
