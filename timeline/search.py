"""Search across every kind of public content at once."""

from typing import NamedTuple

from django.db import connections
from django.db.models import TextField, Value

from timeline import fulltext
from timeline.models import Event, Period, Person, Place, Source
from timeline.models.base import DatedModel, slug_address
from timeline.models.publication import can_preview


class Kind(NamedTuple):
    """A kind of content the search page lists."""

    label: str
    model: type
    order: str  # the order of its rows when they are not ranked


KINDS = (
    Kind("Events", Event, "timeline order"),
    Kind("People", Person, "alphabetical order"),
    Kind("Places", Place, "alphabetical order"),
    Kind("Periods", Period, "timeline order"),
    Kind("Sources", Source, "alphabetical order"),
)

# Above this many matches of one kind, its words are too common to rank: every match
# would be ranked (bm25 or ts_rank) to show the first few, and a word most rows have
# ranks them all alike. At 100,000 events, ranking the 98,000 events with "the" took
# 200 ms; ranking 5,000 takes 7 ms on SQLite and 18 ms on PostgreSQL.
COMMON = 5_000


class Hit(NamedTuple):
    """One found row, as a list of results shows it."""

    url: str
    name: str
    date: str  # how its date reads, for what has one
    snippet: str  # safe HTML: the best passage, its matches in <mark>


class Found(NamedTuple):
    """The first matches of one kind of content, and whether more matched than are shown.

    Ranked, they are the best matches; otherwise the words are in more than COMMON
    rows, and the rows are the first in the kind's order.
    """

    kind: Kind
    rows: list
    more: bool
    ranked: bool = True

    @property
    def label(self):
        return self.kind.label


def search_site(query, limit, user=None):
    """Return a Found for each kind of content, best match first, at most limit rows each.

    Only what the user may see is searched: published rows, or drafts too for a
    signed-in editor. One row more than the limit is read to know whether there
    are more; the rest are never made into rows.
    """
    words = fulltext.terms(query)
    if not words:
        # Punctuation alone ("--") has no word to look for, so it finds nothing.
        return [Found(kind, [], False) for kind in KINDS]
    preview = can_preview(user)
    common = too_common(preview, len(words)).rows(words)[0]
    results = []
    for kind, unranked in zip(KINDS, common, strict=True):
        statement = matches(kind.model, preview, len(words), limit + 1, ranked=not unranked)
        rows = [hit(kind.model, *row) for row in statement.rows(words)]
        results.append(Found(kind, rows[:limit], len(rows) > limit, ranked=not unranked))
    return results


def hit(model, slug, name, snippet, date=""):
    return Hit(slug_address(model.detail_url_name, slug), name, date, fulltext.marked(snippet))


# Private-use characters, which no search word has (see fulltext.TERM).
STAND_IN = "\ue010{}\ue011"


def stand_ins(count):
    return [STAND_IN.format(number) for number in range(count)]


class Statement:
    """SQL compiled once with stand-ins for the words of a search, run with any words.

    Only the words change from one search to the next, and they reach the SQL as
    parameters; the text depends on the kind, whether drafts are shown, and the
    number of words and of rows. Building and compiling a search cost more than
    running it: 1.6 ms a kind on PostgreSQL (the misspelling fallback and the
    headline are large expressions), against 0.3 ms for the query itself.
    """

    KEPT = {}

    def __init__(self, sql, params, count, using):
        self.stand_ins = stand_ins(count)
        if any(stand_in in sql for stand_in in self.stand_ins):
            raise ValueError(f"A search word is in the SQL text, not a parameter: {sql}")
        self.sql, self.params, self.using = sql, params, using

    @classmethod
    def kept(cls, key, make):
        """Return the statement kept under key, made by make() the first time."""
        if key not in cls.KEPT:
            cls.KEPT[key] = make()
        return cls.KEPT[key]

    def rows(self, words):
        """Run the statement for the words, each a folded run of letters and digits."""
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, self.params_for(words))
            return cursor.fetchall()

    def params_for(self, words):
        """Return the statement's parameters with the words in place of the stand-ins."""
        params = []
        for param in self.params:
            if isinstance(param, str):
                for stand_in, word in zip(self.stand_ins, words, strict=True):
                    param = param.replace(stand_in, word)
            params.append(param)
        return params


def compiled(queryset):
    return queryset.query.get_compiler(queryset.db).as_sql()


def too_common(preview, count, using="default"):
    """Return the statement telling, for each kind, whether words match over COMMON rows.

    One query for all kinds; each stops reading at the row after COMMON.
    """

    def make():
        words = stand_ins(count)
        tests, params = [], []
        for kind in KINDS:
            rows = kind.model.objects.using(using).previewed(preview)
            found = fulltext.search(rows, words, index_first=True)
            sql, found_params = compiled(found.order_by().values("pk")[COMMON : COMMON + 1])
            tests.append(f"EXISTS ({sql})")
            params += found_params
        return Statement(f"SELECT {', '.join(tests)}", params, count, using)

    return Statement.kept(("too common", preview, count, using), make)


def matches(model, preview, count, limit, ranked=True, using="default"):
    """Return the statement reading the first limit matches of a kind as Hit fields.

    Ranked, they are the best, each with its passage; unranked, the first in the
    kind's order, without (a passage needs the index's own reading of each match).
    """

    def make():
        words = stand_ins(count)
        rows = model.objects.using(using).previewed(preview)
        if ranked:
            found = fulltext.with_snippets(fulltext.search(rows, words, index_first=True), words)
        else:
            found = fulltext.search_unranked(rows, words)
            found = found.annotate(search_snippet=Value("", output_field=TextField()))
        # A row's name is its first name-weighted field, as its str() is.
        columns = ["slug", model.search_weights["A"][0], "search_snippet"]
        if issubclass(model, DatedModel):
            columns.append("date_reading")
        return Statement(*compiled(found.values_list(*columns)[:limit]), count, using)

    return Statement.kept((model, preview, count, limit, ranked, using), make)
