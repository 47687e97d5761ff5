"""Timeline rows rendered once per content change and shared by every page that lists them.

A row (includes/event_item.html) depends on its event, the event's period, places and
people, and nothing of the request; a page of the timeline spent most of its time
rendering its 25 rows. Rows are kept under the content generation, so any change to
content makes them anew, like the page cache. Editors, who may see drafts in a row,
get rows rendered for them and never stored.
"""

from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string

from timeline.cache import cached_each
from timeline.models.events import row_prefetches

ROW_TEMPLATE = "includes/event_item.html"


def with_rows(events, user, show_details=True):
    """Return the events as a list, each with its rendered row in row_html.

    Rows with details name the events' places and people, which are fetched here,
    and only for rows that are not already kept.
    """
    events = list(events)
    lookups = row_prefetches(user) if show_details else []
    if user.is_staff:
        prefetch_related_objects(events, *lookups)
        for event in events:
            event.row_html = render_row(event, show_details)
        return events

    def render(missing):
        prefetch_related_objects(missing, *lookups)
        return [render_row(event, show_details) for event in missing]

    rows = cached_each(f"row:{int(show_details)}", events, render)
    for event, html in zip(events, rows, strict=True):
        event.row_html = html
    return events


def render_row(event, show_details):
    return render_to_string(ROW_TEMPLATE, {"event": event, "show_details": show_details})
