"""What every page shows: the subject the site is about."""

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from timeline.cache import content_generation
from timeline.models import Topic


def default_topic():
    """Return the default topic with its span, cached until the content next changes."""
    key = f"timeline:default-topic:{content_generation()}"
    return cache.get_or_set(key, Topic.objects.default, timeout=24 * 3600)


def site(request):
    return {"site_topic": SimpleLazyObject(default_topic)}
