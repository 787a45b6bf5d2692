"""Views of municipal contacts: their public list, their own page, saved filters and exports."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.permissions import requires_capability

from .. import exports
from ..forms.municipal import SavedFilterForm
from ..models import ExportLog, MunicipalContact, Municipality
from ..permissions import municipal_scope, remember_scope
from ..selectors.chosen import describe_export_filters
from ..selectors.directory import Directory
from ..selectors.municipal import changes_since
from ..services.municipal import (
    export_log_finish,
    export_log_start,
    filter_params,
    saved_filter_delete,
    saved_filter_save,
)

CONTENT_TYPES = {
    ExportLog.Format.CSV: "text/csv; charset=utf-8",
    ExportLog.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportLog.Format.EMAILS: "text/plain; charset=utf-8",
}
EXTENSIONS = {ExportLog.Format.CSV: "csv", ExportLog.Format.XLSX: "xlsx", ExportLog.Format.EMAILS: "txt"}


@require_GET
def municipal_contact_list(request):
    """Every served municipality with its public contacts, grouped by region."""
    municipalities = (
        Municipality.objects.served()
        .select_related("region")
        .prefetch_related(Prefetch("contacts", queryset=MunicipalContact.objects.filter(is_public=True)))
        .order_by("region__code", "name_fi")
    )
    return render(request, "organisations/municipal_contact_list.html", {"municipalities": municipalities})


@require_GET
@requires_capability("municipal_contact")
def organisation_export(request, format: str):
    if format not in ExportLog.Format.values:
        raise Http404
    scope = list(municipal_scope(request.user).values_list("pk", "code"))
    scope_codes = sorted(code for _pk, code in scope)
    outside = sorted(set(request.GET.getlist("kunta")) - set(scope_codes))
    if outside:
        # Refused outright rather than silently narrowed: an edited URL must not look like it worked.
        return render(
            request,
            "organisations/export_refused.html",
            {"outside": outside, "scope": municipal_scope(request.user)},
            status=403,
        )
    # The directory's own filter on the directory's own base, so the export is the list on the
    # screen (including the fallback to similar names when a search finds nothing), then the scope.
    directory = Directory(request.GET)
    if not directory.is_valid():
        return render(request, "organisations/export_invalid.html", {"errors": directory.errors}, status=400)
    directory.total()
    chosen = directory.filtered(ranked=False).filter(home_municipality_id__in=[pk for pk, _code in scope])
    log = export_log_start(
        user=request.user, format=format, filters=filter_params(request.GET), municipalities=scope_codes
    )

    def finish(row_count: int) -> None:
        export_log_finish(log=log, row_count=row_count, request=request)

    prepared = exports.prepare(chosen, user=request.user)
    if format == ExportLog.Format.CSV:
        separator = exports.SEPARATORS.get(request.GET.get("sep", ""), ",")
        stream = exports.stream_csv(prepared, separator=separator, on_row_count=finish)
    elif format == ExportLog.Format.XLSX:
        stream = exports.stream_excel(prepared, on_row_count=finish)
    else:
        joined = request.GET.get("sep") == "semicolon"
        stream = exports.stream_emails(prepared, joined=joined, on_row_count=finish)
    response = StreamingHttpResponse(stream, content_type=CONTENT_TYPES[format])
    filename = f"{slugify(_('associations'))}-{timezone.localdate():%Y-%m-%d}.{EXTENSIONS[format]}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: never kept by a shared cache or the browser's.
    response["Cache-Control"] = "no-store, private"
    return response


@require_GET
@requires_capability("municipal_contact")
def contact_home(request):
    """A municipal contact's own page: saved filters, past exports and what changed since the last one."""
    scope = list(municipal_scope(request.user).select_related("region"))
    remember_scope(request, scope)
    past_exports = list(request.user.export_logs.all()[:20])
    for log in past_exports:
        log.described_filters = describe_export_filters(log.filters)
    last_export = past_exports[0] if past_exports else None
    since = last_export.created_at if last_export else timezone.now() - timedelta(days=30)
    changes = changes_since(municipality_ids=[municipality.pk for municipality in scope], since=since)
    directory_url = reverse("organisations:list")
    saved_filters = [
        {
            "object": saved,
            "directory_url": f"{directory_url}?{saved.query_string}" if saved.query_string else directory_url,
            "exports": exports.export_urls(saved.query_string),
        }
        for saved in request.user.saved_filters.all()
    ]
    return render(
        request,
        "organisations/contact_home.html",
        {
            "scope": scope,
            "past_exports": past_exports,
            "last_export": last_export,
            "since": since,
            "changes": [
                (_("New associations"), changes["new"][:50], changes["new"].count()),
                (_("Updated associations"), changes["updated"][:50], changes["updated"].count()),
                (_("Archived associations"), changes["archived"][:50], changes["archived"].count()),
            ],
            "saved_filters": saved_filters,
            "form": SavedFilterForm(),
        },
    )


@require_POST
@requires_capability("municipal_contact")
def saved_filter_create(request):
    form = SavedFilterForm(request.POST)
    if form.is_valid():
        query = _query_dict(form.cleaned_data["query_string"])
        saved_filter_save(user=request.user, name=form.cleaned_data["name"], query=query)
        messages.success(request, _("The filter was saved."))
    else:
        messages.error(request, _("The filter was not saved: give it a name."))
    return redirect("organisations:contact_home")


def _query_dict(query_string: str) -> QueryDict:
    return QueryDict(query_string.lstrip("?"))


@require_POST
@requires_capability("municipal_contact")
def saved_filter_remove(request, pk: int):
    # Through the account: another's filter is simply not found.
    saved = get_object_or_404(request.user.saved_filters, pk=pk)
    saved_filter_delete(saved_filter=saved)
    messages.success(request, _("The filter was removed."))
    return redirect("organisations:contact_home")
