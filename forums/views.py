from __future__ import annotations

import json
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.audit import audit_entries_for
from portal.client_address import client_address
from portal.permissions import requires_capability
from portal.ratelimit import within_limit

from . import ics, permissions, selectors, services
from .filters import EventFilter
from .forms import DelegateFormSet, EventForm, RegistrationForm, RejectForm
from .models import Event, Registration

PAGE_SIZE = 20
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _filtered(request, queryset):
    event_filter = EventFilter(request.GET, queryset=queryset)
    # Invalid values are left out and explained, as the directory does (and answered with 400).
    events = event_filter.qs if event_filter.is_valid() else queryset
    return event_filter, events


def _list_page(request, queryset, *, template: str, extra: dict | None = None):
    event_filter, events = _filtered(request, queryset)
    errors = event_filter.invalid_messages() if event_filter.errors else []
    extra = extra or {}

    def results() -> str:
        paginator = Paginator(events, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        context = {
            "filter": event_filter,
            "page_obj": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "action": reverse("forums:archive" if extra.get("archive") else "forums:calendar"),
        }
        return render_to_string("forums/_event_results.html", context, request=request)

    context = {
        "errors": errors,
        # A link with an invalid filter is rare and explained: not worth a cache entry.
        "results_html": results() if errors else selectors.cached_results(request, results),
        "feed_query": _feed_query(request),
        **extra,
    }
    return render(request, template, context, status=400 if errors else 200)


def _feed_query(request) -> str:
    data = request.GET.copy()
    data.pop("page", None)
    return data.urlencode()


@require_GET
def event_list(request):
    """The calendar: upcoming public events, filtered by the GET parameters."""
    return _list_page(request, selectors.upcoming_public_events(), template="forums/event_list.html")


@require_GET
def event_archive(request):
    return _list_page(
        request, selectors.past_public_events(), template="forums/event_list.html", extra={"archive": True}
    )


@require_GET
def event_month(request, year: int | None = None, month: int | None = None):
    today = timezone.localdate()
    year, month = year or today.year, month or today.month
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise Http404
    event_filter, events = _filtered(request, Event.objects.public())
    previous = date(year - (month == 1), (month - 2) % 12 + 1, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    errors = event_filter.invalid_messages() if event_filter.errors else []

    def results() -> str:
        context = {
            "filter": event_filter,
            "weeks": selectors.month_weeks(events, year, month),
            "month": date(year, month, 1),
            "today": today,
        }
        return render_to_string("forums/_month_results.html", context, request=request)

    context = {
        "errors": errors,
        "results_html": results() if errors else selectors.cached_results(request, results),
        "month": date(year, month, 1),
        "previous": previous,
        "following": following,
        "query": _feed_query(request),
        "feed_query": _feed_query(request),
    }
    return render(request, "forums/event_month.html", context, status=400 if errors else 200)


@require_GET
def calendar_feed(request):
    """iCalendar of the upcoming (and the last month's) public events, with the calendar's filters."""
    since = timezone.now() - timedelta(days=31)
    event_filter, events = _filtered(request, Event.objects.public().upcoming(since))
    if event_filter.errors:
        return HttpResponse(status=400)
    query = sorted((key, value) for key in request.GET for value in request.GET.getlist(key) if key != "page")
    body = selectors.cached_feed(
        f"{get_language()}:{request.get_host()}:{query}",
        lambda: ics.calendar_bytes(
            events.select_related("municipality").order_by("starts_at")[:2000],
            url_for=lambda event: request.build_absolute_uri(event.get_absolute_url()),
            name=f"{settings.PORTAL_NAME}: {gettext('Events')}",
        ),
    )
    return _ics_response(body, "tapahtumat.ics")


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _visible_event(request, slug: str) -> Event:
    return get_object_or_404(
        permissions.visible_events(request.user).select_related("municipality", "language"), slug=slug
    )


def _json_ld(data: dict) -> str:
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES))  # noqa: S308


