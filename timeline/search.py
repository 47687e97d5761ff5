"""Search across every kind of public content at once."""

from timeline import fulltext
from timeline.models import Event, Period, Person, Place, Source


def search_site(query, limit):
    """Return (label, rows) for each kind of content, best match first, at most limit each.

    Each row has a snippet: safe HTML of its best passage, the matches in <mark>.
    """
    kinds = [
        ("Events", Event.objects.published()),
        ("People", Person.objects.all()),
        ("Places", Place.objects.all()),
        ("Periods", Period.objects.all()),
        ("Sources", Source.objects.all()),
    ]
    results = []
    for label, queryset in kinds:
        rows = list(queryset.search(query).with_snippets(query)[:limit])
        for row in rows:
            row.snippet = fulltext.marked(row.search_snippet)
        results.append((label, rows))
    return results
