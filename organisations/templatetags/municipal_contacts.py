from django import template

from ..exports import export_urls
from ..models import MunicipalContact, Municipality
from ..permissions import can_export
from ..services.municipal import filter_query_string

register = template.Library()


@register.simple_tag
def public_contacts(municipality: Municipality):
    return MunicipalContact.objects.filter(is_public=True, municipalities=municipality)


@register.simple_tag(takes_context=True)
def export_links(context) -> dict:
    """The current directory filters as export links, for those who may export; nothing for others."""
    request = context.get("request")
    if request is None or not can_export(request.user):
        return {}
    query_string = filter_query_string(request.GET)
    return {"urls": export_urls(query_string), "query_string": query_string}
