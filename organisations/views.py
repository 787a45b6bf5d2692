from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from portal.permissions import can_view_organisation

from .filters import OrganisationFilter
from .models import Municipality, Organisation

PAGE_SIZE = 20


@require_GET
def organisation_list(request):
    base = Organisation.objects.published().in_served_regions().select_related("home_municipality")
    organisation_filter = OrganisationFilter(request.GET, queryset=base)
    organisations = organisation_filter.qs if organisation_filter.is_valid() else base.none()
    page = Paginator(organisations.prefetch_related("sectors"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "organisations/organisation_list.html", {"filter": organisation_filter, "page_obj": page})


@require_GET
def organisation_detail(request, slug: str):
    organisation = get_object_or_404(
        Organisation.objects.select_related("home_municipality__region").prefetch_related(
            "sectors", "target_groups", "languages", "municipalities"
        ),
        slug=slug,
    )
    # Drafts and pending listings look exactly like missing ones to everybody else.
    if not can_view_organisation(request.user, organisation):
        raise Http404
    return render(request, "organisations/organisation_detail.html", {"organisation": organisation})


@require_GET
def municipality_list(request):
    municipalities = Municipality.objects.served().select_related("region").order_by("region__code", "name_fi")
    return render(request, "organisations/municipality_list.html", {"municipalities": municipalities})


@require_GET
def municipality_detail(request, key: str):
    lookup = {"code": key} if key.isdigit() else {"slug": key}
    municipality = get_object_or_404(Municipality.objects.served().select_related("region"), **lookup)
    organisations = Organisation.objects.published().filter(home_municipality=municipality).prefetch_related("sectors")
    return render(
        request,
        "organisations/municipality_detail.html",
        {"municipality": municipality, "organisations": organisations},
    )