def event_json_ld(request, event: Event) -> str:
    """schema.org Event; the remote link stays out (the event page stands for the virtual place)."""
    url = request.build_absolute_uri(event.get_absolute_url())
    mode = {
        (True, False): "OfflineEventAttendanceMode",
        (False, True): "OnlineEventAttendanceMode",
        (True, True): "MixedEventAttendanceMode",
    }[(event.on_site, event.remote)]
    locations: list[dict] = []
    if event.on_site:
        address = {"@type": "PostalAddress", "addressCountry": "FI"}
        if event.street_address:
            address["streetAddress"] = event.street_address
        if event.postal_code:
            address["postalCode"] = event.postal_code
        if event.post_office or event.municipality:
            address["addressLocality"] = event.post_office or event.municipality.name_fi
        locations.append(
            {"@type": "Place", "name": event.place or address.get("addressLocality", ""), "address": address}
        )
    if event.remote:
        locations.append({"@type": "VirtualLocation", "url": url})
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": url,
        "startDate": timezone.localtime(event.starts_at).isoformat(),
        "endDate": timezone.localtime(event.ends_at).isoformat(),
        "eventAttendanceMode": f"https://schema.org/{mode}",
        "eventStatus": "https://schema.org/EventCancelled"
        if event.status == Event.Status.CANCELLED
        else "https://schema.org/EventScheduled",
        "location": locations[0] if len(locations) == 1 else locations,
    }
    description = " ".join(strip_tags(event.description).split())
    if description:
        data["description"] = description
    organisers = [
        {"@type": "Organization", "name": o.name, "url": request.build_absolute_uri(o.get_absolute_url())}
        for o in event.organiser_organisations.filter(status="published")
    ]
    if organisers:
        data["organizer"] = organisers
    if event.language_id:
        data["inLanguage"] = event.language.code
    return _json_ld(data)


def _seats(event: Event) -> dict:
    confirmed = event.registrations.confirmed()
    on_site = confirmed.filter(participation=Registration.Participation.ON_SITE).count()
    remote = confirmed.filter(participation=Registration.Participation.REMOTE).count()
    return {
        "on_site_left": None if event.capacity is None else max(event.capacity - on_site, 0),
        "remote_left": None if event.remote_capacity is None else max(event.remote_capacity - remote, 0),
    }


@require_GET
def event_detail(request, slug: str):
    event = _visible_event(request, slug)
    manages = permissions.manageable_events(request.user).filter(pk=event.pk).exists()
    context = {
        "event": event,
        "json_ld": event_json_ld(request, event) if event.is_public else "",
        "manages": manages,
        "can_moderate": permissions.can_moderate_events(request.user),
        # The event's history for those who look after it (organisers and moderators).
        "audit_entries": audit_entries_for(event)[:50]
        if manages or permissions.can_moderate_events(request.user)
        else None,
        "organisers": event.organiser_organisations.filter(status="published"),
        "registration_open": event.registration_is_open(),
        "form": RegistrationForm(event=event) if event.registration_is_open() else None,
        "delegate_organisations": permissions.event_organisations(request.user) if event.registration_is_open() else [],
        **_seats(event),
    }
    return render(request, "forums/event_detail.html", context)


@require_GET
def event_ics(request, slug: str):
    event = _visible_event(request, slug)
    body = ics.calendar_bytes(
        [event], url_for=lambda e: request.build_absolute_uri(e.get_absolute_url()), name=event.title
    )
    return _ics_response(body, f"{event.slug}.ics")


REGISTRATION_ERRORS = {
    "closed": lambda: gettext("Registration for this event is not open."),
    "participation": lambda: gettext("This event cannot be joined that way."),
    "duplicate": lambda: gettext("This e-mail address is already registered for this event."),
}


@require_http_methods(["GET", "POST"])
def event_register(request, slug: str):
    event = get_object_or_404(Event.objects.published().select_related("municipality"), slug=slug)
    if not event.registration_is_open():
        return render(request, "forums/registration_closed.html", {"event": event}, status=409)
    initial = {}
    if request.user.is_authenticated:
        initial = {"email": request.user.email, "name": request.user.get_full_name()}
    form = RegistrationForm(request.POST if request.method == "POST" else None, event=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        key = f"forums:register:{client_address(request)}"
        if not within_limit(key, limit=settings.EVENT_REGISTRATIONS_PER_HOUR, window_seconds=3600):
            form.add_error(None, gettext("Too many registrations from this address. Try again in an hour."))
        else:
            try:
                registration = services.registration_create(
                    event=event,
                    user=request.user,
                    language=get_language(),
                    **form.cleaned_data,
                )
            except services.RegistrationError as error:
                form.add_error("email" if error.code == "duplicate" else None, REGISTRATION_ERRORS[error.code]())
            else:
                return render(request, "forums/registration_done.html", {"event": event, "registration": registration})
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "forums/registration_form.html", {"event": event, "form": form, **_seats(event)}, status=status
    )


