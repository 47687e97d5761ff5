"""The timeline's other views: the same filtered events drawn in time and on a map."""

from functools import partial

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView

from timeline import drawing, maps
from timeline.cache import cached, cached_in_part
from timeline.filters import EventFilter
from timeline.models import Event, Period
from timeline.models.publication import can_preview

VIEWS = {"list": "List", "timeline": "Timeline", "map": "Map"}


class ViewError(ValueError):
    """A view named in the URL that does not exist; the message is a sentence."""


def view_name(querydict):
    """Return the view the URL asks for ("list" when none), or raise ViewError."""
    name = querydict.get("view") or "list"
    if name not in VIEWS:
        raise ViewError(
            f"There is no view “{name[:30]}” of the timeline. Choose list, timeline or map."
        )
    return name


def view_links(querydict, current):
    """Return a link to each view of the timeline, keeping the filters in the URL."""
    params = drawing.filter_params(querydict)
    links = []
    for name, label in VIEWS.items():
        query = params if name == "list" else [*params, ("view", name)]
        links.append(
            {
                "name": name,
                "label": label,
                "url": reverse("timeline:event-list") + ("?" + urlencode(query) if query else ""),
                "current": name == current,
            }
        )
    return links


class FilteredEventsView(TemplateView):
    """A view of the timeline's filtered events other than the list, from the same filters."""

    view = "list"

    def get(self, request, *args, **kwargs):
        self.error = ""
        user = request.user
        self.filterset = EventFilter(
            request.GET or None, queryset=Event.objects.visible_to(user), request=request
        )
        response = super().get(request, *args, **kwargs)
        if self.error or (self.filterset.is_bound and not self.filterset.is_valid()):
            response.status_code = 400
        return response

    def events(self):
        """Return the filtered events, in no order, or None when a filter is wrong."""
        if self.filterset.is_bound and not self.filterset.is_valid():
            return None
        return self.filterset.qs.order_by()

    def get_context_data(self, **kwargs):
        # timeline.views imports this module
        from timeline.views import active_filters, filter_fields

        context = super().get_context_data(**kwargs)
        context.update(
            filter=self.filterset,
            filter_fields=filter_fields(self.filterset.form),
            view=self.view,
            view_links=view_links(self.request.GET, self.view),
            active_filters=active_filters(self.request.GET, self.filterset),
            params=self.params(),
        )
        return context

    def params(self):
        """Return the filters to carry into the drawing's links: the form's, and no other."""
        fields = self.filterset.form.fields
        return [
            (key, value) for key, value in drawing.filter_params(self.request.GET) if key in fields
        ]

    def digest(self):
        """Return a cache key for what the filters select (see timeline.views.form_digest)."""
        from timeline.views import form_digest

        return form_digest(self.filterset.form, can_preview(self.request.user))


class EventTimelineView(FilteredEventsView):
    """The filtered events drawn along the years, zoomable by URL."""

    template_name = "timeline/event_timeline.html"
    view = "timeline"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = self.events()
        context["zoom_param"] = self.request.GET.get("zoom", "")
        context["at_param"] = self.request.GET.get("at", "")
        if events is None:
            return context
        try:
            zoom = drawing.parse_zoom(self.request.GET.get("zoom"))
            at = self.request.GET.get("at")
            focus = drawing.parse_at(at) if at else None
        except drawing.ZoomError as error:
            self.error = context["error"] = str(error)
            return context
        # The drawing depends only on the filters, the zoom and the content: grouping
        # 100,000 events by month took 60 ms, so it is drawn once a content change.
        periods = Period.objects.visible_to(self.request.user)
        key = f"events-drawing:{self.digest()}:{zoom}:{focus}"
        draw = partial(self.draw, events, periods, zoom, focus, context["params"])
        try:
            context.update(cached(key, draw))
        except drawing.ZoomError as error:
            self.error = context["error"] = str(error)
        return context

    @staticmethod
    def draw(events, periods, zoom, focus, params):
        span = None
        if zoom == "all" or focus is None:
            span = drawing.data_span(events) or drawing.data_span(periods)
            if span is None:
                return {}
            focus = focus or span[0]
        window = drawing.Window.around(zoom, focus, span)
        return {
            "drawing": drawing.Drawing(window, events, periods, params).layout(),
            "zoom": drawing.zoom_links(window, params),
        }


class EventMapView(FilteredEventsView):
    """The filtered events' places on a map, each sized by its number of events."""

    template_name = "timeline/event_map.html"
    view = "map"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = self.events()
        if events is None:
            return context
        # Counting every place's events reads every link of the filtered events (0.4 s
        # at 100,000 events) and listing a thousand places is long to render: both depend
        # only on the filters and the content, so they are kept until content changes.
        # The places themselves are not kept: read back, they took 6.7 ms a request.
        kept = cached_in_part(
            f"events-map:{self.digest()}",
            partial(self.map, events, context),
            lazy=("places", "map"),
        )
        context.update(kept)
        return context

    def map(self, events, context):
        places = maps.places_of_events(events)
        shown = {"places": places, "map": maps.events_map(places, context["params"])}
        html = render_to_string("includes/events_map.html", shown)
        return {**shown, "place_count": len(places), "map_html": html}
