"""What every page shows: the subject the site is about."""

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from timeline.models import Topic

DEFAULT_TOPIC_KEY = "timeline:default-topic"


def default_topic():
    """Return the default topic with its span, from the cache when it is there."""
    return cache.get_or_set(DEFAULT_TOPIC_KEY, Topic.objects.default, timeout=3600)


def forget_default_topic(sender, **kwargs):
    """Drop the cached topic when a topic or a period changes, as its span may have."""
    cache.delete(DEFAULT_TOPIC_KEY)


def site(request):
    return {"site_topic": SimpleLazyObject(default_topic)}
