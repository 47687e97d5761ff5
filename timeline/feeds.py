"""Atom feeds of new and changed events: the whole timeline, or any filtered view of it."""

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from timeline.citations import strip_markers
from timeline.context_processors import default_topic
from timeline.filters import EventFilter
from timeline.models import Event

FEED_LENGTH = 50


class InvalidFilter(Exception):
    """A feed's query string that the timeline's filters refuse."""


class FeedQuery:
    """What one request asks of a feed: its filters and where it came from."""

    def __init__(self, request, filterset=None):
        self.request, self.filterset = request, filterset

    @property
    def query_string(self):
        return self.request.GET.urlencode()


class EventFeed(Feed):
    """Events newly published or changed, the latest change first."""

    feed_type = Atom1Feed
    author_name = "histsite"

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # The feed's writer adds each of its 1,600 pieces to the response separately,
        # and a WSGI server sends each with a system call of its own: 11 ms of 16
        # under gunicorn. Joined, they go out at once.
        response.content = response.content
        return response

    def get_object(self, request, *args, **kwargs):
        return FeedQuery(request)

    def title(self, query):
        topic = default_topic()
        subject = topic.heading if topic else "histsite"
        return f"{subject}: new and changed events"

    def subtitle(self, query):
        return "Events as they are published or changed, each with its date and summary."

    def link(self, query):
        return reverse("timeline:event-list")

    def feed_url(self, query):
        return query.request.get_full_path()

    def events(self, query):
        return Event.objects.published()

    def items(self, query):
        events = self.events(query).select_related("period").order_by()
        return events.order_by("-modified_at", "-pk")[:FEED_LENGTH]

    def item_title(self, event):
        return f"{event.title} ({event.date_reading})"

    def item_description(self, event):
        return f"{event.date_text}: {strip_markers(event.summary)}"

    def item_link(self, event):
        return event.get_absolute_url()

    def item_pubdate(self, event):
        return event.first_published_at

    def item_updateddate(self, event):
        return event.modified_at

    def item_categories(self, event):
        return [event.period.title] if event.period and event.period.is_published else []


class FilteredEventFeed(EventFeed):
    """The events of a filtered timeline: the same query string as /events/."""

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidFilter as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")

    def get_object(self, request, *args, **kwargs):
        filterset = EventFilter(request.GET, queryset=Event.objects.published())
        if not filterset.is_valid():
            raise InvalidFilter(filter_errors(filterset))
        return FeedQuery(request, filterset)

    def title(self, query):
        labels = filter_labels(query.filterset)
        heading = super().title(query)
        return f"{heading}: {', '.join(labels)}" if labels else heading

    def link(self, query):
        suffix = f"?{query.query_string}" if query.query_string else ""
        return reverse("timeline:event-list") + suffix

    def events(self, query):
        return query.filterset.qs


def filter_errors(filterset):
    """Return the filters' errors as one text: each a sentence, with the filter it concerns."""
    lines = ["The timeline's filters refused this query:"]
    for name, errors in filterset.form.errors.items():
        label = filterset.form.fields[name].label if name in filterset.form.fields else ""
        for error in errors:
            lines.append(f"{label}: {error}" if label else error)
    return "\n".join(lines) + "\n"


def filter_labels(filterset):
    """Return "Name: value" for each filter in use, as the timeline's chips say it."""
    labels = filterset.labels()
    used = []
    for name, field in filterset.form.fields.items():
        if name == "sort":
            continue
        for value in filterset.form.data.getlist(name):
            if value:
                used.append(f"{field.label}: {labels.get(name, {}).get(value, value).strip()}")
    return used
