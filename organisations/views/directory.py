"""Views of the public directory: the filtered list, a listing, municipalities; the front page's section."""

import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from portal.page_cache import PAGE_CACHE_SECONDS, cache_anonymous_page
from portal.registry import page_sections, render_page_sections, sections_max_age, sections_version

from ..filters import Sort
from ..models import Municipality, Organisation, OrganisationRelatedNames
from ..models.reference import slug_url, swedish_active, url_prefix
from ..permissions import can_view_organisation, municipal_scope, visible_contact_fields
from ..search import directory_version
from ..selectors.chosen import chosen_filter_chips
from ..selectors.directory import Directory, directory_total, municipality_sector_counts
from ..selectors.municipal import contacts_version, municipality_sector_samples
from ..selectors.reference import directory_reference

PAGE_SIZE = 20
# A municipality page shows this many associations per sector and links to the directory for the rest.
MUNICIPALITY_SECTOR_SAMPLE = 10
# As json_script does: "</script>" or "<!--" in a description cannot end the data block early.
# Rendered fragments are keyed by the directory's version, so they never outlive a change; the
# expiry only bounds how long unused ones stay in Redis.
FRAGMENT_CACHE_SECONDS = 3600
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@require_GET
# Every part of the list comes from the directory (its associations, counts and filter options).
@cache_anonymous_page(directory_version)
def organisation_list(request):
    directory = Directory(request.GET)
    # The counts come first: they decide whether a search falls back to similar names.
    total = directory.total()
    paginator = Paginator(directory.ordered(), PAGE_SIZE)
    # The total comes from the facet counts, which are needed anyway: no separate COUNT(*).
    paginator.count = total
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = directory.page_organisations(page.object_list, number=page.number)
    chips = chosen_filter_chips(directory, request.GET, path=request.path)
    kept_filters = [(chip.facet, chip.value) for chip in chips if chip.facet != "q"]
    if request.GET.get("jarjestys") and directory.cleaned().get("jarjestys"):
        kept_filters.append(("jarjestys", directory.cleaned()["jarjestys"]))
    context = {
        "directory": directory,
        "chips": chips,
        "chosen_count": sum(1 for chip in chips if chip.facet != "q"),
        "kept_filters": kept_filters,
        "filter": directory.filterset,
        "facets_html": directory.facet_fieldsets_html(),
        "q": request.GET.get("q", ""),
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "sort": directory.sort,
        "sort_choices": [
            (value, label) for value, label in Sort.choices if value != Sort.RELEVANCE or directory.searching
        ],
        "errors": directory.invalid_messages(),
        "similar": directory.similar,
    }
    # A link with an unknown code still shows the directory, with the problem explained.
    status = 400 if context["errors"] else 200
    return render(request, "organisations/organisation_list.html", context, status=status)


def _json_ld(data: dict) -> str:
    """schema.org data for a <script type="application/ld+json"> block, safe against "</script>"."""
    return mark_safe(json.dumps(data, ensure_ascii=False, indent=None).translate(JSON_SCRIPT_ESCAPES))  # noqa: S308


def municipalities_of_activity(organisation: Organisation) -> tuple[str, list[str]]:
    """The municipalities of activity as a listing shows them ("A, B", in the active language)
    and their Finnish names: from the association's kept related names (no query when they came
    with it), from its many-to-many table before the search index has written them."""
    try:
        names = organisation.related_names
    except OrganisationRelatedNames.DoesNotExist:
        municipalities = list(organisation.municipalities.all())
        return ", ".join(municipality.name for municipality in municipalities), [m.name_fi for m in municipalities]
    shown = names.municipalities_sv if swedish_active() else names.municipalities_fi
    return shown, [name for name in names.municipalities_fi.split(", ") if name]


def organisation_json_ld(
    request, organisation: Organisation, area_names_fi: list[str], language_codes: list[str]
) -> str:
    data: dict = {
        "@context": "https://schema.org",
        "@type": "NGO",
        "name": organisation.name,
        "url": request.build_absolute_uri(organisation.get_absolute_url()),
    }
    if organisation.name_sv:
        data["alternateName"] = organisation.name_sv
    if organisation.description:
        data["description"] = organisation.description
    if organisation.email:
        data["email"] = organisation.email
    if organisation.phone:
        data["telephone"] = organisation.phone
    if organisation.business_id:
        data["taxID"] = organisation.business_id
    if organisation.logo:
        data["logo"] = request.build_absolute_uri(organisation.logo.url)
    links = [organisation.website, organisation.facebook_url, organisation.instagram_url, organisation.other_social_url]
    if any(links):
        data["sameAs"] = [link for link in links if link]
    address = {"@type": "PostalAddress", "addressCountry": "FI"}
    if organisation.street_address:
        address["streetAddress"] = organisation.street_address
    if organisation.postal_code:
        address["postalCode"] = organisation.postal_code
    address["addressLocality"] = organisation.post_office or organisation.home_municipality.name_fi
    address["addressRegion"] = organisation.home_municipality.region.name_fi
    data["address"] = address
    data["areaServed"] = [
        {"@type": "AdministrativeArea", "name": name}
        for name in dict.fromkeys([organisation.home_municipality.name_fi, *area_names_fi])
    ]
    if language_codes:
        data["knowsLanguage"] = language_codes
    if organisation.information_confirmed_at:
        data["dateModified"] = organisation.information_confirmed_at.date().isoformat()
    return _json_ld(data)


