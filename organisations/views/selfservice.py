"""Views of the associations' self-service: registering, editing, editors, claims, confirming.

Objects are loaded through the account's scope (``editable_organisations``), so another
association's slug is a 404, exactly like a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..forms.selfservice import ClaimForm, InvitationForm, OrganisationEditForm, OrganisationRegistrationForm
from ..models import ClaimRequest, Organisation
from ..permissions import can_moderate
from ..services import selfservice as services
from .common import add_service_errors, editable_or_404, signed_in


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
            add_service_errors(form, error)
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
    organisation = editable_or_404(request, slug)
    form = OrganisationEditForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=organisation, user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
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
    organisation = editable_or_404(request, slug)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                organisation=organisation,
                invited_by=request.user,
                email=form.cleaned_data["email"],
                language=translation.get_language(),
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
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
    organisation = editable_or_404(request, slug)
    editorship = get_object_or_404(organisation.editorships.select_related("user"), pk=pk)
    try:
        services.editorship_remove(editorship=editorship, removed_by=request.user, request=request)
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
    organisation = editable_or_404(request, slug)
    services.organisation_confirm(organisation=organisation, user=request.user)
    messages.success(request, _("Thank you! The listing is marked as up to date."))
    return redirect("organisations:my")


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
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you! A moderator will look at your request."))
            return redirect("organisations:my")
    return render(request, "organisations/organisation_claim.html", {"organisation": organisation, "form": form})


@require_http_methods(["GET", "POST"])
@signed_in
def invitation_accept(request, token: str):
    invitation = services.invitation_find(token)
    if invitation is None:
        return render(request, "organisations/invitation_invalid.html", status=404)
    error = None
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user, request=request)
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
