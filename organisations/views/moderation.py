"""Views of moderation: the queue, decisions, archiving, a listing's history; residents' reports.

Moderators and staff only (``moderator_required``), except the report form, which is open to
anyone and rate-limited per client address.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.audit import audit_entries_for
from portal.ratelimit import client_address, within_limit

from ..forms.moderation import DecisionForm, ModerationQueueForm, ReportForm, ReportResolveForm
from ..models import ClaimRequest, Organisation, Report
from ..permissions import can_moderate, can_revert_organisation, can_view_organisation_history
from ..selectors.history import describe_changes, describe_reason, history_authors
from ..selectors.moderation import QueueKind, moderation_queue_counts
from ..selectors.moderation import moderation_queue as moderation_queue_items
from ..services import moderation as services
from .common import editable_or_404, moderator_required, signed_in


@require_GET
@signed_in
def organisation_history(request, slug: str):
    organisation = editable_or_404(request, slug)
    if not can_view_organisation_history(request.user, organisation):
        raise PermissionDenied
    moderator = can_moderate(request.user)
    versions = list(organisation.history.select_related("history_user").order_by("-history_date", "-history_id")[:200])
    authors = history_authors(organisation, versions, for_moderator=moderator)
    rows = [
        {"version": version, "reason": describe_reason(version), "author": authors[version.history_user_id]}
        for version in versions
    ]
    # The audit log holds moderators' notes and client addresses: moderators' reading only.
    context = {
        "organisation": organisation,
        "rows": rows,
        "show_audit": moderator,
        "audit_entries": audit_entries_for(organisation)[:200] if moderator else [],
    }
    return render(request, "organisations/organisation_history.html", context)


@require_http_methods(["GET", "POST"])
@signed_in
def organisation_version(request, slug: str, history_id: int):
    organisation = editable_or_404(request, slug)
    if not can_view_organisation_history(request.user, organisation):
        raise PermissionDenied
    version = get_object_or_404(organisation.history.select_related("history_user"), history_id=history_id)
    if request.method == "POST":
        if not can_revert_organisation(request.user):
            raise PermissionDenied
        services.organisation_revert(
            organisation=organisation, history_id=version.history_id, user=request.user, request=request
        )
        messages.success(request, _("The listing has been restored to the chosen version."))
        return redirect("organisations:history", slug=organisation.slug)
    previous = version.prev_record
    context = {
        "organisation": organisation,
        "version": version,
        "reason": describe_reason(version),
        "author": history_authors(organisation, [version], for_moderator=can_moderate(request.user))[
            version.history_user_id
        ],
        "changes": describe_changes(version, previous),
        "can_revert": can_revert_organisation(request.user),
    }
    return render(request, "organisations/organisation_version.html", context)


@require_http_methods(["GET", "POST"])
def organisation_report(request, slug: str):
    organisation = get_object_or_404(Organisation.objects.published(), slug=slug)
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        key = f"organisations.report:{client_address(request)}"
        if not within_limit(key, limit=settings.ORGANISATION_REPORTS_PER_HOUR, window_seconds=3600):
            form.add_error(None, _("You have sent many reports in a short time. Please try again in an hour."))
            status = 429
        elif form.is_valid():
            services.report_create(
                organisation=organisation,
                reason=form.cleaned_data["reason"],
                message=form.cleaned_data["message"],
                reporter=request.user,
            )
            messages.success(request, _("Thank you! The moderators will check the listing."))
            return redirect(organisation.get_absolute_url())
    return render(
        request, "organisations/organisation_report.html", {"organisation": organisation, "form": form}, status=status
    )


# Moderation


QUEUE_PAGE_SIZE = 50


@require_GET
@moderator_required
def moderation_queue(request):
    form = ModerationQueueForm(request.GET)
    filters = form.filters()
    ignored = [str(error) for errors in form.errors.values() for error in errors]
    paginator = Paginator(moderation_queue_items(**filters), QUEUE_PAGE_SIZE)
    requested = request.GET.get("page", "1")
    try:
        page = paginator.page(requested)
    except PageNotAnInteger:
        ignored.append(_("“%(value)s” is not a page number; showing the first page.") % {"value": requested})
        page = paginator.page(1)
    except EmptyPage:
        ignored.append(_("There is no page %(value)s; showing the last page.") % {"value": requested})
        page = paginator.page(paginator.num_pages)
    counts = moderation_queue_counts(municipality=filters["municipality"], name=filters["name"])
    context = {
        "form": form,
        "ignored": ignored,
        "kind": filters["kind"],
        "tabs": [(kind, label, counts[kind]) for kind, label in QueueKind.choices],
        "page_obj": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }
    return render(request, "organisations/moderation_queue.html", context)


@require_http_methods(["GET", "POST"])
@moderator_required
def moderation_registration(request, slug: str):
    organisation = get_object_or_404(
        Organisation.objects.awaiting_moderation()
        .select_related("home_municipality__region")
        .prefetch_related("sectors", "target_groups", "languages", "municipalities"),
        slug=slug,
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["decision"] == DecisionForm.APPROVE:
            services.organisation_approve(organisation=organisation, moderator=request.user, request=request)
            messages.success(request, _("%(name)s is now published.") % {"name": organisation.name})
        else:
            services.organisation_reject(
                organisation=organisation, moderator=request.user, reason=form.cleaned_data["reason"], request=request
            )
            messages.success(request, _("The registration of %(name)s was rejected.") % {"name": organisation.name})
        return redirect("organisations:moderation")
    duplicates = (
        Organisation.objects.likely_duplicates(
            name=organisation.name,
            home_municipality=organisation.home_municipality,
            register_number=organisation.register_number,
            business_id=organisation.business_id,
        )
        .exclude(pk=organisation.pk)
        .select_related("home_municipality")
    )
    context = {
        "organisation": organisation,
        "form": form,
        "duplicates": duplicates,
        "editors": organisation.editorships.select_related("user"),
    }
    return render(request, "organisations/moderation_registration.html", context)


@require_http_methods(["GET", "POST"])
@moderator_required
def moderation_claim(request, pk: int):
    claim = get_object_or_404(
        ClaimRequest.objects.filter(status=ClaimRequest.Status.PENDING).select_related("organisation", "user"), pk=pk
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        if form.cleaned_data["decision"] == DecisionForm.APPROVE:
            services.claim_approve(claim=claim, moderator=request.user, reason=reason, request=request)
            messages.success(request, _("%(email)s is now an editor.") % {"email": claim.user.email})
        else:
            services.claim_reject(claim=claim, moderator=request.user, reason=reason, request=request)
            messages.success(request, _("The request was rejected."))
        return redirect("organisations:moderation")
    context = {
        "claim": claim,
        "form": form,
        "editors": claim.organisation.editorships.select_related("user"),
    }
    return render(request, "organisations/moderation_claim.html", context)


@require_http_methods(["GET", "POST"])
@moderator_required
def moderation_report(request, pk: int):
    report = get_object_or_404(Report.objects.unresolved().select_related("organisation", "reporter"), pk=pk)
    form = ReportResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_resolve(
            report=report, moderator=request.user, resolution=form.cleaned_data["resolution"], request=request
        )
        messages.success(request, _("The report is marked as resolved."))
        return redirect("organisations:moderation")
    return render(request, "organisations/moderation_report.html", {"report": report, "form": form})


@require_POST
@moderator_required
def moderation_archive(request, slug: str):
    organisation = get_object_or_404(Organisation.objects.exclude(status=Organisation.Status.ARCHIVED), slug=slug)
    services.organisation_archive(organisation=organisation, moderator=request.user, request=request)
    messages.success(request, _("%(name)s has been archived.") % {"name": organisation.name})
    return redirect("organisations:moderation")
