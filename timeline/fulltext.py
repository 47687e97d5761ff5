"""Full-text search on the database's own engine: PostgreSQL's tsvector or SQLite's FTS5.

Both engines index the same four texts of a row, weighted A (its name or title) to D
(the names of related rows), and answer the same queries: every word must match a
whole word or the start of one ("buda" finds Budapest, "apest" finds nothing), accents
and case are ignored, and the best matches come first. No separate search server is
needed; the index lives in the database beside the rows and is written by the same
save signals that write them.

User text never reaches a query language as typed: it is folded, split into runs of
letters and digits, and each run is quoted as a prefix term.
"""

import re

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramStrictWordSimilarity,
)
from django.db import connections, models
from django.db.models import (
    Aggregate,
    Case,
    Exists,
    F,
    FloatField,
    Func,
    Lookup,
    Q,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

from timeline.text import fold

WEIGHTS = "ABCD"
MAX_SEARCH_WORDS = 8

# PostgreSQL: "simple" (no stemming, no stop words, so a word matches as typed) with
# accents removed first. Created by migration 0004.
CONFIG = "histsite_unaccent"

# Private-use characters cannot come from the database's own markup, so they survive
# HTML escaping and are then turned into <mark> elements.
MARK_START, MARK_STOP = "\ue000", "\ue001"
SNIPPET_WORDS = 24

TERM = re.compile(r"[^\W_]+")


def terms(text):
    """Return the folded runs of letters and digits of a search, at most MAX_SEARCH_WORDS."""
    return TERM.findall(fold(text))[:MAX_SEARCH_WORDS]


def tsquery(words, names_only=False):
    """Return a PostgreSQL to_tsquery text in which every word is a quoted prefix.

    With names_only, each word must stand in the name or title (weight A).
    """
    weight = "A" if names_only else ""
    return " & ".join(f"'{word}':*{weight}" for word in words)


def fts5_query(words, names_only=False):
    """Return an FTS5 MATCH text in which every word is a quoted prefix.

    With names_only, each word must stand in the name or title (column a).
    """
    query = " ".join('"{}"*'.format(word.replace('"', '""')) for word in words)
    return f"a : ({query})" if names_only else query


def fts5_table(model):
    return f"{model._meta.db_table}_fts"


def is_postgresql(queryset):
    return connections[queryset.db].vendor == "postgresql"


def joined(expressions):
    """Return one text expression of the expressions, separated by spaces."""
    if len(expressions) == 1:
        return expressions[0]
    parts = []
    for expression in expressions:
        parts += [expression, Value(" ")]
    return Concat(*parts[:-1], output_field=TextField())


class JoinedText(Aggregate):
    """The texts of a group, joined by spaces, on either database."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


class FTS5Document(models.TextField):
    """The hidden column of an FTS5 table that bears the table's name: the side of MATCH."""


@FTS5Document.register_lookup
class Match(Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", (*lhs_params, *rhs_params)


def add_search_entry(model):
    """Give model two unmanaged models over its FTS5 table: search_entry and search_hit.

    search_entry joins on entry_of, an unindexed copy of the rowid, so SQLite can
    only read the index first: once for all its matches, then each row by its key.
    Joined on the rowid, a narrower filter (a person's events) could lead instead,
    and the prefix match would be run again for each of its rows (a subquery per row
    took 8 s for 5,000 hits). search_hit joins on the rowid itself, which saves
    reading entry_of back from the index's content (2.5 ms of the 5 ms "karolyi"
    takes at 100,000 events): for a search with no other filter than the status.
    """
    table = fts5_table(model)
    for name, column in (("entry", "entry_of"), ("hit", "rowid")):
        attributes = {
            "__module__": model.__module__,
            "row": models.OneToOneField(
                model,
                primary_key=True,
                db_column=column,
                on_delete=models.DO_NOTHING,
                related_name=f"search_{name}",
            ),
            "document": FTS5Document(db_column=table),
            "rank": models.FloatField(),
            # Marked auto-created, like a many-to-many table, so that migrations,
            # dumpdata and checks leave it alone: migration 0004 makes the table, on
            # SQLite only.
            "Meta": type(
                "Meta",
                (),
                {
                    "managed": False,
                    "db_table": table,
                    "app_label": "timeline",
                    "auto_created": model,
                },
            ),
        }
        type(f"{model.__name__}Search{name.title()}", (models.Model,), attributes)


class Unaccent(Func):
    """The immutable unaccent() of migration 0004, which the trigram indexes are built on."""

    function = "histsite_unaccent"
    output_field = TextField()


def search(queryset, words, names_only=False, index_first=False):
    """Return the rows matching every word, annotated with search_rank, best first.

    An order the queryset already has is kept; an order applied later wins. With
    index_first, SQLite joins the index by its rowid (see add_search_entry) and orders
    by rank alone: for a queryset filtered by nothing narrower than the matches.
    """
    postgresql = is_postgresql(queryset)
    if postgresql:
        found = search_postgresql(queryset, words, names_only)
    else:
        found = search_sqlite(queryset, words, names_only, index_first)
    if queryset.query.order_by:
        return found
    if index_first and not postgresql:
        # Ordered by its rank column alone, FTS5 hands the matches over already sorted,
        # so a LIMIT stops after that many rows: their snippets and columns are all
        # that is read. A second key would sort every match, snippet and body
        # included (5 ms against 1.7 ms for the 1,211 matches of "karolyi" at 100,000
        # events). Rows that tie keep the index's own order.
        return found.order_by("search_hit__rank")
    return found.order_by("-search_rank", *queryset.model._meta.ordering)


def unless(condition, word):
    """Return the word, or NULL when the condition holds.

    A name is never similar to NULL, and PostgreSQL reads no index for it: "name is
    similar to NULL-if-anything-matches" costs nothing when words match, where "nothing
    matches and name is similar to the word" still had it fetch and test every row with
    a similar name (1,935 of them for "karolyi" at 100,000 events, a third of the query).
    """
    return Case(When(condition, then=Value(None)), default=Value(word), output_field=TextField())


def search_postgresql(queryset, words, names_only=False):
    model = queryset.model
    query = SearchQuery(tsquery(words, names_only), search_type="raw", config=CONFIG)
    name = Unaccent(model.search_weights["A"][0])
    # A misspelt word ("khrushcev") matches no word, so when nothing in the whole table
    # matches, rows whose name has a word close to it in trigrams are returned instead.
    # Strict word similarity compares whole words, so a word's tail ("apest") stays
    # unmatched, as it does in full-text search. Asking
    # the whole table keeps the decision one lazy query, whatever filters come after.
    anything_matches = Exists(model._base_manager.filter(search_vector=query))
    similar = Q(
        *(
            Q(trigram_name__trigram_strict_word_similar=unless(anything_matches, word))
            for word in words
        )
    )
    # Ranks the similar names; once words match, it is 0 without being computed (it
    # took 210 of the 360 ms "soviet", matching 47,621 events of 100,000, took).
    nearness = Case(
        When(anything_matches, then=Value(0.0)),
        default=TrigramStrictWordSimilarity(" ".join(words), name) / 100,
        output_field=FloatField(),
    )
    return (
        queryset.alias(trigram_name=name)
        .filter(Q(search_vector=query) | similar)
        .annotate(search_rank=SearchRank(F("search_vector"), query) + nearness)
    )


def search_sqlite(queryset, words, names_only=False, index_first=False):
    # rank is bm25(), lower for better matches; negated so that higher is better on both.
    match = fts5_query(words, names_only)
    entry = "search_hit" if index_first else "search_entry"
    return (
        queryset.filter(**{f"{entry}__document__match": match})
        .alias(search_document=F(f"{entry}__document"))
        .annotate(search_rank=-F(f"{entry}__rank"))
    )


def search_unranked(queryset, words):
    """Return the rows matching every word, in the queryset's own order, unranked.

    For words so common that ranking every match costs more than it tells: ordered
    by an index, the rows are read in that order until enough of them match.
    """
    if is_postgresql(queryset):
        query = SearchQuery(tsquery(words), search_type="raw", config=CONFIG)
        return queryset.filter(search_vector=query)
    hits = queryset.model._meta.get_field("search_hit").related_model
    matching = hits.objects.filter(document__match=fts5_query(words)).values("row")
    # "+id IN (matches)": the unary plus keeps SQLite from reading each match by its
    # key and sorting them all (70 ms for the 47,621 events "soviet" finds at 100,000),
    # so it walks the order's index and looks each row up in the matches (7 ms).
    key = Func(F("pk"), template="+%(expressions)s", output_field=models.IntegerField())
    return queryset.alias(search_key=key).filter(search_key__in=matching)


def with_snippets(queryset, words):
    """Annotate each row with search_snippet: its best passage, matches between marks."""
    if is_postgresql(queryset):
        query = SearchQuery(tsquery(words), search_type="raw", config=CONFIG)
        weights = queryset.model.search_weights
        # The title (A) is already the result's link; the passage comes from the text.
        text = joined([F(field) for weight in "BC" for field in weights.get(weight, ())])
        snippet = SearchHeadline(
            text,
            query,
            config=CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_STOP,
            max_words=SNIPPET_WORDS,
            min_words=SNIPPET_WORDS // 2,
        )
    elif "search_document" not in queryset.query.annotations:
        # search() found no word to look for (the text was all punctuation).
        snippet = Value("", output_field=TextField())
    else:
        # search() has joined the FTS5 table with its MATCH; snippet() needs both.
        snippet = Func(
            F("search_document"),
            function="snippet",
            template=(
                f"%(function)s(%(expressions)s, -1, '{MARK_START}', '{MARK_STOP}', ' … ', "
                f"{SNIPPET_WORDS})"
            ),
            output_field=TextField(),
        )
    return queryset.annotate(search_snippet=snippet)


def marked(snippet):
    """Return a snippet as safe HTML: everything escaped, the matches in <mark>."""
    html = escape((snippet or "").strip())
    return mark_safe(html.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))


def document(model):
    """Return the text expressions of a row by weight, related rows' text included."""
    related = model.search_related_text()
    texts = {}
    for weight in WEIGHTS:
        parts = [*map(F, model.search_weights.get(weight, ())), *related.get(weight, ())]
        if parts:
            texts[weight] = joined(parts)
    return texts


def reindex(queryset):
    """Write the index entries of the rows of queryset afresh, in one statement each."""
    queryset = queryset.order_by()
    texts = document(queryset.model)
    if is_postgresql(queryset):
        vectors = [
            SearchVector(text, config=CONFIG, weight=weight) for weight, text in texts.items()
        ]
        vector = vectors[0]
        for other in vectors[1:]:
            vector = vector + other
        queryset.update(search_vector=vector)
        return
    columns = {weight.lower(): texts.get(weight, Value("")) for weight in WEIGHTS}
    rows = queryset.annotate(**{f"fts_{name}": text for name, text in columns.items()})
    rows_sql, rows_params = rows.values_list(
        "pk", "pk", *(f"fts_{name}" for name in columns)
    ).query.sql_with_params()
    keys_sql, keys_params = queryset.values("pk").query.sql_with_params()
    connection = connections[queryset.db]
    table = connection.ops.quote_name(fts5_table(queryset.model))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({keys_sql})", keys_params)
        names = ", ".join(columns)
        cursor.execute(f"INSERT INTO {table} (rowid, entry_of, {names}) {rows_sql}", rows_params)


def forget(model, pks, using):
    """Remove deleted rows from the index (PostgreSQL's column goes with its row)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        return
    table = connection.ops.quote_name(fts5_table(model))
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", [(pk,) for pk in pks])


def clear(model, using):
    """Empty a model's FTS5 table, so a rebuild drops entries whose rows are gone."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(fts5_table(model))}")
