"""Views of the associations' self-service and of moderation (kept apart from the public directory).

Objects are loaded through the account's scope (``editable_organisations``, a moderator's queue),
so another association's slug is a 404, exactly like a missing one.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.permissions import (
    can_moderate,
    can_revert_organisation,
    can_view_organisation_history,
    editable_organisations,
    requires_capability,
    staff_needs_two_factor,
)
from portal.ratelimit import client_address, within_limit

from . import services
from .forms import (
    ClaimForm,
    DecisionForm,
    InvitationForm,
    OrganisationEditForm,
    OrganisationRegistrationForm,
    ReportForm,
    ReportResolveForm,
)
from .history import describe_changes, describe_reason
from .models import ClaimRequest, Organisation, Report


def staff_second_factor(view):
    """Staff reach every listing and the queue through these views: like staff pages, only after
    the session has passed the TOTP step (accounts.middleware guards the admin the same way).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        reason = staff_needs_two_factor(request)
        if reason is not None:
            target = reverse("mfa_activate_totp" if reason == "setup" else "mfa_reauthenticate")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def signed_in(view):
    return requires_capability("account")(staff_second_factor(view))


def moderator_required(view):
    return requires_capability("moderate")(staff_second_factor(view))


def _editable(request, slug: str) -> Organisation:
    return get_object_or_404(editable_organisations(request.user).select_related("home_municipality"), slug=slug)


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_GET
@signed_in
def my_organisations(request):
    editorships = (
        request.user.editorships.select_related("organisation__home_municipality").order_by("organisation__name").all()
    )
    claims = request.user.claim_requests.filter(status=ClaimRequest.Status.PENDING).select_related("organisation")
    return render(
        request,
        "organisations/my_organisations.html",
        {"editorships": editorships, "pending_claims": claims},
    )


@require_http_methods(["GET", "POST"])
@signed_in
def organisation_register(request):
    form = OrganisationRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_register(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you! %(name)s is now waiting for a moderator. We will tell you by e-mail.")
                % {"name": organisation.name},
            )
            return redirect("organisations:my")
    return render(request, "organisations/organisation_register.html", {"form": form})


@require_http_methods(["GET", "POST"])
@signed_in
def organisation_edit(request, slug: str):
    organisation = _editable(request, slug)
    form = OrganisationEditForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=organisation, user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect(organisation.get_absolute_url())
    if form.errors:
        # The form changed the instance while validating; show the stored name, not the rejected one.
        organisation.refresh_from_db()
    return render(request, "organisations/organisation_edit.html", {"organisation": organisation, "form": form})


@require_http_methods(["GET", "POST"])
@signed_in
def organisation_editors(request, slug: str):
    organisation = _editable(request, slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                organisation=organisation,
                invited_by=request.user,
                email=form.cleaned_data["email"],
                language=translation.get_language(),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("The invitation has been sent."))
            return redirect("organisations:editors", slug=organisation.slug)
    context = {
        "organisation": organisation,
        "form": form,
        "editorships": organisation.editorships.select_related("user").order_by("created_at"),
        "invitations": organisation.invitations.open(),
    }
    return render(request, "organisations/organisation_editors.html", context)


