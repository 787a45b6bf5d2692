import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from organisations import services
from organisations.models import ClaimRequest, Editorship, Municipality, Organisation, Report
from tests.organisations.factories import OrganisationFactory, UserFactory, sector
from tests.organisations.roles import make_editor, make_moderator

pytestmark = pytest.mark.django_db


def registration_post(**overrides):
    data = {
        "name": "Savon Sieniseura ry",
        "register_number": "123.456",
        "business_id": "2077474-0",
        "home_municipality": Municipality.objects.get(code="297").pk,
        "sectors": [sector("kulttuuri").pk],
        "description": "Sieniretkiä syksyisin.",
    }
    data.update(overrides)
    return data


def edit_post(listing, **overrides):
    """Everything the edit form shows, as the browser would send it back."""
    data = {
        "name": listing.name,
        "home_municipality": listing.home_municipality_id,
        "description": listing.description,
        "accessibility": listing.accessibility,
        "contact_name_visibility": "staff",
        "contact_email_visibility": "staff",
        "contact_phone_visibility": "staff",
    }
    data.update(overrides)
    return data


def png_bytes(size=(20, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


# Registration


def test_registration_creates_a_pending_listing(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("organisations:register"), registration_post())
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:my")
    organisation = Organisation.objects.get(name="Savon Sieniseura ry")
    assert organisation.status == Organisation.Status.PENDING
    assert organisation.register_number == "123456"
    assert organisation.business_id == "2077474-0"
    assert organisation.editorships.get().user == user
    # Pending listings are not public yet.
    client.logout()
    assert client.get(organisation.get_absolute_url()).status_code == 404


def test_registration_ignores_a_hidden_status_and_slug(client):
    client.force_login(UserFactory())
    client.post(
        reverse("organisations:register"),
        registration_post(status="published", slug="kaappaus", information_confirmed_at="2030-01-01"),
    )
    organisation = Organisation.objects.get(name="Savon Sieniseura ry")
    assert organisation.status == Organisation.Status.PENDING
    assert organisation.slug == "savon-sieniseura-ry"
    assert organisation.information_confirmed_at is None


@pytest.mark.parametrize(
    ("prefix", "business_id_error", "required_error"),
    [
        ("", "Anna kelvollinen Y-tunnus muodossa 1234567-1.", "Tämä kenttä vaaditaan."),
        ("/sv", "Ange ett giltigt FO-nummer i formen 1234567-1.", "Detta fält måste fyllas i."),
    ],
)
def test_invalid_registration_shows_translated_errors_and_saves_nothing(
    client, prefix, business_id_error, required_error
):
    client.force_login(UserFactory())
    response = client.post(
        prefix + reverse("organisations:register"), registration_post(name="", business_id="1234567-2")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert business_id_error in page
    assert required_error in page
    assert 'aria-describedby="id_business_id_helptext id_business_id_error"' in page
    assert 'aria-invalid="true"' in page
    assert not Organisation.objects.filter(business_id="1234567-2").exists()
    assert Organisation.objects.count() == 0


def test_duplicate_register_number_is_caught_and_claiming_is_offered(client):
    listed = OrganisationFactory(name="Savon Sieniseura ry", register_number="123456")
    client.force_login(UserFactory())
    response = client.post(reverse("organisations:register"), registration_post(name="Sieniseura Savo"))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("organisations:claim", args=[listed.slug]) in page
    assert Organisation.objects.count() == 1


def test_similar_name_in_the_same_municipality_asks_for_confirmation(client):
    listed = OrganisationFactory(name="Kuopion Sieniseura ry")
    client.force_login(UserFactory())
    data = registration_post(name="Kuopion sieniseura", register_number="", business_id="")
    response = client.post(reverse("organisations:register"), data)
    assert response.status_code == 200
    assert reverse("organisations:claim", args=[listed.slug]) in response.content.decode()
    assert Organisation.objects.count() == 1
    response = client.post(reverse("organisations:register"), {**data, "not_a_duplicate": "on"})
    assert response.status_code == 302
    assert Organisation.objects.count() == 2


def test_editor_publishes_changes_at_once(client):
    organisation = OrganisationFactory(description="Vanha kuvaus")
    editor = make_editor(organisation)
    client.force_login(editor)
    response = client.post(
        reverse("organisations:edit", args=[organisation.slug]),
        edit_post(organisation, description="Tervetuloa sieniretkelle!", sectors=[sector("kulttuuri").pk]),
    )
    assert response.status_code == 302
    client.logout()
    assert "Tervetuloa sieniretkelle!" in client.get(organisation.get_absolute_url()).content.decode()
    organisation.refresh_from_db()
    assert "sieniretkelle" in organisation.search_document
    assert organisation.history.latest().history_user == editor


def test_hidden_status_slug_and_other_ids_in_an_edit_change_nothing(client):
    mine = OrganisationFactory(name="Oma ry")
    theirs = OrganisationFactory(name="Toinen ry", description="Koskematon")
    client.force_login(make_editor(mine))
    response = client.post(
        reverse("organisations:edit", args=[mine.slug]),
        edit_post(
            mine,
            status="archived",
            slug="kaapattu",
            id=theirs.pk,
            pk=theirs.pk,
            organisation=theirs.pk,
            information_confirmed_at="2030-01-01T00:00",
            contact_consent_at="2030-01-01T00:00",
            description="Muutettu",
        ),
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.slug, mine.description) == (Organisation.Status.PUBLISHED, "oma-ry", "Muutettu")
    # Saving confirms the listing now, never at the date the POST names.
    assert mine.information_confirmed_at.year == timezone.now().year
    assert mine.contact_consent_at is None
    assert theirs.description == "Koskematon"


def test_editor_of_a_cannot_reach_b_by_guessing_addresses(client):
    a = OrganisationFactory(name="Yhdistys A ry")
    b = OrganisationFactory(name="Yhdistys B ry", description="B:n oma")
    make_editor(b)
    client.force_login(make_editor(a))
    b_version = b.history.earliest()
    pages = [
        reverse("organisations:edit", args=[b.slug]),
        reverse("organisations:editors", args=[b.slug]),
        reverse("organisations:history", args=[b.slug]),
        reverse("organisations:version", args=[b.slug, b_version.history_id]),
    ]
    for page in pages:
        assert client.get(page).status_code == 404, page
    assert client.post(pages[0], edit_post(b, description="Kaapattu")).status_code == 404
    assert client.post(pages[1], {"email": "ulkopuolinen@example.org"}).status_code == 404
    editorship = b.editorships.get()
    assert client.post(reverse("organisations:editor_remove", args=[b.slug, editorship.pk])).status_code == 404
    # B's editor through A's address is no more reachable.
    assert client.post(reverse("organisations:editor_remove", args=[a.slug, editorship.pk])).status_code == 404
    assert client.post(reverse("organisations:confirm", args=[b.slug])).status_code == 404
    b.refresh_from_db()
    assert b.description == "B:n oma"
    assert b.invitations.count() == 0
    assert Editorship.objects.filter(pk=editorship.pk).exists()
    assert b.information_confirmed_at is None


def test_invalid_edit_returns_the_form_with_errors_and_saves_nothing(client):
    organisation = OrganisationFactory(name="Ennallaan ry")
    client.force_login(make_editor(organisation))
    response = client.post(
        reverse("organisations:edit", args=[organisation.slug]),
        edit_post(organisation, name="", email="ei-sahkoposti", description="Ei tallennu"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tämä kenttä vaaditaan." in page
    assert "Syötä kelvollinen sähköpostiosoite." in page
    organisation.refresh_from_db()
    assert organisation.name == "Ennallaan ry"
    assert organisation.description == ""


def test_oversized_logo_is_a_clear_form_error(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    organisation = OrganisationFactory()
    client.force_login(make_editor(organisation))
    huge = SimpleUploadedFile("logo.png", png_bytes() + b"\0" * (50 * 1024 * 1024), content_type="image/png")
    response = client.post(
        reverse("organisations:edit", args=[organisation.slug]), {**edit_post(organisation), "logo": huge}
    )
    assert response.status_code == 200
    assert "Logo on liian suuri (50.0 Mt). Enimmäiskoko on 2 Mt." in response.content.decode()
    organisation.refresh_from_db()
    assert not organisation.logo


def test_valid_logo_is_saved(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    organisation = OrganisationFactory()
    client.force_login(make_editor(organisation))
    logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")
    response = client.post(
        reverse("organisations:edit", args=[organisation.slug]), {**edit_post(organisation), "logo": logo}
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.logo.name.startswith("logos/")


def test_too_large_request_body_is_a_400_page(client, settings):
    organisation = OrganisationFactory()
    client.force_login(make_editor(organisation))
    before = (organisation.description, organisation.updated_at, organisation.history.count())
    response = client.post(
        reverse("organisations:edit", args=[organisation.slug]),
        edit_post(organisation, description="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "<h1>Virheellinen pyyntö</h1>" in page
    assert "Osoitteessa tai lomakkeessa oli jotain, mitä emme ymmärtäneet" in page
    organisation.refresh_from_db()
    assert (organisation.description, organisation.updated_at, organisation.history.count()) == before


def test_contact_details_need_consent_to_be_shown(client):
    organisation = OrganisationFactory()
    client.force_login(make_editor(organisation))
    url = reverse("organisations:edit", args=[organisation.slug])
    data = edit_post(organisation, contact_name="Testi Henkilö", contact_name_visibility="public")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Yhteyshenkilön suostumus tarvitaan" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.contact_name == ""
    assert client.post(url, {**data, "contact_consent": "on"}).status_code == 302
    organisation.refresh_from_db()
    assert organisation.contact_name == "Testi Henkilö"
    assert organisation.contact_consent_at is not None
    # Withdrawing consent clears the timestamp.
    assert client.post(url, edit_post(organisation, contact_name="Testi Henkilö")).status_code == 302
    organisation.refresh_from_db()
    assert organisation.contact_consent_at is None


def test_edit_form_page_query_count(client, django_assert_max_num_queries):
    organisation = OrganisationFactory()
    client.force_login(make_editor(organisation))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("organisations:edit", args=[organisation.slug])).status_code == 200


# History


def test_claim_flow_through_the_pages(client, mailoutbox, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(name="Tervon Kyläyhdistys ry")
    claimant = UserFactory()
    client.force_login(claimant)
    response = client.post(
        reverse("organisations:claim", args=[organisation.slug]), {"role": "puheenjohtaja", "message": "Hei"}
    )
    assert response.status_code == 302
    claim = ClaimRequest.objects.get()
    # A second request while the first waits is refused with a message.
    again = client.post(reverse("organisations:claim", args=[organisation.slug]), {"role": "jäsen"})
    assert again.status_code == 200
    assert ClaimRequest.objects.count() == 1
    # Not a moderator: cannot decide, even on one's own request.
    response = client.post(reverse("organisations:moderation_claim", args=[claim.pk]), {"decision": "approve"})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimRequest.Status.PENDING
    client.force_login(make_moderator())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisations:moderation_claim", args=[claim.pk]), {"decision": "approve"})
    claim.refresh_from_db()
    assert claim.status == ClaimRequest.Status.APPROVED
    assert organisation.editorships.filter(user=claimant).exists()
    assert mailoutbox[0].to == [claimant.email]
    assert reverse("organisations:edit", args=[organisation.slug]) in mailoutbox[0].body


def test_claim_with_missing_role_shows_an_error(client):
    organisation = OrganisationFactory()
    client.force_login(UserFactory())
    response = client.post(reverse("organisations:claim", args=[organisation.slug]), {"role": ""})
    assert response.status_code == 200
    assert "Tämä kenttä vaaditaan." in response.content.decode()
    assert not ClaimRequest.objects.exists()


# Editors and invitations


def test_invitation_through_the_pages(client, mailoutbox, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory()
    client.force_login(make_editor(organisation))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:editors", args=[organisation.slug]), {"email": "uusi@example.org"}
        )
    assert response.status_code == 302
    link = re.search(r"http://\S+/kutsu/\S+/", mailoutbox[0].body).group(0)
    path = link.replace("http://127.0.0.1:8000", "")
    client.force_login(UserFactory(email="vaara@example.org"))
    assert "eri sähköpostiosoitteeseen" in client.get(path).content.decode()
    wrong = client.post(path)
    assert wrong.status_code == 400
    assert "eri sähköpostiosoitteeseen" in wrong.content.decode()
    invitee = UserFactory(email="uusi@example.org")
    client.force_login(invitee)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert organisation.editorships.filter(user=invitee).exists()
    assert client.get(path).status_code == 400
    assert client.get("/kutsu/arvattu-tunniste/").status_code == 404


def test_last_editor_removal_is_refused_with_a_message(client):
    organisation = OrganisationFactory()
    editor = make_editor(organisation)
    client.force_login(editor)
    response = client.post(
        reverse("organisations:editor_remove", args=[organisation.slug, organisation.editorships.get().pk]),
        follow=True,
    )
    assert "Yhdistyksellä on aina oltava vähintään yksi ylläpitäjä." in response.content.decode()
    assert organisation.editorships.filter(user=editor).exists()


# Reports


def test_confirmation_link_get_changes_nothing_and_post_confirms(client):
    organisation = OrganisationFactory()
    editor = make_editor(organisation)
    token = services.confirmation_token_make(organisation=organisation, user=editor)
    url = reverse("organisations:confirm_link", args=[token])
    response = client.get(url)
    assert response.status_code == 200
    assert organisation.name in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.information_confirmed_at is None
    assert client.post(url).status_code == 200
    organisation.refresh_from_db()
    assert organisation.information_confirmed_at is not None
    again = client.get(url)
    assert "Tiedot on jo vahvistettu" in again.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_tampered_confirmation_link_is_a_clear_page_and_changes_nothing(client, method):
    organisation = OrganisationFactory()
    editor = make_editor(organisation)
    token = services.confirmation_token_make(organisation=organisation, user=editor)
    response = getattr(client, method)(reverse("organisations:confirm_link", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert "Linkki ei ole voimassa" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.information_confirmed_at is None


def test_expired_confirmation_link_changes_nothing(client, settings):
    settings.ORGANISATION_CONFIRMATION_LINK_MAX_AGE_DAYS = 60
    organisation = OrganisationFactory()
    editor = make_editor(organisation)
    token = services.confirmation_token_make(organisation=organisation, user=editor)
    settings.ORGANISATION_CONFIRMATION_LINK_MAX_AGE_DAYS = -1
    response = client.post(reverse("organisations:confirm_link", args=[token]))
    assert response.status_code == 400
    assert "Linkki on vanhentunut" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.information_confirmed_at is None


def test_my_associations_page(client, django_assert_max_num_queries):
    user = UserFactory()
    for _ in range(3):
        make_editor_of = OrganisationFactory()
        make_editor_of.editorships.create(user=user)
    client.force_login(user)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("organisations:my"))
    assert response.status_code == 200
    assert reverse("organisations:register") in response.content.decode()


def test_header_links_follow_the_role(client):
    organisation = OrganisationFactory()
    client.force_login(make_editor(organisation))
    page = client.get(reverse("organisations:list")).content.decode()
    assert reverse("organisations:my") in page
    assert reverse("organisations:moderation") not in page
    client.force_login(make_moderator())
    assert reverse("organisations:moderation") in client.get(reverse("organisations:list")).content.decode()
    client.logout()
    assert reverse("organisations:my") not in client.get(reverse("organisations:list")).content.decode()


def test_public_page_shows_freshness_and_offers_report_and_claim(client):
    organisation = OrganisationFactory()
    Organisation.objects.filter(pk=organisation.pk).update(
        information_confirmed_at=timezone.now() - timedelta(days=800)
    )
    page = client.get(organisation.get_absolute_url()).content.decode()
    assert "Mahdollisesti vanhentunut" in page
    assert "Tiedot vahvistettu viimeksi" in page
    assert reverse("organisations:report", args=[organisation.slug]) in page
    assert reverse("organisations:claim", args=[organisation.slug]) in page
    Organisation.objects.filter(pk=organisation.pk).update(information_confirmed_at=timezone.now())
    client.force_login(make_editor(organisation))
    page = client.get(organisation.get_absolute_url()).content.decode()
    assert "Mahdollisesti vanhentunut" not in page
    assert reverse("organisations:edit", args=[organisation.slug]) in page
    assert reverse("organisations:claim", args=[organisation.slug]) not in page


def test_download_my_data_includes_claims_reports_invitations_and_changes(client):
    import json

    organisation = OrganisationFactory(name="Omat Tiedot ry")
    user = UserFactory(email="oma.data@example.org")
    services.claim_create(organisation=organisation, user=user, role="rahastonhoitaja", message="", language="fi")
    services.report_create(organisation=organisation, reason=Report.Reason.WRONG, message="Väärä osoite", reporter=user)
    other = OrganisationFactory()
    services.invitation_create(
        organisation=other, invited_by=make_editor(other), email="Oma.Data@example.org", language="fi"
    )
    services.organisation_update(organisation=other, user=make_moderator(), data={"description": "x"})
    client.force_login(user)
    data = json.loads(client.get(reverse("accounts:personal_data")).content)
    assert [claim["role"] for claim in data["claim_requests"]] == ["rahastonhoitaja"]
    assert [report["message"] for report in data["listing_reports"]] == ["Väärä osoite"]
    assert [invitation["organisation"] for invitation in data["invitations"]] == [other.name]
    assert data["listing_changes"] == []


def test_control_characters_are_refused_with_a_clear_error_but_line_breaks_stay_in_the_description(client):
    organisation = OrganisationFactory(name="Ennallaan ry")
    client.force_login(make_editor(organisation))
    url = reverse("organisations:edit", args=[organisation.slug])
    response = client.post(url, edit_post(organisation, post_office="\x01", description="Rivi\x07"))
    assert response.status_code == 200
    assert response.content.decode().count("näkymättömiä ohjausmerkkejä") >= 2  # both fields (and the summary)
    organisation.refresh_from_db()
    assert organisation.post_office == ""
    response = client.post(url, edit_post(organisation, post_office="Kuopio", description="Rivi 1\r\n\tRivi 2"))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert "Rivi 1" in organisation.description and "\tRivi 2" in organisation.description


def image_bytes(format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format=format)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("uploaded_name", "format", "extension"),
    [
        ("logo.pdf", "PNG", ".png"),
        ("logo.ps", "JPEG", ".jpeg"),
        ("kuva.png.html", "WEBP", ".webp"),
        ("x", "PNG", ".png"),
    ],
)
def test_a_logo_is_stored_under_its_detected_format_whatever_its_name(
    client, settings, tmp_path, uploaded_name, format, extension
):
    settings.MEDIA_ROOT = tmp_path
    organisation = OrganisationFactory()
    client.force_login(make_editor(organisation))
    logo = SimpleUploadedFile(uploaded_name, image_bytes(format), content_type="application/pdf")
    response = client.post(
        reverse("organisations:edit", args=[organisation.slug]), {**edit_post(organisation), "logo": logo}
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.logo.name.startswith("logos/")
    assert organisation.logo.name.endswith(extension)
    assert organisation.logo.name.count(".") == 1


def test_a_logo_in_another_image_format_is_refused_with_a_clear_error(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    organisation = OrganisationFactory()
    client.force_login(make_editor(organisation))
    logo = SimpleUploadedFile("logo.png", image_bytes("GIF"), content_type="image/png")
    response = client.post(
        reverse("organisations:edit", args=[organisation.slug]), {**edit_post(organisation), "logo": logo}
    )
    assert response.status_code == 200
    organisation.refresh_from_db()
    assert not organisation.logo
    assert "PNG, JPEG" in response.content.decode()


def test_the_business_id_examples_the_forms_give_are_valid_business_ids():
    from stdnum.fi import ytunnus

    from organisations.forms.selfservice import OrganisationRegistrationForm
    from organisations.validators import validate_business_id

    with pytest.raises(Exception) as error:
        validate_business_id("1")
    texts = [str(OrganisationRegistrationForm().fields["business_id"].help_text), str(error.value.messages[0])]
    examples = [re.search(r"\d{7}-\d", text).group() for text in texts]
    assert all(ytunnus.is_valid(example) for example in examples), examples


def test_an_editor_who_saves_the_listing_confirms_it(client):
    organisation = OrganisationFactory(information_confirmed_at=timezone.now() - timedelta(days=5 * 365))
    assert organisation.is_possibly_outdated
    client.force_login(make_editor(organisation))
    response = client.post(reverse("organisations:edit", args=[organisation.slug]), edit_post(organisation))
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert not organisation.is_possibly_outdated
    assert organisation.information_confirmed_at > timezone.now() - timedelta(minutes=5)