def _page_version(page: str, *own: Callable[[], object]):
    """A page of the directory's own with other apps' sections: cached under all their versions."""

    def version() -> tuple[object, ...] | None:
        sections = sections_version(page_sections(page))
        return None if sections is None else (directory_version(), *(part() for part in own), *sections)

    return version


def _page_max_age(page: str):
    return lambda: sections_max_age(page_sections(page), PAGE_CACHE_SECONDS)


@require_GET
# The listing (moved with the directory's version) and the apps' sections about it.
@cache_anonymous_page(_page_version("organisation"), seconds=_page_max_age("organisation"))
def organisation_detail(request, slug: str):
    organisation = get_object_or_404(
        Organisation.objects.select_related("home_municipality__region", "related_names"), slug=slug
    )
    # Drafts and pending listings look exactly like missing ones to everybody else.
    if not can_view_organisation(request.user, organisation):
        raise Http404
    article, json_ld = listing_article(request, organisation)
    context = {
        "organisation": organisation,
        "article": mark_safe(article),  # noqa: S308  (rendered by our own template, escaped there)
        "json_ld": mark_safe(json_ld),  # noqa: S308  (escaped by _json_ld)
        # Other apps' parts of a public listing (the events it organises, …).
        "extra_sections": render_page_sections("organisation", request, organisation) if organisation.is_public else [],
    }
    return render(request, "organisations/organisation_detail.html", context)


def listing_article(request, organisation: Organisation) -> tuple[str, str]:
    """The listing's article and schema.org data.

    What an anonymous visitor sees is the same for all of them: kept per directory version (moved
    by every change to a listing, its relations or the names of its sectors and places), the
    listing's own last change and confirmation, and the language, so the query for its
    municipalities is made once, not on every visit.
    """
    anonymous = not request.user.is_authenticated
    # The schema.org data holds absolute addresses: the host is part of what is rendered.
    state = (organisation.updated_at, organisation.information_confirmed_at, request.scheme, request.get_host())
    digest = hashlib.sha256(repr(state).encode()).hexdigest()[:24]
    key = f"organisations:listing:{directory_version()}:{get_language()}:{organisation.pk}:{digest}"
    if anonymous:
        cached = cache.get(key)
        if cached is not None:
            return cached
    # Sectors, target groups and languages from the association's bit sets and the cached
    # reference snapshot: one query (its municipalities) where there were four.
    reference = directory_reference()
    classifications = {
        "sectors": reference.in_bit_set(reference.sectors, organisation.sector_mask),
        "target_groups": reference.in_bit_set(reference.target_groups, organisation.target_group_mask),
        "languages": reference.in_bit_set(reference.languages, organisation.language_mask),
    }
    areas, area_names_fi = municipalities_of_activity(organisation)
    as_municipal_contact = (
        request.user.is_authenticated
        and municipal_scope(request.user).filter(pk=organisation.home_municipality_id).exists()
    )
    contact_fields = visible_contact_fields(request.user, organisation, as_municipal_contact=as_municipal_contact)
    contact = {
        field: getattr(organisation, field)
        for field in ("contact_name", "contact_email", "contact_phone")
        if field in contact_fields and getattr(organisation, field)
    }
    article = render_to_string(
        "organisations/_organisation_article.html",
        {"organisation": organisation, "contact": contact, "areas": areas, **classifications},
        request=request,
    )
    language_codes = [language.value for language in classifications["languages"]]
    json_ld = (
        organisation_json_ld(request, organisation, area_names_fi, language_codes) if organisation.is_public else ""
    )
    if anonymous:
        cache.set(key, (article, str(json_ld)), FRAGMENT_CACHE_SECONDS)
    return article, json_ld


