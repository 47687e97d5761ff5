"""The timeline's other views: the same filtered events drawn in time and on a map."""

from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import TemplateView

from timeline import drawing, maps
from timeline.filters import EventFilter
from timeline.models import Event, Period

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
            params=drawing.filter_params(self.request.GET),
        )
        return context


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
        periods = Period.objects.visible_to(self.request.user)
        span = None
        if zoom == "all" or focus is None:
            span = drawing.data_span(events) or drawing.data_span(periods)
            if span is None:
                return context
            focus = focus or span[0]
        try:
            window = drawing.Window.around(zoom, focus, span)
        except drawing.ZoomError as error:
            self.error = context["error"] = str(error)
            return context
        params = context["params"]
        context["drawing"] = drawing.Drawing(window, events, periods, params).layout()
        context["zoom"] = drawing.zoom_links(window, params)
        return context


class EventMapView(FilteredEventsView):
    """The filtered events' places on a map, each sized by its number of events."""

    template_name = "timeline/event_map.html"
    view = "map"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = self.events()
        if events is None:
            return context
        places = maps.places_of_events(events)
        context["places"] = places
        context["map"] = maps.events_map(places, context["params"])
        return context
