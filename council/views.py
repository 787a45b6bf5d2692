from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.permissions import requires_capability

from . import selectors, services
from .filters import MeetingArchiveFilter
from .forms import (
    AgendaItemForm,
    ApprovalForm,
    AttachmentForm,
    BallotForm,
    DocumentForm,
    ElectionForm,
    GroupForm,
    MeetingForm,
    MeetingResultFormSet,
    MinutesForm,
    NewsForm,
    NominationForm,
    RejectForm,
)
from .models import CouncilDocument, Election, GroupMembership, Meeting, NewsItem, Nomination, Seat, Term
from .permissions import acting_organisations, checker_person, is_secretary, requires_secretary, sees_member_links

requires_account = requires_capability("account")


def _error_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- Public pages -----------------------------------------------------------------------------


@require_GET
def council_home(request):
    term = Term.objects.current().first()
    context = {
        "term": term,
        "rows": selectors.composition(term) if term else [],
        "working_groups": term.working_groups.prefetch_related("members__organisation") if term else [],
        "document_kinds": CouncilDocument.Kind.choices,
        "next_meeting": Meeting.objects.public().upcoming().first(),
        "news": NewsItem.objects.published()[:3],
    }
    return render(request, "council/home.html", context)


@require_GET
def term_list(request):
    return render(request, "council/term_list.html", {"terms": Term.objects.all()})


@require_GET
def term_detail(request, pk: int):
    term = get_object_or_404(Term, pk=pk)
    context = {
        "term": term,
        "rows": selectors.composition(term),
        "working_groups": term.working_groups.prefetch_related("members__organisation"),
        "can_manage": is_secretary(request.user),
    }
    return render(request, "council/term_detail.html", context)


@require_GET
def group(request):
    acting = acting_organisations(request.user)
    member_ids = set(GroupMembership.objects.active().values_list("organisation_id", flat=True))
    context = {
        "members": selectors.group_members(),
        "can_join": [o for o in acting if o.pk not in member_ids],
        "can_leave": [o for o in acting if o.pk in member_ids],
    }
    return render(request, "council/group.html", context)


@require_POST
@requires_account
def group_join(request):
    form = GroupForm(request.POST, organisations=acting_organisations(request.user))
    if not form.is_valid():
        raise Http404
    services.group_join(organisation=form.cleaned_data["organisation"], user=request.user)
    messages.success(request, _("The association joined the cooperation group."))
    return redirect("council:group")


@require_POST
@requires_account
def group_leave(request):
    form = GroupForm(request.POST, organisations=acting_organisations(request.user))
    if not form.is_valid():
        raise Http404
    services.group_leave(organisation=form.cleaned_data["organisation"], user=request.user)
    messages.success(request, _("The association left the cooperation group."))
    return redirect("council:group")


@require_GET
def election_list(request):
    return render(request, "council/election_list.html", {"elections": Election.objects.select_related("term")})


@require_GET
def election_detail(request, pk: int):
    election = get_object_or_404(Election.objects.select_related("term"), pk=pk)
    acting = list(acting_organisations(request.user))
    in_group = set(GroupMembership.objects.active().values_list("organisation_id", flat=True))
    on_roll = set(election.roll.values_list("organisation_id", flat=True))
    voted = set(election.cast_records.values_list("organisation_id", flat=True))
    context = {
        "election": election,
        "seats": election.seats.order_by("position"),
        "candidates": selectors.candidates(election) if election.candidates_public else [],
        "results": selectors.election_results(election) if election.results_public else [],
        "turnout": selectors.turnout(election),
        "log": election.log.all(),
        "voting_open": services.voting_is_open(election),
        "nominating": [o for o in acting if o.pk in in_group],
        "voting": [(o, o.pk in voted) for o in acting if o.pk in on_roll],
        "nomination_open": election.status == Election.Status.NOMINATION
        and election.method == Election.Method.PORTAL
        and election.nomination_starts_at <= timezone.now() < election.nomination_ends_at,
    }
    return render(request, "council/election_detail.html", context)


