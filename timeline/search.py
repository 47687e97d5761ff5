"""Search across every kind of public content at once."""

from typing import NamedTuple

from django.db import connections

from timeline import fulltext
from timeline.models import Event, Period, Person, Place, Source
from timeline.models.base import DatedModel, slug_address
from timeline.models.publication import can_preview

KINDS = (
    ("Events", Event),
    ("People", Person),
    ("Places", Place),
    ("Periods", Period),
    ("Sources", Source),
)


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
    words = fulltext.terms(query)
    preview = can_preview(user)
    results = []
    for label, model in KINDS:
        # Punctuation alone ("--") has no word to look for, so it finds nothing.
        rows = Statement.of(model, preview, len(words), limit + 1).run(words) if words else []
        results.append(Found(label, rows[:limit], len(rows) > limit))
    return results


# Private-use characters, which no search word has (see fulltext.TERM).
STAND_IN = "\ue010{}\ue011"


class Statement:
    """The SQL of one kind's search with snippets, compiled once and run with any words.

    Only the words change from one search to the next, and they reach the SQL as
    parameters; its text depends on the kind, whether drafts are shown, and the
    number of words and of rows. Building and compiling it cost more than running
    it: 1.6 ms a kind on PostgreSQL (the misspelling fallback and the headline are
    large expressions), against 0.3 ms for the query itself. So it is compiled once with
    stand-ins for the words, and each search puts its words in their place.
    """

    KEPT = {}

    def __init__(self, model, preview, count, limit, using):
        self.model = model
        stand_ins = [STAND_IN.format(number) for number in range(count)]
        rows = model.objects.using(using)
        rows = rows.all() if preview else rows.published()
        matches = fulltext.search(rows, stand_ins, index_first=True)
        matches = fulltext.with_snippets(matches, stand_ins)
        # A row's name is its first name-weighted field, as its str() is.
        columns = ["slug", model.search_weights["A"][0], "search_snippet"]
        if issubclass(model, DatedModel):
            columns.append("date_reading")
        query = matches.values_list(*columns)[:limit].query
        self.sql, self.params = query.get_compiler(using).as_sql()
        if any(stand_in in self.sql for stand_in in stand_ins):
            raise ValueError(f"A search word is in the SQL text, not a parameter: {self.sql}")
        self.using = using
        self.stand_ins = stand_ins

    @classmethod
    def of(cls, model, preview, count, limit, using="default"):
        key = (model, preview, count, limit, using)
        if key not in cls.KEPT:
            cls.KEPT[key] = cls(model, preview, count, limit, using)
        return cls.KEPT[key]

    def run(self, words):
        """Return the Hits for the words, each a folded run of letters and digits."""
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, self.params_for(words))
            rows = cursor.fetchall()
        url_name = self.model.detail_url_name
        return [
            Hit(slug_address(url_name, slug), name, "".join(date), fulltext.marked(text))
            for slug, name, text, *date in rows
        ]

    def params_for(self, words):
        """Return the statement's parameters with the words in place of the stand-ins."""
        params = []
        for param in self.params:
            if isinstance(param, str):
                for stand_in, word in zip(self.stand_ins, words, strict=True):
                    param = param.replace(stand_in, word)
            params.append(param)
        return params
