"""Search across every kind of public content at once."""

from timeline import fulltext
from timeline.models import Event, Period, Person, Place, Source


def search_site(query, limit, user=None):
    """Return (label, rows) for each kind of content, best match first, at most limit each.

    Only what the user may see is searched: published rows, or drafts too for a
    signed-in editor. Each row has a snippet: safe HTML of its best passage, the
    matches in <mark>.
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
        rows = list(queryset.search(query).with_snippets(query)[:limit])
        for row in rows:
            row.snippet = fulltext.marked(row.search_snippet)
        results.append((label, rows))
    return results
