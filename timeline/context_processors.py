"""What every page shows: the subject the site is about."""

from django.utils.functional import SimpleLazyObject

from timeline.cache import cached
from timeline.models import Topic
from timeline.models.publication import can_preview


def default_topic():
    """Return the default topic with its span, cached until the content next changes."""
    return cached("default-topic", Topic.objects.default)


def site(request):
    return {
        "site_topic": SimpleLazyObject(default_topic),
        # Signed-in editors see drafts as a preview: such pages are never indexed.
        "previewing": SimpleLazyObject(lambda: can_preview(request.user)),
    }
