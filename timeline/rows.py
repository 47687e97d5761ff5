"""Timeline rows rendered once per content change and shared by every page that lists them.

A row (includes/event_item.html) depends on its event, the event's period, places and
people, and nothing of the request; a page of the timeline spent most of its time
rendering its 25 rows. Rows are kept under the content generation, so any change to
content makes them anew, like the page cache. Editors, who may see drafts in a row,
get rows rendered for them and never stored.
"""

from django.core.cache import cache
from django.template.loader import render_to_string

from timeline.cache import PAGE_TIMEOUT, content_generation

ROW_TEMPLATE = "includes/event_item.html"


def with_rows(events, user, show_details=True):
    """Return the events as a list, each with its rendered row in row_html."""
    events = list(events)
    if user.is_staff:
        for event in events:
            event.row_html = render_row(event, show_details)
        return events
    prefix = f"timeline:row:{content_generation()}:{int(show_details)}"
    keys = {f"{prefix}:{event.pk}": event for event in events}
    found = cache.get_many(keys)
    made = {}
    for key, event in keys.items():
        event.row_html = found.get(key)
        if event.row_html is None:
            event.row_html = made[key] = render_row(event, show_details)
    if made:
        cache.set_many(made, PAGE_TIMEOUT)
    return events


def render_row(event, show_details):
    return render_to_string(ROW_TEMPLATE, {"event": event, "show_details": show_details})
