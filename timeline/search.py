"""Search across every kind of public content at once."""

from timeline.models import Event, Period, Person, Place, Source


def search_site(query, limit):
    """Return (label, rows) for each kind of content, at most limit rows each."""
    found = [
        ("Events", Event.objects.published().search(query).chronological()),
        ("People", Person.objects.search(query)),
        ("Places", Place.objects.search(query)),
        ("Periods", Period.objects.search(query)),
        ("Sources", Source.objects.search(query)),
    ]
    return [(label, list(rows[:limit])) for label, rows in found]
