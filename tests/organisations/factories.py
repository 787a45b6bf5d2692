import factory
from django.utils.text import slugify

from accounts.models import User
from organisations.models import Municipality, Organisation, Sector


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Testiyhdistys {n} ry")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    status = Organisation.Status.PUBLISHED
    home_municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="297"))

    @factory.post_generation
    def sectors(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.sectors.set(extracted)


def sector(slug: str) -> Sector:
    return Sector.objects.get(slug=slug)


def municipal_contact_user(*codes: str, **user_fields) -> User:
    """An account linked to a municipal contact for the given municipality codes."""
    from organisations.models import MunicipalContact

    user = UserFactory(**user_fields)
    contact = MunicipalContact.objects.create(
        name=f"Yhteyshenkilö {user.pk}", title="Järjestökoordinaattori", user=user
    )
    contact.municipalities.set(Municipality.objects.filter(code__in=codes))
    return user