@require_GET
def municipality_list(request):
    municipalities = Municipality.objects.served().select_related("region").order_by("region__code", "name_fi")
    counts = Directory({}).facet_counts()["kunta"]
    for municipality in municipalities:
        municipality.organisation_count = counts.get(municipality.pk, 0)
    return render(request, "organisations/municipality_list.html", {"municipalities": municipalities})


@require_GET
# Also the municipality's public contacts (organisations/_municipal_contacts.html).
@cache_anonymous_page(_page_version("municipality", contacts_version), seconds=_page_max_age("municipality"))
def municipality_detail(request, key: str):
    lookup = {"code": key} if key.isdigit() else {"slug": key}
    municipality = get_object_or_404(Municipality.objects.served().select_related("region"), **lookup)
    context = {
        "municipality": municipality,
        "body": municipality_body(municipality),
        "extra_sections": render_page_sections("municipality", request, municipality),
    }
    return render(request, "organisations/municipality_detail.html", context)


def municipality_body(municipality: Municipality) -> str:
    """The municipality page's count and associations by sector, rendered once per directory
    version and language (the same for every visitor): the samples' query and a hundred links."""
    names = hashlib.sha256(repr((municipality.code, municipality.name_fi, municipality.name_sv)).encode())
    key = (
        f"organisations:municipality-body:{directory_version()}:{get_language()}:"
        f"{','.join(settings.PORTAL_REGIONS)}:{municipality.pk}:{names.hexdigest()[:16]}"
    )
    body = cache.get(key)
    if body is None:
        # Counted on this municipality's rows alone; the body is cached, the counts need not be.
        sector_counts, total = municipality_sector_counts(municipality.pk)
        sectors = [option for option in directory_reference().sectors if sector_counts.get(option.pk)]
        samples = municipality_sector_samples(municipality, sectors, size=MUNICIPALITY_SECTOR_SAMPLE)
        body = render_to_string(
            "organisations/_municipality_body.html",
            {
                "municipality": municipality,
                "total": total,
                "sectors": [
                    {
                        "sector": option,
                        "count": sector_counts[option.pk],
                        # A hundred links: joined here rather than looped over in the template.
                        "links": format_html_join(
                            "",
                            '<li><a href="{}">{}</a></li>',
                            ((sample.get_absolute_url(), sample.localised_name) for sample in samples[option.pk]),
                        ),
                    }
                    for option in sectors
                ],
                "sample_size": MUNICIPALITY_SECTOR_SAMPLE,
            },
        )
        cache.set(key, body, FRAGMENT_CACHE_SECONDS)
    return mark_safe(body)  # noqa: S308  (rendered by our own template, escaped there)


_home_links: dict[tuple[str, str, str], tuple[str, str]] = {}


def home_links(reference) -> tuple[SafeString, SafeString]:
    """The front page's links to each sector and each served municipality, from the reference
    snapshot: no query and no template loop. They change only with the reference data, so they are
    joined once per snapshot, language and address prefix in each process: with every region
    served, escaping three hundred municipalities' names and addresses after each edit to a
    listing cost a third of the front page's first render."""
    key = (reference.key, get_language(), url_prefix("organisations:municipality"))
    links = _home_links.get(key)
    if links is None:
        directory_url = reverse("organisations:list")
        links = (
            format_html_join(
                "",
                '<li><a href="{}?toimiala={}">{}</a></li>',
                ((directory_url, option.value, option.name) for option in reference.sectors),
            ),
            format_html_join(
                "",
                '<li><a href="{}">{}</a></li>',
                (
                    (slug_url("organisations:municipality", option.slug), option.name)
                    for option in reference.municipalities
                ),
            ),
        )
        if len(_home_links) > 32:  # old snapshots' links: never asked for again
            _home_links.clear()
        _home_links[key] = links
    return links


def home_section(request) -> dict:
    """The front page's part of the directory (``organisations/_home_directory.html``).

    Rendered once per directory version and language: the same for every visitor (no form token,
    nothing personal), and its links to every served municipality cost more than the rest of the
    front page. A new version (any edit to a listing) renders it again with the new total.
    """
    key = f"organisations:home-section:{directory_version()}:{get_language()}:{','.join(settings.PORTAL_REGIONS)}"
    body = cache.get(key)
    if body is None:
        sector_links, municipality_links = home_links(directory_reference())
        body = render_to_string(
            "organisations/_home_directory_body.html",
            {
                # The directory's cached total: no COUNT over every association on each visit.
                "organisation_count": directory_total(),
                "sector_links": sector_links,
                "municipality_links": municipality_links,
            },
        )
        cache.set(key, body, FRAGMENT_CACHE_SECONDS)
    return {"body": mark_safe(body)}  # noqa: S308  (rendered by our own template, escaped there)
