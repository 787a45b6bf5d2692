"""Meetings, agendas and minutes: drafts stay private, checkers approve, only the secretary publishes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from council import services
from council.models import AgendaItem, Meeting, NewsItem
from portal.audit import audit_entries_for
from portal.permissions import COUNCIL_SECRETARIES_GROUP
from tests.council.factories import MeetingFactory, PersonFactory, TermFactory, seat_with_holders
from tests.roles import verified_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary():
    user = verified_user(email="sihteeri.testi@example.org")
    user.groups.add(Group.objects.get(name=COUNCIL_SECRETARIES_GROUP))
    return user


@pytest.fixture
def checkers():
    return [PersonFactory(email="", user=verified_user(email=f"tarkastaja{i}@example.org")) for i in (1, 2)]


@pytest.fixture
def held_meeting(secretary, checkers):
    meeting = MeetingFactory(
        title="Kokous 3/2026", starts_at=timezone.now() - dt.timedelta(days=3), agenda_published_at=timezone.now()
    )
    AgendaItem.objects.create(meeting=meeting, position=1, title="Järjestöstrategian päivitys")
    meeting.checkers.set(checkers)
    return meeting


def test_minutes_go_from_draft_through_both_checkers_to_the_public_archive(
    client, secretary, checkers, held_meeting, django_capture_on_commit_callbacks, mailoutbox
):
    url = reverse("council:meeting", args=[held_meeting.pk])
    services.minutes_save(
        meeting=held_meeting,
        user=secretary,
        minutes="<p>Päätettiin hyväksyä vesistöstrategia.</p>",
        decisions={held_meeting.agenda_items.get().pk: "Hyväksyttiin."},
    )
    assert "vesistöstrategia" not in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_send_for_checking(meeting=held_meeting, user=secretary)
    assert sorted(m.to[0] for m in mailoutbox) == ["tarkastaja1@example.org", "tarkastaja2@example.org"]

    # A checker reads the draft in the portal and approves it; the public still sees nothing.
    client.force_login(checkers[0].user)
    assert "vesistöstrategia" in client.get(url).content.decode()
    client.post(reverse("council:minutes_approve", args=[held_meeting.pk]))
    held_meeting.refresh_from_db()
    assert held_meeting.minutes_status == Meeting.MinutesStatus.CHECKING
    with pytest.raises(ValidationError):
        services.minutes_publish(meeting=held_meeting, user=secretary)

    client.force_login(checkers[1].user)
    client.post(reverse("council:minutes_approve", args=[held_meeting.pk]))
    held_meeting.refresh_from_db()
    assert held_meeting.minutes_status == Meeting.MinutesStatus.CHECKED

    # A checker may approve but not publish.
    response = client.post(reverse("council:minutes_publish", args=[held_meeting.pk]))
    assert response.status_code == 403
    client.logout()
    assert "vesistöstrategia" not in client.get(url).content.decode()

    client.force_login(secretary)
    client.post(reverse("council:minutes_publish", args=[held_meeting.pk]))
    client.logout()
    page = client.get(url).content.decode()
    assert "vesistöstrategia" in page and "Hyväksyttiin." in page
    audit = list(audit_entries_for(held_meeting).order_by("created_at", "pk").values_list("action", "actor"))
    assert audit == [
        ("council.minutes.sent_for_checking", secretary.pk),
        ("council.minutes.approved", checkers[0].user.pk),
        ("council.minutes.approved", checkers[1].user.pk),
        ("council.minutes.published", secretary.pk),
    ]
    archive = client.get(reverse("council:meetings"), {"q": "vesistöstrategia", "vuosi": held_meeting.starts_at.year})
    assert "Kokous 3/2026" in archive.content.decode()
    assert "Kokous 3/2026" not in client.get(reverse("council:meetings"), {"q": "lentopallo"}).content.decode()


def test_changing_checked_minutes_asks_the_checkers_again(secretary, checkers, held_meeting):
    services.minutes_save(meeting=held_meeting, user=secretary, minutes="<p>Versio 1</p>")
    services.minutes_send_for_checking(meeting=held_meeting, user=secretary)

    for checker in checkers:
        services.minutes_approve(meeting=held_meeting, user=checker.user)
    services.minutes_save(meeting=held_meeting, user=secretary, minutes="<p>Versio 2</p>")
    held_meeting.refresh_from_db()
    assert held_meeting.minutes_status == Meeting.MinutesStatus.DRAFT
    assert not held_meeting.minutes_approvals.exists()


def test_someone_who_is_not_a_checker_cannot_approve(held_meeting, secretary):
    services.minutes_save(meeting=held_meeting, user=secretary, minutes="<p>Teksti</p>")
    services.minutes_send_for_checking(meeting=held_meeting, user=secretary)
    with pytest.raises(PermissionDenied):
        services.minutes_approve(meeting=held_meeting, user=verified_user(email="joku@example.org"))
    with pytest.raises(PermissionDenied):
        services.minutes_publish(meeting=held_meeting, user=verified_user(email="toinen@example.org"))


def test_a_meeting_without_a_published_agenda_is_404_to_everyone_but_the_secretary(client, secretary, login_as):
    meeting = MeetingFactory()
    url = reverse("council:meeting", args=[meeting.pk])
    for role in ("anonymous", "editor", "moderator", "staff"):
        client.logout()
        login_as(client, role)
        assert client.get(url).status_code == 404, role
    client.force_login(secretary)
    assert client.get(url).status_code == 200


def test_publishing_the_agenda_mails_the_members_and_deputies(
    secretary, django_capture_on_commit_callbacks, mailoutbox
):
    term = TermFactory()
    seat_with_holders(
        term,
        member=PersonFactory(email="jasen@example.org"),
        deputy=PersonFactory(email="", user=verified_user(email="varajasen@example.org")),
    )
    meeting = MeetingFactory(remote_link="https://kokous.example/huone")
    services.agenda_item_add(meeting=meeting, user=secretary, title="Avaus")
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_publish(meeting=meeting, user=secretary)
    assert sorted(m.to[0] for m in mailoutbox) == ["jasen@example.org", "varajasen@example.org"]
    assert "https://kokous.example/huone" in mailoutbox[0].body


def test_the_remote_link_is_for_members_only(client, secretary):
    term = TermFactory()
    member_user = verified_user(email="jasen@example.org")
    seat_with_holders(term, member=PersonFactory(user=member_user))
    meeting = MeetingFactory(remote_link="https://kokous.example/huone", agenda_published_at=timezone.now())
    url = reverse("council:meeting", args=[meeting.pk])
    assert "kokous.example" not in client.get(url).content.decode()
    client.force_login(verified_user(email="asukas@example.org"))
    assert "kokous.example" not in client.get(url).content.decode()
    client.force_login(member_user)
    assert "kokous.example" in client.get(url).content.decode()


# --- Rich text --------------------------------------------------------------------------------

HOSTILE = '<p>Hei</p><script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">x</a>'


def assert_clean(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered and "onerror" not in lowered and "javascript:" not in lowered


def test_script_and_event_handlers_never_come_back_out_of_rich_text(client, secretary, held_meeting):
    item = services.news_save(item=NewsItem(title="Uutinen", body=HOSTILE), user=secretary, publish=True)
    assert_clean(NewsItem.objects.get(pk=item.pk).body)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Hei" in page
    assert_clean(page.split('<div class="rich-text">')[1].split("</main>")[0])

    services.minutes_save(meeting=held_meeting, user=secretary, minutes=HOSTILE)
    held_meeting.refresh_from_db()
    assert_clean(held_meeting.minutes)

    document = services.document_save(kind="jarjestostrategia", user=secretary, body=HOSTILE)
    assert_clean(document.body)
    # Through the browser form as well.
    client.force_login(secretary)
    client.post(reverse("council:document_edit", args=["yhdistysohjelma"]), {"body": HOSTILE})
    client.logout()
    page = client.get(reverse("council:document", args=["yhdistysohjelma"])).content.decode()
    assert "Hei" in page
    assert_clean(page.split('<div class="rich-text">')[1].split("</main>")[0])


def test_every_document_change_is_kept_as_a_version(client, secretary):
    services.document_save(kind="viestintasuunnitelma", user=secretary, body="<p>Ensimmäinen</p>")
    document = services.document_save(kind="viestintasuunnitelma", user=secretary, body="<p>Toinen</p>")
    assert [v.body for v in document.history.order_by("history_date")] == ["<p>Ensimmäinen</p>", "<p>Toinen</p>"]
    page = client.get(reverse("council:document", args=["viestintasuunnitelma"])).content.decode()
    assert "Toinen" in page and timezone.localdate().strftime("%-d.%-m.%Y") in page


# --- Attachments ------------------------------------------------------------------------------


def minimal_docx() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_attachments_are_checked_by_content_and_served_as_downloads(client, secretary, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = MeetingFactory(agenda_published_at=timezone.now())
    pdf = SimpleUploadedFile("Esityslista <1>.pdf", b"%PDF-1.7\n%...", content_type="application/pdf")
    attachment = services.attachment_add(meeting=meeting, user=secretary, title="Esityslista", file=pdf)
    assert attachment.filename == "Esityslista_1.pdf"
    response = client.get(reverse("council:attachment", args=[meeting.pk, attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    for close in response._resource_closers:  # the file, without request_finished closing the test's connection
        close()

    docx = SimpleUploadedFile("muistio.docx", minimal_docx())
    assert services.attachment_add(meeting=meeting, user=secretary, title="Muistio", file=docx).content_type.endswith(
        "wordprocessingml.document"
    )
    for name, content in [
        ("kuva.pdf", b"\x89PNG\r\n\x1a\n"),  # a PNG named as a PDF
        ("skripti.html", b"<script>alert(1)</script>"),
        ("muistio.docx", b"%PDF-1.7 not a zip"),
    ]:
        with pytest.raises(ValidationError):
            services.attachment_add(meeting=meeting, user=secretary, title="X", file=SimpleUploadedFile(name, content))
    settings.COUNCIL_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError):
        services.attachment_add(
            meeting=meeting, user=secretary, title="Iso", file=SimpleUploadedFile("iso.pdf", b"%PDF-1.7" + b"0" * 20)
        )


def test_the_news_feeds_list_published_items_only(client, secretary):
    services.news_save(item=NewsItem(title="Julkaistu uutinen", body="<p>x</p>"), user=secretary, publish=True)
    services.news_save(item=NewsItem(title="Luonnos uutinen", body="<p>y</p>"), user=secretary, publish=False)
    for name in ("council:news_atom", "council:news_rss"):
        feed = client.get(reverse(name)).content.decode()
        assert "Julkaistu uutinen" in feed and "Luonnos uutinen" not in feed
    assert client.get(reverse("council:news_detail", args=["luonnos-uutinen"])).status_code == 404
