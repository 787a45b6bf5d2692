from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from .models import NewsItem


class NewsFeed(Feed):
    title = _("Association council: news")
    link = reverse_lazy("council:news")
    description = _("News of the association council")

    def items(self):
        return NewsItem.objects.published()[:20]

    def item_title(self, item: NewsItem) -> str:
        return item.title

    def item_description(self, item: NewsItem) -> str:
        # Feed readers render HTML as they like; the text alone is the safe common ground.
        return strip_tags(item.body)

    def item_pubdate(self, item: NewsItem):
        return item.published_at


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description