@require_GET
def election_ballots(request, pk: int):
    election = get_object_or_404(Election, pk=pk, method=Election.Method.PORTAL, closed_at__isnull=False)
    if request.GET.get("muoto") == "txt":
        # The exact text whose SHA-256 seeds the draw: anyone can hash it and repeat the lot.
        return HttpResponse(services.ballot_list_text(election), content_type="text/plain; charset=utf-8")
    return render(
        request,
        "council/election_ballots.html",
        {"election": election, "ballots": selectors.published_ballot_list(election)},
    )


@require_http_methods(["GET", "POST"])
@requires_account
def nominate(request, pk: int, slug: str):
    organisation = get_object_or_404(acting_organisations(request.user), slug=slug)
    election = get_object_or_404(Election, pk=pk, status=Election.Status.NOMINATION, method=Election.Method.PORTAL)
    form = NominationForm(request.POST if request.method == "POST" else None, election=election)
    if request.method == "POST" and form.is_valid():
        try:
            services.nomination_submit(
                election=election, organisation=organisation, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("The nomination was submitted."))
            return redirect(election)
    return render(request, "council/nominate.html", {"election": election, "organisation": organisation, "form": form})


@require_http_methods(["GET", "POST"])
@requires_account
def vote(request, pk: int, slug: str):
    organisation = get_object_or_404(acting_organisations(request.user), slug=slug)
    election = get_object_or_404(Election, pk=pk, method=Election.Method.PORTAL)
    entry = election.roll.filter(organisation=organisation).first()
    if entry is None:
        raise Http404
    already = election.cast_records.filter(organisation=organisation).exists()
    seats = entry.seats.order_by("position")
    nominations = selectors.candidates(election).filter(seat__in=seats)
    form = BallotForm(request.POST if request.method == "POST" else None, seats=seats, nominations=nominations)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = services.ballot_cast(
                election=election, organisation=organisation, user=request.user, choices=form.choices()
            )
        except services.BallotRefused as refusal:
            messages.error(request, str(refusal))
            return redirect(election)
        # Shown once, in this response: stored with nothing that names the voter (no session, no mail).
        return render(request, "council/receipt.html", {"election": election, "receipt": receipt})
    context = {
        "election": election,
        "organisation": organisation,
        "form": form,
        "already": already,
        "open": services.voting_is_open(election),
    }
    return render(request, "council/ballot.html", context)


@require_GET
def meeting_list(request):
    archive = MeetingArchiveFilter(request.GET, queryset=Meeting.objects.with_published_minutes())
    meetings = archive.qs if archive.is_valid() else Meeting.objects.none()
    years = Meeting.objects.with_published_minutes().dates("starts_at", "year", order="DESC")
    context = {
        "upcoming": Meeting.objects.public().upcoming(),
        "filter": archive,
        "archive": meetings.order_by("-starts_at"),
        "years": [d.year for d in years],
    }
    return render(request, "council/meeting_list.html", context)


def _visible_meeting(request, pk: int) -> Meeting:
    meeting = get_object_or_404(Meeting, pk=pk)
    if meeting.agenda_published_at or is_secretary(request.user):
        return meeting
    raise Http404


@require_GET
def meeting_detail(request, pk: int):
    meeting = _visible_meeting(request, pk)
    checker = checker_person(request.user, meeting)
    show_minutes = (
        meeting.minutes_public
        or is_secretary(request.user)
        or (checker is not None and meeting.minutes_status != Meeting.MinutesStatus.NONE)
    )
    context = {
        "meeting": meeting,
        "items": meeting.agenda_items.prefetch_related("attachments"),
        "attachments": meeting.attachments.filter(agenda_item__isnull=True),
        "show_minutes": show_minutes,
        "show_remote_link": sees_member_links(request.user),
        "checker": checker,
        "checker_approved": checker and meeting.minutes_approvals.filter(person=checker).exists(),
        "can_approve": checker is not None and meeting.minutes_status == Meeting.MinutesStatus.CHECKING,
    }
    return render(request, "council/meeting_detail.html", context)


