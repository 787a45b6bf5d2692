from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.client_address import client_address
from portal.permissions import is_council_secretary
from portal.ratelimit import within_limit

from . import selectors, services, services_sending
from .forms import IssueForm, PreferencesForm, ScheduleForm, SubscribeForm
from .models import Issue, Subscriber
from .permissions import secretary_required

# Public: subscribing, preferences, unsubscribing, the archive


@require_http_methods(["GET", "POST"])
def subscribe(request):
    language = (get_language() or "fi")[:2]
    form = SubscribeForm(request.POST or None, initial={"language": language if language == "sv" else "fi"})
    if request.method == "POST":
        allowed = within_limit(
            f"newsletter-subscribe:{client_address(request)}",
            limit=settings.NEWSLETTER_SUBSCRIBE_PER_HOUR,
            window_seconds=3600,
        )
        if not allowed:
            return render(request, "newsletter/subscribe.html", {"form": form, "rate_limited": True}, status=429)
        if form.is_valid():
            services.subscription_request(
                email=form.cleaned_data["email"],
                language=form.cleaned_data["language"],
                municipalities=form.cleaned_data["municipalities"],
                sectors=form.cleaned_data["sectors"],
            )
            # The same answer for a new, pending or already subscribed address.
            return redirect("newsletter:subscribe_sent")
    return render(
        request, "newsletter/subscribe.html", {"form": form, "can_manage": is_council_secretary(request.user)}
    )