@require_http_methods(["GET", "POST"])
def registration_cancel(request, token: str):
    """The e-mailed link shows a button (mail scanners open links); only the POST cancels."""
    try:
        registration = services.cancellation_token_read(token)
    except services.CancellationLinkError:
        return render(request, "forums/cancel_invalid.html", status=400)
    if registration.status == Registration.Status.CANCELLED:
        return render(request, "forums/cancel_invalid.html", {"used": True}, status=410)
    if request.method == "POST":
        try:
            services.registration_cancel_by_link(token=token)
        except services.CancellationLinkError:
            return render(request, "forums/cancel_invalid.html", {"used": True}, status=410)
        return render(request, "forums/cancel_done.html", {"event": registration.event})
    return render(request, "forums/cancel_confirm.html", {"registration": registration, "event": registration.event})


# --- Organisers -----------------------------------------------------------------------------------


def _managed_event(request, slug: str) -> Event:
    return get_object_or_404(permissions.manageable_events(request.user).select_related("municipality"), slug=slug)


def _organisers(form: EventForm) -> services.EventOrganisers:
    return services.EventOrganisers(
        organisations=tuple(form.cleaned_data.get("organiser_organisations") or ()),
        municipalities=tuple(form.cleaned_data.get("organiser_municipalities") or ()),
    )