@require_GET
def attachment_download(request, pk: int, attachment_pk: int):
    meeting = _visible_meeting(request, pk)
    attachment = get_object_or_404(meeting.attachments, pk=attachment_pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
@requires_account
def minutes_approve(request, pk: int):
    meeting = _visible_meeting(request, pk)
    if checker_person(request.user, meeting) is None:
        raise Http404
    try:
        services.minutes_approve(meeting=meeting, user=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("You approved the minutes."))
    return redirect(meeting)


@require_GET
def news_list(request):
    return render(request, "council/news_list.html", {"news": NewsItem.objects.published()})


@require_GET
def news_detail(request, slug: str):
    item = get_object_or_404(NewsItem.objects.published(), slug=slug)
    return render(request, "council/news_detail.html", {"item": item})


@require_GET
def document_detail(request, kind: str):
    if kind not in CouncilDocument.Kind.values:
        raise Http404
    document = CouncilDocument.objects.filter(kind=kind).first() or CouncilDocument(kind=kind, updated_at=None)
    return render(request, "council/document_detail.html", {"document": document})


# --- The secretary ----------------------------------------------------------------------------


@require_GET
@requires_secretary
def desk(request):
    context = {**selectors.secretary_desk(), "document_kinds": CouncilDocument.Kind.choices}
    return render(request, "council/desk.html", context)


@require_http_methods(["GET", "POST"])
@requires_secretary
def election_create(request):
    form = ElectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            election = services.election_open(user=request.user, **data)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            return redirect("council:election_manage", election.pk)
    return render(request, "council/election_form.html", {"form": form})


ELECTION_ACTIONS = {
    "open_voting": services.election_open_voting,
    "close": services.election_close,
    "count": services.election_count,
}


@require_http_methods(["GET", "POST"])
@requires_secretary
def election_manage(request, pk: int):
    election = get_object_or_404(Election.objects.select_related("term"), pk=pk)
    if request.method == "POST":
        action = ELECTION_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            raise Http404
        try:
            action(election=election, user=request.user)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("Done."))
        return redirect("council:election_manage", election.pk)
    context = {
        "election": election,
        "nominations": election.nominations.select_related("seat", "nominated_by", "background_organisation"),
        "turnout": selectors.turnout(election),
        "reject_form": RejectForm(),
        "approval_form": ApprovalForm(),
    }
    return render(request, "council/election_manage.html", context)


@require_http_methods(["GET", "POST"])
@requires_secretary
def election_meeting_results(request, pk: int):
    election = get_object_or_404(Election, pk=pk, method=Election.Method.MEETING, status=Election.Status.NOMINATION)
    formset = MeetingResultFormSet(
        request.POST if request.method == "POST" else None, form_kwargs={"election": election}
    )
    if request.method == "POST" and formset.is_valid():
        rows = [
            services.MeetingResultRow(**form.cleaned_data)
            for form in formset
            if form.cleaned_data.get("candidate_name")
        ]
        try:
            services.election_enter_meeting_results(election=election, user=request.user, rows=rows)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("The results were entered and counted."))
            return redirect(election)
    return render(request, "council/meeting_results_form.html", {"election": election, "formset": formset})


