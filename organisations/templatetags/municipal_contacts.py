from django import template
from django.utils.formats import number_format

from ..exports import export_urls
from ..models import MunicipalContact, Municipality
from ..permissions import request_scope_codes
from ..selectors.chosen import export_scope
from ..services.municipal import filter_query_string

register = template.Library()


@register.simple_tag
def public_contacts(municipality: Municipality):
    return MunicipalContact.objects.filter(is_public=True, municipalities=municipality)


@register.simple_tag(takes_context=True)
def is_municipal_contact(context) -> bool:
    request = context.get("request")
    return request is not None and bool(request_scope_codes(request))


@register.simple_tag(takes_context=True)
def export_links(context) -> dict:
    """The current directory filters as export links, for those who may export; nothing for others.

    With the page's ``directory`` it also tells what the export will hold (the count within the
    account's municipalities, from the facet counts the page has already read).
    """
    request = context.get("request")
    if request is None:
        return {}
    codes = request_scope_codes(request)
    if not codes:
        return {}
    query_string = filter_query_string(request.GET)
    links = {"urls": export_urls(query_string), "query_string": query_string}
    directory = context.get("directory")
    if directory is not None and not directory.is_valid():
        # The export refuses what the page only reports (an unknown code): no links that fail.
        links["invalid"] = True
    elif directory is not None:
        scope = export_scope(directory, codes)
        links.update(
            scope=scope,
            count=number_format(scope.count, force_grouping=True),
            names=", ".join(scope.municipality_names),
        )
    return links
