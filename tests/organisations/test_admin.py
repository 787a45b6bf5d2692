import pytest
from django.urls import reverse

from organisations.models import Organisation
from tests.roles import add_totp, login_with_totp, verified_user

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_staff_edit_in_the_admin_reaches_the_directory_search(client):
    organisation = OrganisationFactory(name="Vanha Nimi ry")
    staff = verified_user(is_staff=True, is_superuser=True)
    login_with_totp(client, staff, add_totp(staff))
    form = client.get(reverse("admin:organisations_organisation_change", args=[organisation.pk])).context["adminform"]
    data = {
        key: value
        for key, value in form.form.initial.items()
        if value is not None and not isinstance(value, list | tuple) and key != "logo"
    }
    data.update(
        name="Ruusulammen Kamarikuoro ry",
        home_municipality=organisation.home_municipality_id,
        status=Organisation.Status.PUBLISHED,
        **{
            "editorships-TOTAL_FORMS": "0",
            "editorships-INITIAL_FORMS": "0",
            "editorships-MIN_NUM_FORMS": "0",
            "editorships-MAX_NUM_FORMS": "1000",
        },
    )
    response = client.post(reverse("admin:organisations_organisation_change", args=[organisation.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    organisation.refresh_from_db()
    assert "Kamarikuoro" in organisation.search_document
    assert organisation.search_entry.name == "Ruusulammen Kamarikuoro ry"
    results = client.get(reverse("organisations:list"), {"q": "kamarikuoro"})
    assert "Ruusulammen Kamarikuoro ry" in results.content.decode()
