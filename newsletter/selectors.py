from __future__ import annotations

from django.db.models import Count

from .models import Issue, Subscriber


def subscriber_counts() -> dict[str, int]:
    counts = dict(Subscriber.objects.values_list("status").annotate(count=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in Subscriber.Status.values}


def home_section(request) -> dict:
    """The front page's newsletter box: the latest issues and the way to subscribe."""
    return {"newsletter_issues": list(Issue.objects.published().order_by("-published_at")[:3])}
