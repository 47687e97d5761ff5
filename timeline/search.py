"""Search across every kind of public content at once."""

from typing import NamedTuple

from timeline import fulltext
from timeline.models import Event, Period, Person, Place, Source


class Found(NamedTuple):
    """The best matches of one kind of content, and whether more matched than are shown."""

    label: str
    rows: list
    more: bool


def search_site(query, limit, user=None):
    """Return a Found for each kind of content, best match first, at most limit rows each.

    Only what the user may see is searched: published rows, or drafts too for a
    signed-in editor. Each row has a snippet: safe HTML of its best passage, the
    matches in <mark>. One row more than the limit is read to know whether there
    are more; the rest are never ranked into rows.
    """
    kinds = [
        ("Events", Event.objects.visible_to(user)),
        ("People", Person.objects.visible_to(user)),
        ("Places", Place.objects.visible_to(user)),
        ("Periods", Period.objects.visible_to(user)),
        ("Sources", Source.objects.visible_to(user)),
    ]
    results = []
    for label, queryset in kinds:
        matches = queryset.search(query, index_first=True).with_snippets(query)
        # The index's own columns are long and never shown.
        rows = list(matches.defer("search_text", "search_vector")[: limit + 1])
        for row in rows:
            row.snippet = fulltext.marked(row.search_snippet)
        results.append(Found(label, rows[:limit], len(rows) > limit))
    return results