@require_POST
@signed_in
def editor_remove(request, slug: str, pk: int):
    organisation = _editable(request, slug)
    editorship = get_object_or_404(organisation.editorships.select_related("user"), pk=pk)
    try:
        services.editorship_remove(editorship=editorship, removed_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("organisations:editors", slug=organisation.slug)
    messages.success(request, _("%(email)s is no longer an editor.") % {"email": editorship.user.email})
    if editorship.user_id == request.user.pk and not can_moderate(request.user):
        return redirect("organisations:my")
    return redirect("organisations:editors", slug=organisation.slug)


@require_POST
@signed_in
def organisation_confirm(request, slug: str):
    organisation = _editable(request, slug)
    services.organisation_confirm(organisation=organisation, user=request.user)
    messages.success(request, _("Thank you! The listing is marked as up to date."))
    return redirect("organisations:my")


@require_GET
@signed_in
def organisation_history(request, slug: str):
    organisation = _editable(request, slug)
    if not can_view_organisation_history(request.user):
        raise PermissionDenied
    versions = organisation.history.select_related("history_user").order_by("-history_date", "-history_id")
    rows = [{"version": version, "reason": describe_reason(version)} for version in versions[:200]]
    return render(request, "organisations/organisation_history.html", {"organisation": organisation, "rows": rows})


@require_http_methods(["GET", "POST"])
@signed_in
def organisation_version(request, slug: str, history_id: int):
    organisation = _editable(request, slug)
    if not can_view_organisation_history(request.user):
        raise PermissionDenied
    version = get_object_or_404(organisation.history.select_related("history_user"), history_id=history_id)
    if request.method == "POST":
        if not can_revert_organisation(request.user):
            raise PermissionDenied
        services.organisation_revert(organisation=organisation, history_id=version.history_id, user=request.user)
        messages.success(request, _("The listing has been restored to the chosen version."))
        return redirect("organisations:history", slug=organisation.slug)
    previous = version.prev_record
    context = {
        "organisation": organisation,
        "version": version,
        "reason": describe_reason(version),
        "changes": describe_changes(version, previous),
        "can_revert": can_revert_organisation(request.user),
    }
    return render(request, "organisations/organisation_version.html", context)


@require_http_methods(["GET", "POST"])
@signed_in
def organisation_claim(request, slug: str):
    organisation = get_object_or_404(Organisation.objects.published(), slug=slug)
    if organisation.editorships.filter(user=request.user).exists():
        messages.info(request, _("You are already an editor of this association."))
        return redirect("organisations:edit", slug=organisation.slug)
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_create(
                organisation=organisation,
                user=request.user,
                role=form.cleaned_data["role"],
                message=form.cleaned_data["message"],
                language=translation.get_language(),
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you! A moderator will look at your request."))
            return redirect("organisations:my")
    return render(request, "organisations/organisation_claim.html", {"organisation": organisation, "form": form})


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


@require_http_methods(["GET", "POST"])
@signed_in
def invitation_accept(request, token: str):
    invitation = services.invitation_find(token)
    if invitation is None:
        return render(request, "organisations/invitation_invalid.html", status=404)
    error = None
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Welcome! You can now edit %(name)s.") % {"name": invitation.organisation})
            return redirect("organisations:edit", slug=invitation.organisation.slug)
    elif invitation.accepted_at is not None:
        error = _("This invitation has already been used.")
    elif invitation.is_expired:
        error = _("This invitation has expired. Ask the association for a new one.")
    elif invitation.email.lower() != request.user.email.lower():
        error = _("This invitation was sent to a different e-mail address. Log in with that address to accept it.")
    return render(
        request,
        "organisations/invitation_accept.html",
        {"invitation": invitation, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def confirm_link(request, token: str):
    """The e-mailed "still correct" link: GET only shows a button, the POST confirms.

    Mail scanners and link previews fetch every link in a message; a GET that confirmed would mark
    listings as checked without anybody reading them.
    """
    try:
        ticket = services.confirmation_token_read(token)
        if request.method == "POST":
            organisation = services.organisation_confirm_by_link(token=token)
            return render(request, "organisations/confirm_done.html", {"organisation": organisation})
        confirmed_at = ticket.organisation.information_confirmed_at
        if confirmed_at is not None and confirmed_at >= ticket.issued_at:
            raise services.ConfirmationLinkError("used")
    except services.ConfirmationLinkError as error:
        status = 200 if error.reason == "used" else 400
        return render(request, "organisations/confirm_invalid.html", {"reason": error.reason}, status=status)
    return render(request, "organisations/confirm_link.html", {"organisation": ticket.organisation, "token": token})


# Moderation


@require_GET
@moderator_required
def moderation_queue(request):
    stale = Organisation.objects.stale().select_related("home_municipality").order_by("last_confirmed")
    context = {
        "registrations": Organisation.objects.awaiting_moderation()
        .select_related("home_municipality")
        .order_by("created_at"),
        "claims": ClaimRequest.objects.filter(status=ClaimRequest.Status.PENDING).select_related(
            "organisation", "user"
        ),
        "reports": Report.objects.unresolved().select_related("organisation"),
        "stale": stale[:50],
        "stale_count": stale.count(),
    }
    return render(request, "organisations/moderation_queue.html", context)


@require_http_methods(["GET", "POST"])
@moderator_required
def moderation_registration(request, slug: str):
    organisation = get_object_or_404(
        Organisation.objects.awaiting_moderation()
        .select_related("home_municipality")
        .prefetch_related("sectors", "target_groups"),
        slug=slug,
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["decision"] == DecisionForm.APPROVE:
            services.organisation_approve(organisation=organisation, moderator=request.user)
            messages.success(request, _("%(name)s is now published.") % {"name": organisation.name})
        else:
            services.organisation_reject(
                organisation=organisation, moderator=request.user, reason=form.cleaned_data["reason"]
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
            services.claim_approve(claim=claim, moderator=request.user, reason=reason)
            messages.success(request, _("%(email)s is now an editor.") % {"email": claim.user.email})
        else:
            services.claim_reject(claim=claim, moderator=request.user, reason=reason)
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
        services.report_resolve(report=report, moderator=request.user, resolution=form.cleaned_data["resolution"])
        messages.success(request, _("The report is marked as resolved."))
        return redirect("organisations:moderation")
    return render(request, "organisations/moderation_report.html", {"report": report, "form": form})


@require_POST
@moderator_required
def moderation_archive(request, slug: str):
    organisation = get_object_or_404(Organisation.objects.exclude(status=Organisation.Status.ARCHIVED), slug=slug)
    services.organisation_archive(organisation=organisation, moderator=request.user)
    messages.success(request, _("%(name)s has been archived.") % {"name": organisation.name})
    return redirect("organisations:moderation")