@require_GET
def subscribe_sent(request):
    return render(request, "newsletter/subscribe_sent.html")


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET shows a button (mail scanners open links); the POST confirms."""
    try:
        subscriber = services.confirmation_token_read(token)
        if request.method == "POST":
            subscriber = services.subscription_confirm(token=token)
            return render(request, "newsletter/confirm_done.html", {"subscriber": subscriber})
    except services.ConfirmationLinkError:
        return render(request, "newsletter/link_invalid.html", status=400)
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber})


@require_http_methods(["GET", "POST"])
def preferences(request, token: str):
    subscriber = Subscriber.objects.filter(token=token).exclude(status=Subscriber.Status.PENDING).first()
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=404)
    form = PreferencesForm.for_subscriber(subscriber, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.subscription_update(
            subscriber=subscriber,
            language=form.cleaned_data["language"],
            municipalities=form.cleaned_data["municipalities"],
            sectors=form.cleaned_data["sectors"],
        )
        messages.success(request, _("Your preferences were saved."))
        return redirect("newsletter:preferences", token=token)
    return render(request, "newsletter/preferences.html", {"subscriber": subscriber, "form": form})


# The only CSRF-exempt POST of the portal: RFC 8058's one-click unsubscribe is POSTed by the mail
# client without cookies or a form of ours; the unguessable token in the URL is the authority.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """A GET (or a mail scanner) only shows the button; a POST unsubscribes and answers 200, no redirect."""
    if request.method == "POST":
        subscriber = services.subscription_unsubscribe(token=token)
        if subscriber is None:
            return render(request, "newsletter/link_invalid.html", status=404)
        return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
    subscriber = Subscriber.objects.filter(token=token).first()
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=404)
    return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})


@require_GET
def archive(request):
    page = Paginator(Issue.objects.published().order_by("-published_at"), 20).get_page(request.GET.get("sivu"))
    return render(request, "newsletter/archive.html", {"page": page})


@require_GET
def archive_detail(request, pk: int):
    issue = get_object_or_404(Issue.objects.published(), pk=pk)
    return render(
        request, "newsletter/archive_detail.html", {"issue": issue, "sections": selectors.issue_sections(issue)}
    )


# The secretary's pages


@require_GET
@secretary_required
def issue_list(request):
    issues = Issue.objects.order_by("-created_at")
    return render(
        request, "newsletter/issue_list.html", {"issues": issues, "subscriber_counts": selectors.subscriber_counts()}
    )


@require_http_methods(["GET", "POST"])
@secretary_required
def issue_create(request):
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issue = services.issue_create(
            author=request.user,
            data=form.service_data(),
            municipalities=form.cleaned_data["municipalities"],
            sectors=form.cleaned_data["sectors"],
        )
        return redirect("newsletter:issue_detail", pk=issue.pk)
    return render(request, "newsletter/issue_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@secretary_required
def issue_edit(request, pk: int):
    issue = get_object_or_404(Issue, pk=pk)
    if not issue.is_editable:
        return redirect("newsletter:issue_detail", pk=issue.pk)
    form = IssueForm(request.POST or None, instance=issue)
    if request.method == "POST" and form.is_valid():
        services.issue_update(
            issue=issue,
            data=form.service_data(),
            municipalities=form.cleaned_data["municipalities"],
            sectors=form.cleaned_data["sectors"],
        )
        return redirect("newsletter:issue_detail", pk=issue.pk)
    return render(request, "newsletter/issue_form.html", {"form": form, "issue": issue})


@require_GET
@secretary_required
def issue_detail(request, pk: int):
    issue = get_object_or_404(Issue, pk=pk)
    context = {
        "issue": issue,
        "schedule_form": ScheduleForm(),
        "audience_count": Subscriber.objects.for_audience(issue).count(),
        "progress": services_sending.issue_progress(issue),
        "failures": services_sending.failed_deliveries(issue)[:100],
    }
    return render(request, "newsletter/issue_detail.html", context)


@require_GET
@secretary_required
def issue_preview(request, pk: int):
    """The issue as the archive will show it, in the language asked (``?kieli=sv``)."""
    issue = get_object_or_404(Issue, pk=pk)
    language = request.GET.get("kieli", "fi")
    if language not in ("fi", "sv"):
        raise Http404
    # The sections' links and dates in the previewed language, as the subscribers will get them.
    with translation.override(language):
        sections = selectors.issue_sections(issue)
    return render(
        request,
        "newsletter/issue_preview.html",
        {
            "issue": issue,
            "title": issue.title(language),
            "body": issue.body(language),
            "preview_language": language,
            "sections": sections,
        },
    )


@require_GET
@secretary_required
def issue_preview_email(request, pk: int):
    """The e-mail exactly as rendered for sending (HTML, or ``?muoto=teksti`` the plain text part)."""
    issue = get_object_or_404(Issue, pk=pk)
    language = request.GET.get("kieli", "fi")
    if language not in ("fi", "sv"):
        raise Http404
    subject, text, html = services_sending.render_issue(issue, language)
    # The message is a whole document; the page shows what is inside its body.
    html = html.split("<body", 1)[-1].split(">", 1)[-1].rsplit("</body>", 1)[0]
    return render(
        request,
        "newsletter/issue_preview_email.html",
        {"issue": issue, "subject": subject, "text": text, "html": html, "preview_language": language},
    )


@require_POST
@secretary_required
def issue_send_test(request, pk: int):
    issue = get_object_or_404(Issue, pk=pk)
    services.issue_send_test(issue=issue, to=request.user.email, language=request.POST.get("kieli", "fi"))
    messages.success(request, _("A test message is on its way to %(email)s.") % {"email": request.user.email})
    return redirect("newsletter:issue_detail", pk=issue.pk)


@require_POST
@secretary_required
def issue_schedule(request, pk: int):
    issue = get_object_or_404(Issue, pk=pk)
    if request.POST.get("now"):
        at = timezone.now()
    else:
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the date and time of sending."))
            return redirect("newsletter:issue_detail", pk=issue.pk)
        at = form.cleaned_data["scheduled_at"]
    try:
        services.issue_schedule(issue=issue, at=at, actor=request.user, request=request)
    except services.IssueNotEditable:
        messages.error(request, _("This issue is already being sent."))
    return redirect("newsletter:issue_progress" if request.POST.get("now") else "newsletter:issue_detail", pk=issue.pk)


@require_POST
@secretary_required
def issue_unschedule(request, pk: int):
    issue = get_object_or_404(Issue, pk=pk)
    try:
        services.issue_unschedule(issue=issue, actor=request.user, request=request)
    except services.IssueNotEditable:
        messages.error(request, _("This issue is already being sent."))
    return redirect("newsletter:issue_detail", pk=issue.pk)


@require_GET
@secretary_required
def issue_progress(request, pk: int):
    issue = get_object_or_404(Issue, pk=pk)
    return render(
        request,
        "newsletter/issue_progress.html",
        {"issue": issue, "progress": services_sending.issue_progress(issue)},
    )


@require_GET
@secretary_required
def issue_progress_json(request, pk: int):
    issue = get_object_or_404(Issue, pk=pk)
    return JsonResponse({"status": issue.status, **services_sending.issue_progress(issue)})


@require_POST
@secretary_required
def issue_resend_unknown(request, pk: int):
    issue = get_object_or_404(Issue, pk=pk)
    count = services_sending.issue_resend_unknown(issue=issue, actor=request.user, request=request)
    messages.success(request, _("%(count)s message(s) queued again.") % {"count": count})
    return redirect("newsletter:issue_progress", pk=issue.pk)
