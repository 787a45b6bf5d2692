"""What the organisations' services share: editable fields, slugs, saving with history, mailing editors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify

from portal.mail import queue_email

from ..models import Organisation, OrganisationSearchEntry
from ..permissions import can_moderate
from ..search import bump_directory_version

# What the registration form may set; everything else (status, slug, timestamps) is the portal's.
REGISTRATION_FIELDS = (
    "name",
    "name_sv",
    "register_number",
    "business_id",
    "home_municipality",
    "sectors",
    "target_groups",
    "description",
    "website",
    "email",
    "phone",
)
# What an editor may change in a listing (and what a revert restores).
EDITABLE_FIELDS = (
    "name",
    "name_sv",
    "register_number",
    "business_id",
    "home_municipality",
    "municipalities",
    "sectors",
    "target_groups",
    "languages",
    "description",
    "website",
    "facebook_url",
    "instagram_url",
    "other_social_url",
    "email",
    "phone",
    "meeting_place",
    "street_address",
    "postal_code",
    "post_office",
    "accessibility",
    "accessibility_details",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_name_visibility",
    "contact_email_visibility",
    "contact_phone_visibility",
    "logo",
)
M2M_FIELDS = ("municipalities", "sectors", "target_groups", "languages")
# Paths under /yhdistykset/ that a listing's slug must never shadow (/yhdistykset/uusi/ registers,
# /yhdistykset/vienti/<format>/ exports).
RESERVED_SLUGS = frozenset({"uusi", "vienti"})


def language_for(user) -> str:
    """The language to write to this account in (the accounts app may store a preference)."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def absolute_url(view_name: str, *, args: Iterable[Any] = (), language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(view_name, args=list(args))


def require_moderator(user) -> None:
    if not can_moderate(user):
        raise PermissionDenied


def unique_slug(name: str, *, taken: set[str] | None = None, check_database: bool = True) -> str:
    """The address name of a new listing: the name slugified, numbered ("-2", "-3", ...) until free.

    Every path that creates listings (registration, import, demo) uses it, so none skips the
    reserved words. ``taken`` holds slugs handed out but not saved yet (a batch) and receives the
    new one; a bulk load that has put every existing slug into ``taken`` passes
    ``check_database=False`` to save a query per listing.
    """
    base = slugify(name)[:200] or "yhdistys"
    slug, number = base, 2
    while (
        slug in RESERVED_SLUGS
        or (taken is not None and slug in taken)
        or (check_database and Organisation.objects.filter(slug=slug).exists())
    ):
        slug, number = f"{base}-{number}", number + 1
    if taken is not None:
        taken.add(slug)
    return slug


def apply_fields(organisation: Organisation, data: dict[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """Copy the allowed fields of ``data`` onto the listing; return the many-to-many values to set."""
    many_to_many = {}
    for name in allowed:
        if name not in data:
            continue
        if name in M2M_FIELDS:
            many_to_many[name] = data[name]
        else:
            # save_form_data understands a file field's "clear" (False) and "unchanged" values.
            Organisation._meta.get_field(name).save_form_data(organisation, data[name])
    return many_to_many


def save_with_history(
    organisation: Organisation, *, user, reason: str, many_to_many: dict[str, Any] | None = None
) -> None:
    """Save the listing and its classifications, then record one version for the whole change.

    simple_history would record every many-to-many ``set()`` as a version of its own; one edit
    should be one version, so the intermediate saves skip history and a final save records it.
    """
    # The logo was validated when uploaded (forms.LogoField); re-reading the stored file on every
    # save would turn a storage hiccup into a failed edit.
    organisation.full_clean(exclude=["logo"])
    organisation.skip_history_when_saving = True
    try:
        organisation.save()
        for name, values in (many_to_many or {}).items():
            getattr(organisation, name).set(values)
    finally:
        del organisation.skip_history_when_saving
    organisation._history_user = user
    organisation._change_reason = reason
    organisation.save(update_fields=["updated_at"])


def directory_changed(organisation: Organisation) -> None:
    # Searches are counted on the search entries, which carry the status too.
    OrganisationSearchEntry.objects.filter(organisation=organisation).update(status=organisation.status)
    # The directory caches its counts per version; bump it once the new status is visible to all.
    transaction.on_commit(bump_directory_version)


def mail_editors(
    organisation: Organisation,
    template_name: str,
    context: dict[str, Any] | Callable[[Any, str], dict[str, Any]] | None = None,
) -> None:
    """Mail every active editor of the listing in their own language.

    ``context`` adds to what every such mail gets (the listing, the editor, its public and edit
    addresses); a callable receives the editor and the language, for what differs per person.
    """
    for editorship in organisation.editorships.select_related("user"):
        user = editorship.user
        if not user.is_active:
            continue
        language = language_for(user)
        extra = context(user, language) if callable(context) else context or {}
        queue_email(
            template_name=template_name,
            to=[user.email],
            context={
                "organisation": organisation,
                "user": user,
                "listing_url": absolute_url("organisations:detail", args=[organisation.slug], language=language),
                "edit_url": absolute_url("organisations:edit", args=[organisation.slug], language=language),
                **extra,
            },
            language=language,
        )