def _save_event(request, form: EventForm, event: Event | None):
    try:
        if event is None:
            return services.event_create(
                user=request.user,
                fields=form.service_fields(),
                organisers=_organisers(form),
                sectors=form.cleaned_data.get("sectors") or (),
            )
        return services.event_update(
            user=request.user,
            event=event,
            fields=form.service_fields(),
            organisers=_organisers(form),
            sectors=form.cleaned_data.get("sectors") or (),
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
    except PermissionDenied:
        form.add_error(None, gettext("You cannot publish this event for that organiser or municipality."))
    return None


@requires_capability("account")
@require_http_methods(["GET", "POST"])
def event_create(request):
    if not permissions.can_create_events(request.user):
        raise PermissionDenied
    form = EventForm(request.POST if request.method == "POST" else None, user=request.user, initial={"on_site": True})
    if request.method == "POST" and form.is_valid():
        event = _save_event(request, form, None)
        if event is not None:
            if event.status == Event.Status.PENDING:
                messages.success(request, gettext("The event was sent to a moderator for approval."))
            else:
                messages.success(request, gettext("The event was published."))
            return redirect(event)
    return render(request, "forums/event_form.html", {"form": form}, status=400 if form.errors else 200)


@requires_capability("account")
@require_http_methods(["GET", "POST"])
def event_edit(request, slug: str):
    event = _managed_event(request, slug)
    form = EventForm(request.POST if request.method == "POST" else None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save_event(request, form, event)
        if saved is not None:
            if saved.status == Event.Status.PENDING:
                messages.success(request, gettext("The changes were sent to a moderator for approval."))
            else:
                messages.success(request, gettext("The changes were saved."))
            return redirect(saved)
    return render(request, "forums/event_form.html", {"form": form, "event": event}, status=400 if form.errors else 200)


@requires_capability("account")
@require_POST
def event_cancel(request, slug: str):
    event = _managed_event(request, slug)
    services.event_cancel(user=request.user, event=event)
    messages.success(request, gettext("The event was cancelled and the registered participants were told."))
    return redirect(event)


@requires_capability("account")
@require_GET
def my_events(request):
    events = selectors.with_seat_counts(
        selectors.calendar_events(permissions.manageable_events(request.user))
    ).order_by("-starts_at")
    return render(
        request,
        "forums/my_events.html",
        {"events": events[:200], "can_create": permissions.can_create_events(request.user)},
    )


@requires_capability("account")
@require_GET
def participant_list(request, slug: str):
    event = _managed_event(request, slug)
    return render(
        request,
        "forums/participants.html",
        {"event": event, "registrations": selectors.participants(event), **_seats(event)},
    )


@requires_capability("account")
@require_GET
def participant_export(request, slug: str):
    event = _managed_event(request, slug)
    headings = [
        gettext("Name"),
        gettext("E-mail"),
        gettext("Organisation"),
        gettext("Participation"),
        gettext("Status"),
        gettext("Registered"),
        gettext("Needs"),
    ]
    labels = {
        "participation": {value: str(label) for value, label in Registration.Participation.choices},
        "status": {value: str(label) for value, label in Registration.Status.choices},
    }
    response = StreamingHttpResponse(
        selectors.participants_csv(event, headings=headings, labels=labels), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-osallistujat.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@requires_capability("account")
@require_POST
def participant_cancel(request, slug: str, pk: int):
    event = _managed_event(request, slug)
    registration = get_object_or_404(event.registrations.active(), pk=pk)
    services.registration_cancel(registration=registration, by=request.user)
    messages.success(request, gettext("The registration was cancelled."))
    return redirect("forums:participants", slug=event.slug)


# --- Delegates (an association's editor registers several people) -----------------------------


@requires_capability("account")
@require_http_methods(["GET", "POST"])
def delegates(request, slug: str):
    event = get_object_or_404(Event.objects.published(), slug=slug)
    organisations = permissions.event_organisations(request.user).order_by("name")
    if not organisations.exists():
        raise PermissionDenied
    chosen = request.POST.get("organisation") or request.GET.get("yhdistys")
    # Another association's address name is a 404, like a missing one.
    organisation = get_object_or_404(organisations, slug=chosen) if chosen else organisations.first()
    formset = DelegateFormSet(request.POST if request.method == "POST" else None, prefix="delegates")
    if request.method == "POST" and event.registration_is_open() and formset.is_valid():
        people = [
            services.Delegate(
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                participation=form.cleaned_data["participation"],
                needs=form.cleaned_data.get("needs", ""),
            )
            for form in formset
            if form.cleaned_data.get("email")
        ]
        try:
            result = services.delegates_register(
                user=request.user, event=event, organisation=organisation, delegates=people, language=get_language()
            )
        except services.RegistrationError as error:
            formset._non_form_errors = formset.error_class([REGISTRATION_ERRORS[error.code]()])
        else:
            if result.registered:
                count = len(result.registered)
                messages.success(
                    request,
                    ngettext("%(count)d delegate was registered.", "%(count)d delegates were registered.", count)
                    % {"count": count},
                )
            if result.duplicates:
                messages.warning(
                    request,
                    gettext("Already registered: %(emails)s") % {"emails": ", ".join(result.duplicates)},
                )
            return redirect(reverse("forums:delegates", args=[event.slug]) + f"?yhdistys={organisation.slug}")
    context = {
        "event": event,
        "formset": formset,
        "organisations": organisations,
        "organisation": organisation,
        "delegates": selectors.delegates_of(event, organisations),
        "registration_open": event.registration_is_open(),
    }
    return render(request, "forums/delegates.html", context, status=400 if formset.is_bound and formset.errors else 200)


@requires_capability("account")
@require_POST
def delegate_cancel(request, slug: str, pk: int):
    event = get_object_or_404(Event.objects.published(), slug=slug)
    organisations = permissions.event_organisations(request.user)
    registration = get_object_or_404(selectors.delegates_of(event, organisations), pk=pk)
    services.registration_cancel(registration=registration, by=request.user)
    messages.success(request, gettext("The registration was cancelled."))
    return redirect("forums:delegates", slug=event.slug)


# --- Moderation -------------------------------------------------------------------------------


@requires_capability("moderate")
@require_GET
def moderation_queue(request):
    return render(request, "forums/moderation_queue.html", {"events": selectors.pending_events()})


@requires_capability("moderate")
@require_POST
def event_approve(request, slug: str):
    event = get_object_or_404(Event.objects.awaiting_moderation(), slug=slug)
    services.event_approve(moderator=request.user, event=event)
    messages.success(request, gettext("The event was approved and published."))
    return redirect("forums:moderation")


@requires_capability("moderate")
@require_POST
def event_reject(request, slug: str):
    event = get_object_or_404(Event.objects.awaiting_moderation(), slug=slug)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Give a reason for the rejection."))
        return redirect(event)
    services.event_reject(moderator=request.user, event=event, reason=form.cleaned_data["reason"])
    messages.success(request, gettext("The event was rejected and the submitter was told."))
    return redirect("forums:moderation")