@require_POST
@requires_secretary
def nomination_reject(request, pk: int):
    nomination = get_object_or_404(Nomination, pk=pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.nomination_reject(nomination=nomination, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _error_messages(request, error)
    else:
        messages.error(request, _("Give a reason for the rejection."))
    return redirect("council:election_manage", nomination.election_id)


@require_POST
@requires_secretary
def election_approve(request, pk: int):
    election = get_object_or_404(Election, pk=pk)
    form = ApprovalForm(request.POST)
    if form.is_valid():
        try:
            services.election_approve(election=election, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("The approval was recorded and the council updated."))
    else:
        messages.error(request, _("Give the decision's date and reference."))
    return redirect("council:election_manage", election.pk)


@require_POST
@requires_secretary
def seat_deputy_steps_in(request, pk: int):
    seat = get_object_or_404(Seat, pk=pk)
    try:
        services.seat_deputy_steps_in(
            seat=seat, user=request.user, on=timezone.localdate(), reason=request.POST.get("reason", "")[:200]
        )
    except ValidationError as error:
        _error_messages(request, error)
    return redirect("council:term", seat.term_id)


@require_http_methods(["GET", "POST"])
@requires_secretary
def meeting_edit(request, pk: int | None = None):
    meeting = get_object_or_404(Meeting, pk=pk) if pk else Meeting()
    action = request.POST.get("action", "save")
    form = MeetingForm(request.POST if action == "save" else None, instance=meeting)
    item_form = AgendaItemForm(request.POST if action == "item" else None)
    attachment_form = AttachmentForm(request.POST if action == "attachment" else None, request.FILES or None)
    if request.method == "POST":
        try:
            if action == "save" and form.is_valid():
                meeting = form.save(commit=False)
                services.meeting_save(meeting=meeting, user=request.user)
                form.save_m2m()
                return redirect("council:meeting_edit", meeting.pk)
            if meeting.pk and action == "item" and item_form.is_valid():
                services.agenda_item_add(meeting=meeting, user=request.user, **item_form.cleaned_data)
                return redirect("council:meeting_edit", meeting.pk)
            if meeting.pk and action == "attachment" and attachment_form.is_valid():
                services.attachment_add(meeting=meeting, user=request.user, **attachment_form.cleaned_data)
                return redirect("council:meeting_edit", meeting.pk)
            if meeting.pk and action == "publish_agenda":
                services.agenda_publish(meeting=meeting, user=request.user)
                messages.success(request, _("The agenda was published and sent to the council."))
                return redirect("council:meeting_edit", meeting.pk)
        except ValidationError as error:
            target = attachment_form if action == "attachment" else form
            if hasattr(error, "error_dict"):
                for field_errors in error.error_dict.values():
                    for e in field_errors:
                        target.add_error(None, e)
            else:
                _error_messages(request, error)
    context = {"meeting": meeting, "form": form, "item_form": item_form, "attachment_form": attachment_form}
    return render(request, "council/meeting_form.html", context)


@require_http_methods(["GET", "POST"])
@requires_secretary
def minutes_edit(request, pk: int):
    meeting = get_object_or_404(Meeting, pk=pk)
    form = MinutesForm(
        request.POST if request.method == "POST" else None, meeting=meeting, initial={"minutes": meeting.minutes}
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "send" and meeting.minutes_status == Meeting.MinutesStatus.DRAFT:
                services.minutes_send_for_checking(meeting=meeting, user=request.user)
                messages.success(request, _("The minutes were sent to the minute checkers."))
                return redirect("council:minutes_edit", meeting.pk)
            if form.is_valid():
                services.minutes_save(
                    meeting=meeting, user=request.user, minutes=form.cleaned_data["minutes"], decisions=form.decisions()
                )
                messages.success(request, _("The draft minutes were saved."))
                return redirect("council:minutes_edit", meeting.pk)
        except ValidationError as error:
            _error_messages(request, error)
    return render(request, "council/minutes_form.html", {"meeting": meeting, "form": form})


@require_POST
@requires_secretary
def minutes_publish(request, pk: int):
    meeting = get_object_or_404(Meeting, pk=pk)
    try:
        services.minutes_publish(meeting=meeting, user=request.user)
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("council:minutes_edit", meeting.pk)
    messages.success(request, _("The minutes were published."))
    return redirect(meeting)


@require_http_methods(["GET", "POST"])
@requires_secretary
def news_edit(request, pk: int | None = None):
    item = get_object_or_404(NewsItem, pk=pk) if pk else NewsItem()
    form = NewsForm(request.POST if request.method == "POST" else None, instance=item)
    if request.method == "POST" and form.is_valid():
        item = services.news_save(item=form.save(commit=False), user=request.user, publish=form.cleaned_data["publish"])
        messages.success(request, _("The news item was saved."))
        return redirect("council:news_edit", item.pk)
    return render(
        request, "council/news_form.html", {"item": item, "form": form, "drafts": NewsItem.objects.all()[:20]}
    )


@require_http_methods(["GET", "POST"])
@requires_secretary
def document_edit(request, kind: str):
    if kind not in CouncilDocument.Kind.values:
        raise Http404
    document = CouncilDocument.objects.filter(kind=kind).first() or CouncilDocument(kind=kind)
    form = DocumentForm(request.POST if request.method == "POST" else None, instance=document)
    if request.method == "POST" and form.is_valid():
        services.document_save(kind=kind, user=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("The document was saved as a new version."))
        return redirect("council:document", kind)
    versions = document.history.all()[:20] if document.pk else []
    return render(request, "council/document_form.html", {"document": document, "form": form, "versions": versions})
