from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation
from portal.registry import NewsletterItem, newsletter_section
from portal.versions import bump_version, current_version

from .models import Issue, Subscriber

# The sections an issue may fill automatically, in the order they appear: the issue's switch and
# the registered section (another app's) that provides the lines. Newly listed associations are
# the directory's, which every app may read directly.
AUTOMATIC_SECTIONS = (
    ("include_new_organisations", "new_organisations"),
    ("include_upcoming_events", "upcoming_events"),
    ("include_council_news", "council_news"),
)
NEW_ORGANISATION_DAYS = 30


@dataclass(frozen=True)
class Section:
    heading: str
    items: list[NewsletterItem]


def subscriber_counts() -> dict[str, int]:
    counts = dict(Subscriber.objects.values_list("status").annotate(count=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in Subscriber.Status.values}


ARCHIVE_VERSION_KEY = "newsletter:archive-version"


def bump_archive_version() -> None:
    """Tell cached pages that the published issues changed (after the change commits)."""
    bump_version(ARCHIVE_VERSION_KEY)


def archive_version() -> int:
    """Moved whenever an issue is published (starts sending) or edited in the admin."""
    return current_version(ARCHIVE_VERSION_KEY)


def home_section(request) -> dict:
    """The front page's newsletter box: the latest issues and the way to subscribe."""
    return {"newsletter_issues": list(Issue.objects.published().order_by("-published_at")[:3])}


def new_organisations(*, at: datetime, since: datetime | None, municipalities, limit: int = 5) -> list[NewsletterItem]:
    """Associations listed in the 30 days before the issue, in its municipalities if it has some."""
    organisations = Organisation.objects.published().filter(created_at__gte=at - timedelta(days=NEW_ORGANISATION_DAYS))
    municipalities = list(municipalities)
    if municipalities:
        organisations = organisations.in_municipalities(municipalities)
    organisations = organisations.select_related("home_municipality").order_by("-created_at")[:limit]
    return [
        NewsletterItem(
            title=organisation.localised_name,
            url=organisation.get_absolute_url(),
            detail=organisation.home_municipality.name if organisation.home_municipality else "",
        )
        for organisation in organisations
    ]


def previous_issue_sent_at(issue: Issue) -> datetime | None:
    """When the issue before this one started sending (its news are not repeated)."""
    earlier = Issue.objects.published().exclude(pk=issue.pk).filter(started_at__isnull=False)
    if issue.started_at:
        earlier = earlier.filter(started_at__lt=issue.started_at)
    return earlier.order_by("-started_at").values_list("started_at", flat=True).first()


def issue_sections(issue: Issue) -> list[Section]:
    """The issue's automatic sections with lines, in the active language (empty ones left out).

    Reckoned from the moment the issue started sending (now, for a draft), so the archive shows
    the same lines as the e-mail did, give or take later edits of the events and news themselves.
    """
    at = issue.started_at or timezone.now()
    since = previous_issue_sent_at(issue)
    municipalities = list(issue.municipalities.all())
    sections = []
    for switch, name in AUTOMATIC_SECTIONS:
        if not getattr(issue, switch):
            continue
        if name == "new_organisations":
            heading, provider = _("Newly listed associations"), new_organisations
        else:
            registered = newsletter_section(name)
            if registered is None:  # the app providing it is not installed
                continue
            heading, provider = registered.heading, registered.items
        items = provider(at=at, since=since, municipalities=municipalities)
        if items:
            sections.append(Section(str(heading), items))
    return sections
