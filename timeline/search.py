"""Search across every kind of public content at once."""

from typing import NamedTuple

from timeline import fulltext
from timeline.models import Event, Period, Person, Place, Source
from timeline.models.base import DatedModel, slug_address


class Hit(NamedTuple):
    """One found row, as a list of results shows it."""

    url: str
    name: str
    date: str  # how its date reads, for what has one
    snippet: str  # safe HTML: the best passage, its matches in <mark>


class Found(NamedTuple):
    """The best matches of one kind of content, and whether more matched than are shown."""

    label: str
    rows: list
    more: bool


def search_site(query, limit, user=None):
    """Return a Found for each kind of content, best match first, at most limit rows each.

    Only what the user may see is searched: published rows, or drafts too for a
    signed-in editor. One row more than the limit is read to know whether there
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
        rows = hits(queryset.search(query, index_first=True).with_snippets(query), limit + 1)
        results.append(Found(label, rows[:limit], len(rows) > limit))
    return results


def hits(matches, limit):
    """Return the first limit rows of a search with snippets as Hits.

    Only the columns a Hit shows are read: a row's name is its first name-weighted
    field (as its str() is), its address is made from its slug.
    """
    model = matches.model
    columns = ["slug", model.search_weights["A"][0], "search_snippet"]
    if issubclass(model, DatedModel):
        columns.append("date_reading")
    rows = matches.values_list(*columns)[:limit]
    return [
        Hit(slug_address(model.detail_url_name, slug), name, "".join(date), fulltext.marked(text))
        for slug, name, text, *date in rows
    ]
