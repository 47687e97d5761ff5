"""Make a large, realistic site for speed work: ``manage.py makedata --events N``.

At 100,000 events the site has the shape a long-lived history site grows into: 5,000
people, 1,000 places nested from countries down to buildings, 500 sources (some known
only through another), 200,000 citations of which one source holds 30,000, ten kinds,
fourteen nested periods and 5% drafts. It is skewed as real data is: a few people and
periods have thousands of events, 1956 is far denser than other years, and one day can
hold dozens of timed events. Every count scales with N (small floors keep a small
site's shape), and the same seed always gives the same rows.

Rows go in with bulk_create, yet every derived field (date bounds, folded search text)
is filled by refresh_derived_fields, the code a save runs, so a generated row holds
what saving it would store. Slugs and citation keys start with "gen-", so the data
can sit beside the article's own content.
"""

import datetime
import itertools
import random
import time
from bisect import bisect
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction

from timeline import csl
from timeline.models import (
    Citation,
    Event,
    EventKind,
    Participation,
    Period,
    Person,
    Place,
    Source,
    Topic,
)
from timeline.models.base import refresh_derived_fields
from timeline.models.publication import Publishable
from timeline.text import slugify

PREFIX = "gen-"
DRAFT_SHARE = 0.05
HOT_SOURCE_SHARE = 0.15  # one source holds 30,000 of 200,000 citations
# Of every 100 citations: the rest support events.
CITATION_SHARES = {"person": 0.06, "place": 0.04, "period": 0.01}
# A pool of EDTF values that are not a plain day, month or year: each is parsed once
# (dates.parse caches its answers), and edtf's grammar takes milliseconds a parse.
DATE_POOL_SIZE = 300

FIRST_YEAR, LAST_YEAR = 1919, 1991
# Events a year, relative to a quiet year.
YEAR_WEIGHTS = {
    1919: 4,
    1920: 2,
    1938: 1.5,
    1939: 1.5,
    1940: 1.5,
    1941: 2,
    1942: 2,
    1943: 2,
    1944: 5,
    1945: 5,
    1946: 2.5,
    1947: 2.5,
    1948: 2,
    1949: 2,
    1953: 1.5,
    1956: 8,
    1957: 3,
    1958: 1.5,
    1968: 1.5,
    1989: 4,
    1990: 4,
    1991: 2.5,
}
# The fortnight and a half of the 1956 revolution holds this share of all events,
# about 400 a day: the dense stretch where many events share a day and a time.
REVOLUTION_DAYS = (datetime.date(1956, 10, 23), datetime.date(1956, 11, 10))
REVOLUTION_SHARE = 0.079
TIMED_SHARE = {"revolution": 0.45, "other": 0.06}
# How a date is given, outside the revolution's days, in percent.
DATE_SHAPES = (("day", 78), ("month", 8), ("year", 4), ("pooled", 10))

# (slug, title, EDTF span, parent slug); listed parents first.
PERIODS = (
    ("interwar", "Interwar Hungary and Soviet Russia", "1919/1938", None),
    ("soviet-republic", "The Soviet Republic of 1919", "1919-03-21/1919-08-01", "interwar"),
    ("recognition", "Prisoner exchanges and recognition", "1920/1934", "interwar"),
    ("war-years", "The war years", "1939/1945-05", None),
    ("eastern-front", "Hungary on the Eastern Front", "1941-06-27/1945-04-04", "war-years"),
    ("siege", "The siege of Budapest", "1944-12-26/1945-02-13", "eastern-front"),
    ("sovietisation", "Sovietisation", "1945-05/1956-10-22", None),
    ("rakosi-years", "The Rákosi years", "1948-06/1953-07", "sovietisation"),
    ("revolution", "The revolution of 1956", "1956-10-23/1956-11-10", None),
    ("kadar-era", "The Kádár era", "1956-11-11/1988-05-22", None),
    ("reprisals", "Reprisals and consolidation", "1956-11-11/1963-03", "kadar-era"),
    ("new-mechanism", "The New Economic Mechanism", "1968-01/1973-11", "kadar-era"),
    ("transition", "Transition and withdrawal", "1988/1991-12", None),
    (
        "withdrawal",
        "Withdrawal of the Southern Group of Forces",
        "1990-03/1991-06-19",
        "transition",
    ),
)

# (name, weight): how often events are of each kind.
KINDS = (
    ("Talks", 25),
    ("Visit", 15),
    ("Military operation", 15),
    ("Trade", 12),
    ("Cultural exchange", 7),
    ("Uprising", 6),
    ("Trial", 6),
    ("Treaty", 5),
    ("Border incident", 5),
    ("Purge", 4),
)
TITLES = {
    "Talks": (
        "Talks in {place} on {subject}",
        "{person} and {other} discuss {subject}",
        "Soviet–Hungarian consultations on {subject}",
    ),
    "Visit": ("{person} visits {place}", "Delegation from {country} arrives in {place}"),
    "Military operation": (
        "Troops move into {place}",
        "Fighting at {place}",
        "Soviet units reinforce {place}",
        "Armoured column reaches {place}",
    ),
    "Trade": ("Trade agreement on {subject}", "Deliveries of {goods} to {place}"),
    "Cultural exchange": ("{person} lectures in {place}", "Exhibition on {subject} in {place}"),
    "Uprising": (
        "Demonstration in {place}",
        "Crowd gathers at {place}",
        "Strike at {place}",
        "Workers' council formed in {place}",
    ),
    "Trial": ("Trial of {person} opens", "{person} sentenced in {place}"),
    "Treaty": (
        "Treaty on {subject} signed in {place}",
        "Agreement on {subject}",
        "Protocol on {subject} ratified",
    ),
    "Border incident": (
        "Incident on the border near {place}",
        "Border commission meets at {place}",
    ),
    "Purge": ("{person} removed from office", "Arrests in {place}"),
}
SUBJECTS = (
    "reparations",
    "prisoners of war",
    "oil deliveries",
    "grain deliveries",
    "the border",
    "the stationing of troops",
    "uranium mining",
    "joint companies",
    "war debts",
    "repatriation",
    "cultural cooperation",
    "Danube shipping",
    "air links",
    "railway traffic",
    "scientific cooperation",
    "the withdrawal of troops",
    "economic aid",
    "credit terms",
    "the status of forces",
    "minority rights",
)
GOODS = ("coal", "grain", "machinery", "oil", "buses", "cotton", "timber", "steel")
SENTENCES = (
    "{person} arrived in {place} on the morning of the meeting.",
    "The talks concerned {subject}.",
    "According to the minutes, the Soviet side insisted on {subject}.",
    "Reports from {place} describe the day in detail.",
    "The Hungarian government protested against the decision.",
    "{person} later wrote that the outcome had been settled in advance.",
    "The agreement was never fully carried out.",
    "Western newspapers reported the news two days later.",
    "Witnesses in {place} gave differing accounts of the numbers involved.",
    "{person} and {other} met again a week later.",
    "The question of {subject} remained open for years.",
    "Moscow approved the arrangement without comment.",
    "Local party officials in {place} were not informed beforehand.",
    "The archives hold the correspondence on {subject}.",
)
SUMMARIES = (
    "{person} took part; the sources dwell on {subject}.",
    "An episode in {place} bound up with {subject}.",
    "The first of several meetings on {subject}.",
    "Events in {place}, as the sources record them.",
)
QUOTATIONS = (
    "The delegation was received with every courtesy.",
    "No agreement could be reached on the question of {subject}.",
    "The troops will remain for as long as the situation requires.",
    "We were told nothing of the decision until it had been taken.",
    "The matter of {subject} is to be settled by a joint commission.",
)
SECTIONS = (
    "Background",
    "Early contacts",
    "The Soviet Republic",
    "Recognition",
    "The war",
    "Occupation",
    "Reparations",
    "Forced labour",
    "The new regime",
    "Economic relations",
    "Cultural relations",
    "The revolution",
    "The second intervention",
    "Aftermath",
    "Reprisals",
    "Consolidation",
    "Trade",
    "Military presence",
    "Reform",
    "Withdrawal",
    "Legacy",
    "Notes",
)
ROLES = (
    "negotiator",
    "signatory",
    "commander",
    "witness",
    "host",
    "delegate",
    "speaker",
    "organiser",
    "defendant",
    "interpreter",
)
OFFICES = (
    "Minister of Foreign Affairs",
    "Ambassador in Moscow",
    "Ambassador in Budapest",
    "Commander of the Southern Group of Forces",
    "First Secretary",
    "Member of the Politburo",
    "Chairman of the Council of Ministers",
    "Party secretary",
    "Trade representative",
    "Military attaché",
    "Writer",
    "Historian",
    "Journalist",
    "Interpreter",
)
HUNGARIAN_GIVEN = (
    "Imre János Mátyás László Ferenc Béla Mihály Gyula Zoltán Ernő Miklós István Pál Sándor "
    "Lajos Károly Gábor Tibor Endre Géza Erzsébet Júlia Anna Mária Katalin Ilona Éva Margit"
).split()
HUNGARIAN_FAMILY = (
    "Nagy Kovács Tóth Szabó Horváth Varga Kiss Molnár Németh Farkas Balogh Papp Takács Juhász "
    "Lakatos Mészáros Oláh Simon Rácz Fekete Károlyi Szilágyi Török Fehér Balázs Gál Szűcs "
    "Kocsis Pintér Fodor Szalai Sipos Magyar Lukács Gulyás Bíró Király Katona Jakab Boros "
    "Fazekas Kelemen Antal Orosz Somogyi Fülöp Veres Vincze Hegedűs Deák Bálint Illés Vass "
    "Lengyel Szőke Fábián Bodnár Hajdu Halász Kozma Máté Székely Gáspár Pásztor Bakos Dudás "
    "Major Hegyi Virág Barna Novák Soós Tamás Nemes Pataki Balla Apró Dobi Erdei Rajk"
).split()
RUSSIAN_GIVEN = (
    "Nikita Yuri Mikhail Leonid Vyacheslav Anastas Georgy Kliment Ivan Andrei Boris Alexei "
    "Vasily Nikolai Sergei Pavel Dmitri Grigory Valentina Yekaterina Yelena Olga"
).split()
RUSSIAN_FAMILY = (
    "Ivanov Smirnov Kuznetsov Popov Vasiliev Petrov Sokolov Mikhailov Novikov Fedorov Morozov "
    "Volkov Alekseev Lebedev Semenov Egorov Pavlov Kozlov Stepanov Nikolaev Orlov Andreev "
    "Makarov Nikitin Zakharov Zaitsev Solovyov Borisov Yakovlev Grigoriev Romanov Vorobyov "
    "Sergeev Frolov Gusev Titov Belov Komarov"
).split()
# The first country's first city is the capital: the busiest place.
COUNTRIES = (
    ("Hungary", "Budapest", "hungarian"),
    ("Soviet Union", "Moscow", "russian"),
    ("Romania", "Bucharest", "hungarian"),
    ("Czechoslovakia", "Prague", "hungarian"),
    ("Yugoslavia", "Belgrade", "hungarian"),
    ("Austria", "Vienna", "hungarian"),
    ("Poland", "Warsaw", "russian"),
    ("Germany", "Berlin", "hungarian"),
    ("Bulgaria", "Sofia", "russian"),
    ("Ukrainian SSR", "Kyiv", "russian"),
    ("Finland", "Helsinki", "russian"),
    ("Italy", "Rome", "hungarian"),
)
TOPONYMS = {
    "hungarian": (
        ("Kis", "Nagy", "Felső", "Alsó", "Új", "Ó", "Szent", "", "", ""),
        "tisza duna rába körös maros sár berek nyír tölgy kő arany vas tó szil hegyes".split(),
        "vár falva hegy patak kút szállás halom egyháza telek háza szeg bánya".split(),
    ),
    "russian": (
        ("Novo", "Staro", "Verkhne", "Nizhne", "", "", ""),
        "kras bel zelen kamen sosnov lip ozer berez dubrov mosk pesch rechn".split(),
        "ograd ovsk ino evo ovka sk gorsk any oye".split(),
    ),
}
REGION_FORMS = ("{} County", "{} Oblast", "{} District", "{} Province")
BUILDINGS = (
    "{} railway station",
    "{} town hall",
    "Soviet military headquarters in {}",
    "{} barracks",
    "Party headquarters in {}",
    "{} radio station",
    "{} airfield",
    "{} prison",
    "{} steelworks",
)
ROMAN = "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX XXI XXII".split()
WORK_TITLES = (
    "{subject} in Soviet–Hungarian relations, {start}–{end}",
    "Hungary and the Soviet Union: {subject}",
    "Moscow and Budapest, {start}–{end}",
    "The politics of {subject}",
    "A history of {subject} in Central Europe",
    "Memoirs of a diplomat, {start}–{end}",
    "Documents on {subject}",
)
DOCUMENT_TITLES = (
    "Report on {subject}, {start}",
    "Minutes of the meeting on {subject}, {start}",
    "Telegram from the embassy on {subject}, {start}",
    "Memorandum on {subject}, {start}",
    "Speech on {subject}, {start}",
)
PUBLISHERS = (
    "Akadémiai Kiadó",
    "Corvina",
    "Progress Publishers",
    "Central European University Press",
    "Columbia University Press",
    "Osiris",
    "Nauka",
    "Európa Könyvkiadó",
)
JOURNALS = (
    "Slavic Review",
    "Századok",
    "Hungarian Quarterly",
    "Europe-Asia Studies",
    "Cold War History",
    "Voprosy istorii",
)
LOCATOR_LABELS = (("section", 50), ("page", 40), ("chapter", 5), ("paragraph", 3), ("folio", 2))


YEARS = list(range(FIRST_YEAR, LAST_YEAR + 1))
YEAR_TOTALS = list(itertools.accumulate(YEAR_WEIGHTS.get(year, 1) for year in YEARS))
# (share of all events, first and last active year): the busiest person is in about
# 7,700 of 100,000 events, a few others in thousands.
PRINCIPALS = (
    (0.077, 1945, 1989),
    (0.045, 1919, 1945),
    (0.03, 1953, 1968),
    (0.022, 1956, 1985),
    (0.015, 1985, 1991),
)


@dataclass(frozen=True)
class Scale:
    """How many rows of each kind a site with this many events has."""

    events: int
    people: int
    places: int
    sources: int
    citations: int

    @classmethod
    def of(cls, events):
        """Return the counts for a site of this many events (5,000 people per 100,000)."""

        def per_100k(count, floor=0):
            # Floors keep a small site's shape: five levels of place, and enough
            # sources for the most cited one to stand out from the next.
            return max(floor, round(events * count / 100_000))

        return cls(
            events=events,
            people=per_100k(5_000, floor=10),
            places=per_100k(1_000, floor=20),
            sources=per_100k(500, floor=40),
            citations=per_100k(200_000),
        )

    @property
    def drafts(self):
        return round(self.events * DRAFT_SHARE)

    @property
    def hot_source_citations(self):
        return round(self.citations * HOT_SOURCE_SHARE)

    @property
    def featured_events(self):
        return max(3, round(self.events / 5_000))

    @property
    def featured_people(self):
        return max(3, round(self.people / 400))

    def citations_on(self, target):
        """Return how many citations support rows of this kind; events take the rest."""
        if target == "event":
            return self.citations - sum(self.citations_on(name) for name in CITATION_SHARES)
        return round(self.citations * CITATION_SHARES[target])


PUBLISHED, DRAFT = Publishable.Status.PUBLISHED, Publishable.Status.DRAFT
UNPUBLISHED_SHARE = 0.02  # of people, places and sources


def batch_size(field_count):
    """Return rows per INSERT that keep within the database's limit on parameters.

    Django reads SQLite's limit as 999 and caps a batch there whatever it is asked;
    on PostgreSQL it has no cap, and one INSERT of 100,000 rows would be built in
    memory at once (and exceed the protocol's 65,535 with server-side binding).
    """
    limit = connection.features.max_query_params or 65_535
    return max(1, limit // field_count)


def cumulative(weights):
    return list(itertools.accumulate(weights))


def capitalised(text):
    return text[:1].upper() + text[1:]


class Generator:
    """Build a site of the given size in the database, the same for the same seed."""

    def __init__(self, events, seed=1, log=None):
        self.scale = Scale.of(events)
        self.random = random.Random(seed)
        # Statuses draw from their own sequence, so the rest of the site stays as it was.
        self.status_random = random.Random(f"status-{seed}")
        self.log = log or (lambda message: None)
        self.counts = {}
        self.seconds = {}
        # (target field, row, number of citations), in the order citations are made.
        self.cited = []

    # Drawing ---------------------------------------------------------------------------

    def pick(self, items, totals):
        """Return one item, drawn by cumulative weights (a bisect, not a scan)."""
        return items[bisect(totals, self.random.random() * totals[-1])]

    def pick_distinct(self, items, totals, count):
        """Return up to count different items, drawn by weight."""
        chosen = []
        for _ in range(count * 4):
            if len(chosen) == count:
                break
            item = self.pick(items, totals)
            if item not in chosen:
                chosen.append(item)
        return chosen

    def shape(self, choices):
        """Return a value from (value, weight) pairs."""
        values, weights = zip(*choices, strict=True)
        return self.random.choices(values, weights=weights)[0]

    def spread(self, total, count, weights=None):
        """Return count numbers adding up to total, each item's share by its weight."""
        drawn = Counter(self.random.choices(range(count), weights=weights, k=total))
        return [drawn[index] for index in range(count)]

    def fill(self, template, **names):
        """Return a template filled with names and a random subject and goods."""
        return template.format(
            subject=self.random.choice(SUBJECTS), goods=self.random.choice(GOODS), **names
        )

    def text(self, paragraphs, keys, names):
        """Return paragraphs of sentences with a [^key] marker after some of them.

        Most citations are placed once, a few twice, and some not at all, as editors
        leave notes for the page to show after the summary.
        """
        blocks = [
            [
                self.fill(self.random.choice(SENTENCES), **names)
                for _ in range(self.random.randint(2, 4))
            ]
            for _ in range(paragraphs)
        ]
        sentences = [(b, s) for b, block in enumerate(blocks) for s in range(len(block))]
        for key in keys:
            for _ in range(self.shape(((0, 12), (1, 83), (2, 5))) if sentences else 0):
                b, s = self.random.choice(sentences)
                blocks[b][s] += f"[^{key}]"
        return "\n\n".join(" ".join(block) for block in blocks)

    def cited_text(self, field, row, count, paragraphs, names):
        """Return a text marking the row's citations, and note them to be made."""
        self.cited.append((field, row, count))
        return self.text(paragraphs, citation_keys(row, count), names)

    # Writing ---------------------------------------------------------------------------

    def status(self):
        """Return a status for a person, place or source: a few are drafts, as in a newsroom."""
        return DRAFT if self.status_random.random() < UNPUBLISHED_SHARE else PUBLISHED

    def derived(self, rows):
        """Return the rows with their derived fields filled by the code a save runs."""
        for row in rows:
            refresh_derived_fields(sender=type(row), instance=row)
        return rows

    def insert(self, model, rows, label):
        """Insert the rows in batches and return them, with the primary keys the database gives."""
        started = time.perf_counter()
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        created = model.objects.bulk_create(rows, batch_size=batch_size(len(fields)))
        seconds = time.perf_counter() - started
        self.counts[label] = self.counts.get(label, 0) + len(created)
        self.seconds[label] = self.seconds.get(label, 0) + seconds
        return created

    def run(self):
        """Build the whole site in one transaction and return the counts by table."""
        started = time.perf_counter()
        steps = (
            self.make_kinds,
            self.make_periods,
            self.order_periods,
            self.make_places,
            self.link_places,
            self.make_sources,
            self.make_people,
            self.make_events,
            self.make_citations,
        )
        with transaction.atomic():
            for step in steps:
                before, step_started = dict(self.counts), time.perf_counter()
                step()
                made = ", ".join(
                    f"{label} {count - before.get(label, 0):,}"
                    for label, count in self.counts.items()
                    if count != before.get(label, 0)
                )
                self.log(f"{made}: {time.perf_counter() - step_started:.1f} s")
        self.seconds["total"] = time.perf_counter() - started
        return self.counts

    def order_periods(self):
        """Number the periods and store their paths, as saves would have."""
        Period.objects.rebuild_paths()
        Period.objects.renumber()
        for period in self.periods.values():
            period.refresh_from_db(fields=["position", "tree_path"])

    def link_places(self):
        """Store each place's path in the tree, as saves would have."""
        Place.objects.rebuild_paths()

    # Rows ------------------------------------------------------------------------------

    def make_kinds(self):
        rows = [
            EventKind(slug=PREFIX + slugify(name), name=name, description=f"{name} events.")
            for name, _ in KINDS
        ]
        self.kinds = self.insert(EventKind, self.derived(rows), "kinds")
        self.kind_totals = cumulative(weight for _, weight in KINDS)

    def make_periods(self):
        """Make the nested periods, one at a time as each may hold the next."""
        self.periods = {}
        depth = {}
        # The periods belong to the site's topic; a site with none gets one.
        topic = Topic.objects.default() or Topic.objects.create(
            slug=PREFIX + "topic",
            title="A generated history",
            lead="A history made up to measure the site with.",
            is_default=True,
        )
        counts = self.spread(self.scale.citations_on("period"), len(PERIODS))
        for order, ((slug, title, span, parent), count) in enumerate(
            zip(PERIODS, counts, strict=True)
        ):
            period = Period(
                slug=PREFIX + slug,
                title=title,
                date=span,
                parent=self.periods.get(parent),
                summary=f"{title}, as the sources tell it.",
                order=order,
                status=PUBLISHED,
                topic=topic,
            )
            names = {"person": "The Soviet leadership", "other": "Budapest", "place": "Moscow"}
            period.body = self.cited_text("period", period, count, 3, names)
            self.periods[slug] = self.insert(Period, self.derived([period]), "periods")[0]
            depth[slug] = depth[parent] + 1 if parent else 0
        # An event belongs to the innermost period that holds its first day.
        self.innermost = [
            self.periods[slug] for slug in sorted(depth, key=lambda slug: -depth[slug])
        ]

    def toponym(self, language):
        prefixes, roots, endings = TOPONYMS[language]
        choice = self.random.choice
        return capitalised(choice(prefixes) + choice(roots) + choice(endings))

    def make_places(self):
        """Make countries, regions, cities, districts, then buildings, roads and islands."""
        total = self.scale.places
        countries = min(len(COUNTRIES), max(2, round(total * 0.012)))
        regions = max(3, round(total * 0.088))
        cities = max(4, round(total * 0.4))
        districts = max(2, round(total * 0.2))
        inside = total - countries - regions - cities - districts
        citations = iter(self.spread(self.scale.citations_on("place"), total))
        numbers = itertools.count()

        def place(name, kind, parent, language):
            number = next(numbers)
            other = ""
            if self.random.random() < 0.15:
                other = self.toponym("russian" if language == "hungarian" else "hungarian")
            row = Place(
                slug=f"{PREFIX}place-{number}-{slugify(name)}"[:120].rstrip("-"),
                name=name,
                other_names=other,
                kind=kind,
                parent=parent,
                status=self.status(),
            )
            names = {"person": "Local officials", "other": "visitors", "place": name}
            row.description = self.cited_text("place", row, next(citations), 1, names)
            return row, language

        def insert(rows):
            created = self.insert(Place, self.derived([row for row, _ in rows]), "places")
            return [(row, language) for row, (_, language) in zip(created, rows, strict=True)]

        country_rows = insert(
            [place(name, Place.Kind.COUNTRY, None, lang) for name, _, lang in COUNTRIES[:countries]]
        )
        # Hungary and the Soviet Union hold most regions and cities.
        totals = cumulative([6, 5] + [1] * (countries - 2))
        region_rows = []
        for _ in range(regions):
            country, language = self.pick(country_rows, totals)
            name = self.random.choice(REGION_FORMS).format(self.toponym(language))
            region_rows.append(place(name, Place.Kind.REGION, country, language))
        region_rows = insert(region_rows)
        totals = cumulative(
            6 if row.parent_id == country_rows[0][0].pk else 1 for row, _ in region_rows
        )
        city_rows = []
        for index in range(cities):
            region, language = self.pick(region_rows, totals)
            if index < countries:
                # Each country's capital, in one of that country's regions.
                country = country_rows[index][0]
                region = next((r for r, _ in region_rows if r.parent_id == country.pk), region)
                name, kind, language = COUNTRIES[index][1], Place.Kind.CITY, COUNTRIES[index][2]
            else:
                name = self.toponym(language)
                kind = Place.Kind.CITY if self.random.random() < 0.6 else Place.Kind.TOWN
            city_rows.append(place(name, kind, region, language))
        city_rows = insert(city_rows)
        # Capitals hold most districts and buildings.
        totals = cumulative(12 if index < countries else 1 for index in range(cities))
        district_rows, numbered = [], Counter()
        for _ in range(districts):
            city, language = self.pick(city_rows, totals)
            numeral = ROMAN[numbered[city.pk] % len(ROMAN)]
            numbered[city.pk] += 1
            name = f"{city.name} District {numeral}"
            district_rows.append(place(name, Place.Kind.DISTRICT, city, language))
        district_rows = insert(district_rows)
        districts_of = {}
        for district, _ in district_rows:
            districts_of.setdefault(district.parent_id, []).append(district)
        inside_rows = []
        for _ in range(inside):
            city, language = self.pick(city_rows, totals)
            kind = self.shape(
                ((Place.Kind.BUILDING, 65), (Place.Kind.ROAD, 25), (Place.Kind.ISLAND, 10))
            )
            if kind == Place.Kind.ROAD:
                name = f"{self.random.choice(HUNGARIAN_FAMILY)} Street, {city.name}"
            elif kind == Place.Kind.ISLAND:
                name = f"{self.toponym(language)} Island"
            else:
                name = self.random.choice(BUILDINGS).format(city.name)
            # Half the buildings and roads of a city with districts lie in one of them.
            parent = city
            if kind != Place.Kind.ISLAND and city.pk in districts_of and self.random.random() < 0.5:
                parent = self.random.choice(districts_of[city.pk])
            inside_rows.append(place(name, kind, parent, language))
        inside_rows = insert(inside_rows)
        self.places = [
            row
            for rows in (country_rows, region_rows, city_rows, district_rows, inside_rows)
            for row, _ in rows
        ]
        self.countries = [row for row, _ in country_rows]
        self.capital = city_rows[0][0]
        # Events happen in cities and buildings more than in whole countries; the capital
        # is the busiest place, with about a seventh of all mentions.
        level = {Place.Kind.COUNTRY: 3, Place.Kind.REGION: 1, Place.Kind.CITY: 3}
        ranks = list(range(len(self.places)))
        self.random.shuffle(ranks)
        weights = [
            level.get(row.kind, 1.5) / (rank + 4) ** 0.9
            for row, rank in zip(self.places, ranks, strict=True)
        ]
        capital = self.places.index(self.capital)
        weights[capital] = 0
        weights[capital] = sum(weights) * 0.15 / 0.85
        self.place_totals = cumulative(weights)

    def person_name(self):
        """Return a name, native name and sort name; Hungarians put the family name first."""
        if self.random.random() < 0.7:
            given = self.random.choice(HUNGARIAN_GIVEN)
            family = self.random.choice(HUNGARIAN_FAMILY)
            return f"{given} {family}", f"{family} {given}", f"{family}, {given}"
        given, family = self.random.choice(RUSSIAN_GIVEN), self.random.choice(RUSSIAN_FAMILY)
        return f"{given} {family}", "", f"{family}, {given}"

    def make_sources(self):
        """Make works, then documents known only through one of them."""
        total = self.scale.sources
        documents = round(total * 0.25)
        works = total - documents
        work_types = (
            (Source.Type.BOOK, 40),
            (Source.Type.ARTICLE, 25),
            (Source.Type.CHAPTER, 15),
            (Source.Type.WEBPAGE, 10),
            (Source.Type.ENCYCLOPEDIA_ENTRY, 5),
            (Source.Type.INTERVIEW, 5),
        )
        document_types = (
            (Source.Type.DOCUMENT, 40),
            (Source.Type.REPORT, 25),
            (Source.Type.SPEECH, 15),
            (Source.Type.TREATY, 10),
            (Source.Type.MANUSCRIPT, 10),
        )

        def source(number, csl_type, title, known_through=None):
            row = Source(
                slug=f"{PREFIX}source-{number}-{slugify(title)}"[:120].rstrip("-"),
                csl_type=csl_type,
                title=title,
                authors=[
                    csl.parse_names(self.person_name()[2])[0]
                    for _ in range(self.random.randint(0, 3))
                ],
                issued=str(self.random.randint(1950, 2020)) if self.random.random() < 0.9 else "",
                known_through=known_through,
                status=self.status(),
            )
            if csl_type in (Source.Type.ARTICLE, Source.Type.CHAPTER):
                row.container_title = self.random.choice(JOURNALS)
            if csl_type in (Source.Type.BOOK, Source.Type.CHAPTER):
                row.publisher = self.random.choice(PUBLISHERS)
            if csl_type == Source.Type.WEBPAGE:
                row.url = f"https://archive.example.org/{number}"
                row.accessed = datetime.date(2024, 1, 1) + datetime.timedelta(days=number % 365)
            if known_through is not None:
                row.known_through_locator = f"section: {self.random.choice(SECTIONS)}"
            return row

        def title(templates):
            start = self.random.randint(FIRST_YEAR, LAST_YEAR - 5)
            return capitalised(self.fill(self.random.choice(templates), start=start, end=start + 5))

        rows = [
            source(0, Source.Type.ENCYCLOPEDIA_ENTRY, "Hungary and the Soviet Union, 1919–1991")
        ]
        rows += [source(n, self.shape(work_types), title(WORK_TITLES)) for n in range(1, works)]
        work_rows = self.insert(Source, self.derived(rows), "sources")
        rows = [
            source(
                n,
                self.shape(document_types),
                title(DOCUMENT_TITLES),
                known_through=self.random.choice(work_rows[1:] or work_rows),
            )
            for n in range(works, total)
        ]
        document_rows = self.insert(Source, self.derived(rows), "sources")
        self.hot_source = work_rows[0]
        # After the most cited source, works are cited a few hundred times each (some
        # four times as often as others), documents known through them far less.
        self.other_sources = work_rows[1:] + document_rows
        weights = [1 / (1 + 3 * rank / works) for rank in range(works - 1)]
        self.other_source_totals = cumulative(weights + [0.1] * len(document_rows))

    def make_people(self):
        """Make people active over a span of years; a few principals are in thousands of events."""
        total = self.scale.people
        self.principals = PRINCIPALS[: max(1, total // 5)]
        citations = self.spread(
            self.scale.citations_on("person"),
            total,
            [40 if n < len(self.principals) else 1 for n in range(total)],
        )
        rows, active = [], []
        for number in range(total):
            name, native, sort_name = self.person_name()
            if number < len(self.principals):
                start, end = self.principals[number][1:]
            else:
                start = self.pick(YEARS, YEAR_TOTALS)
                end = min(LAST_YEAR, start + self.random.randint(2, 35))
            active.append((start, end))
            born, died = start - self.random.randint(20, 45), end + self.random.randint(0, 30)
            person = Person(
                slug=f"{PREFIX}person-{number}-{slugify(name)}",
                name=name,
                native_name=native,
                sort_name=sort_name,
                titles="\n".join(self.random.sample(OFFICES, self.random.randint(0, 2))),
                born=self.life_date(born),
                died=self.life_date(died) if died < 2020 else "",
                featured=number < self.scale.featured_people,
                status=self.status(),
            )
            names = {"person": name, "other": "his contemporaries", "place": "Budapest"}
            person.biography = self.cited_text("person", person, citations[number], 1, names)
            rows.append(person)
        self.people = self.insert(Person, self.derived(rows), "people")
        # Ordinary people: a long tail, each drawn only in the years they were active.
        weights = [1 / (rank + 5) ** 0.9 for rank in range(total)]
        self.active_by_year = {}
        for year in YEARS:
            members = [
                n
                for n in range(len(self.principals), total)
                if active[n][0] <= year <= active[n][1]
            ] or list(range(total))
            self.active_by_year[year] = (
                [self.people[n] for n in members],
                cumulative(weights[n] for n in members),
            )
        # The chance a principal is in an event of their years, for them to reach their
        # share of all events; the revolution's days sit outside the year weights.
        everything = YEAR_TOTALS[-1]
        self.principal_odds = []
        for share, start, end in self.principals:
            inside = sum(YEAR_WEIGHTS.get(year, 1) for year in range(start, end + 1)) / everything
            inside *= 1 - REVOLUTION_SHARE
            if start <= REVOLUTION_DAYS[0].year <= end:
                inside += REVOLUTION_SHARE
            self.principal_odds.append(min(1.0, share / inside))

    def life_date(self, year):
        if self.random.random() < 0.1:
            return ""
        if self.random.random() < 0.6:
            return self.pick_day(year).isoformat()
        return str(year)

    # Dates -----------------------------------------------------------------------------

    def pick_day(self, year=None, first=None, last=None):
        first = first or datetime.date(year, 1, 1)
        last = last or datetime.date(year, 12, 31)
        return first + datetime.timedelta(days=self.random.randint(0, (last - first).days))

    def pooled_date(self):
        """Return a season, circa, uncertain or spanning date."""
        year = self.pick(YEARS, YEAR_TOTALS)
        day = self.pick_day(year)
        last = datetime.date(LAST_YEAR, 12, 31)
        end = min(day + datetime.timedelta(days=self.random.randint(31, 400)), last)
        return self.random.choice(
            (
                f"{year}-{self.random.randint(21, 24)}",
                f"{year}~",
                f"{year}-{day.month:02d}~",
                f"{year}?",
                f"{day.isoformat()}?",
                f"{year}/{min(LAST_YEAR, year + self.random.randint(1, 4))}",
                f"{year}-{day.month:02d}/{end.isoformat()}",
                f"{day.isoformat()}/{end.isoformat()}",
            )
        )

    def date_pool(self):
        """Return the pool of irregular dates events share, a few hundred at most."""
        pool = []
        while len(pool) < min(DATE_POOL_SIZE, max(10, self.scale.events // 10)):
            value = self.pooled_date()
            if value not in pool:
                pool.append(value)
        return pool

    def event_date(self, pool):
        """Return an event's EDTF date and time of day."""
        if self.random.random() < REVOLUTION_SHARE:
            day = self.pick_day(first=REVOLUTION_DAYS[0], last=REVOLUTION_DAYS[1])
            return day.isoformat(), self.time_of_day(TIMED_SHARE["revolution"])
        shape = self.shape(DATE_SHAPES)
        if shape == "pooled":
            return self.random.choice(pool), None
        year = self.pick(YEARS, YEAR_TOTALS)
        if shape == "year":
            return str(year), None
        day = self.pick_day(year)
        if shape == "month":
            return f"{year}-{day.month:02d}", None
        return day.isoformat(), self.time_of_day(TIMED_SHARE["other"])

    def time_of_day(self, share):
        if self.random.random() >= share:
            return None
        return datetime.time(self.random.randint(0, 23), 5 * self.random.randint(0, 11))

    # Events ----------------------------------------------------------------------------

    def make_events(self):
        """Make the events with their places, people and kinds."""
        started = time.perf_counter()
        count = self.scale.events
        pool = self.date_pool()
        dated = sorted((self.event_date(pool) for _ in range(count)), key=lambda dated: dated[0])
        # Numbers (and so primary keys) run in no order of time, as an editor's do.
        numbers = list(range(count))
        self.random.shuffle(numbers)
        drafts = set(self.random.sample(range(count), self.scale.drafts))
        citations = self.event_citation_counts(count)
        made = [None] * count
        # In date order, so each distinct date is parsed once: dates.parse keeps its
        # latest answers, and edtf takes milliseconds a parse.
        for index, ((value, time_of_day), number) in enumerate(zip(dated, numbers, strict=True)):
            draft = number in drafts
            made[number] = self.event(value, time_of_day, number, citations[number], draft)
            if (index + 1) % 20_000 == 0:
                self.log(f"  events: {index + 1:,} made, {time.perf_counter() - started:.1f} s")
        events, places, people, kinds = (list(column) for column in zip(*made, strict=True))
        published = [n for n in range(count) if n not in drafts]
        for number in self.random.sample(
            published, min(len(published), self.scale.featured_events)
        ):
            events[number].featured = True
        self.log(f"  events: {count:,} made in {time.perf_counter() - started:.1f} s")
        events = self.insert(Event, events, "events")
        self.cited += [("event", event, n) for event, n in zip(events, citations, strict=True)]
        through = Event.places.through
        rows = [
            through(event_id=event.pk, place_id=place.pk)
            for event, chosen in zip(events, places, strict=True)
            for place in chosen
        ]
        self.insert(through, rows, "event places")
        through = Event.kinds.through
        rows = [
            through(event_id=event.pk, eventkind_id=kind.pk)
            for event, chosen in zip(events, kinds, strict=True)
            for kind in chosen
        ]
        self.insert(through, rows, "event kinds")
        rows = [
            Participation(
                event_id=event.pk,
                person_id=person.pk,
                role=self.random.choice(ROLES) if self.random.random() < 0.7 else "",
                order=order,
            )
            for event, chosen in zip(events, people, strict=True)
            for order, person in enumerate(chosen)
        ]
        self.insert(Participation, rows, "participations")

    def event(self, value, time_of_day, number, citations, draft):
        """Return an event with its places, people and kinds, its fields derived."""
        status = Event.Status.DRAFT if draft else Event.Status.PUBLISHED
        event = Event(date=value, time=time_of_day, status=status)
        event.refresh_date_bounds()
        event.period = next(
            (p for p in self.innermost if p.date_earliest <= event.date_earliest <= p.date_latest),
            None,
        )
        if self.random.random() < 0.03:
            event.period = None  # a few events are filed under no period
        places = self.pick_distinct(
            self.places, self.place_totals, self.shape(((0, 4), (1, 66), (2, 25), (3, 5)))
        )
        people = self.participants(event.date_earliest.year)
        kinds = self.pick_distinct(
            self.kinds, self.kind_totals, self.shape(((1, 70), (2, 25), (3, 5)))
        )
        names = self.names(places, people)
        event.title = capitalised(self.fill(self.random.choice(TITLES[kinds[0].name]), **names))
        event.slug = f"{PREFIX}{number}-{slugify(event.title)[:60].rstrip('-')}"
        event.summary = self.fill(self.random.choice(SUMMARIES), **names)
        paragraphs = self.shape(((0, 10), (1, 45), (2, 35), (3, 10)))
        event.body = self.text(paragraphs, citation_keys(event, citations), names)
        # Derived now, while this date's parse is the newest in dates.parse's cache.
        refresh_derived_fields(sender=Event, instance=event)
        return event, places, people, kinds

    def participants(self, year):
        """Return the people in an event of this year: principals by odds, others by weight."""
        chosen = [
            self.people[n]
            for n, (_, start, end) in enumerate(self.principals)
            if start <= year <= end and self.random.random() < self.principal_odds[n]
        ]
        # A circa date can reach a year outside the span.
        members, totals = self.active_by_year[min(max(year, FIRST_YEAR), LAST_YEAR)]
        count = self.shape(((0, 10), (1, 40), (2, 30), (3, 15), (4, 5)))
        return chosen + [p for p in self.pick_distinct(members, totals, count) if p not in chosen]

    def names(self, places, people):
        """Return the names a title or sentence may use."""
        return {
            "place": places[0].name if places else self.capital.name,
            "person": people[0].name if people else "The Soviet ambassador",
            "other": people[1].name if len(people) > 1 else "the Soviet ambassador",
            "country": self.random.choice(self.countries).name,
        }

    def event_citation_counts(self, count):
        """Return each event's number of citations: most have one or two, a few many."""
        total = self.scale.citations_on("event")
        base = [1 if self.random.random() < 0.92 else 0 for _ in range(count)]
        counts = [
            one + more
            for one, more in zip(base, self.spread(max(0, total - sum(base)), count), strict=True)
        ]
        # Only a tiny site can have more single citations than its total allows.
        while sum(counts) > total:
            counts[counts.index(max(counts))] -= 1
        return counts

    # Citations -------------------------------------------------------------------------

    def make_citations(self):
        """Make the citations the texts have marked, one source far more often than any other."""
        started = time.perf_counter()
        total = sum(count for *_, count in self.cited)
        hot = set(self.random.sample(range(total), min(total, self.scale.hot_source_citations)))
        numbers = itertools.count()
        rows = [
            self.citation(
                field,
                target,
                order,
                self.hot_source
                if next(numbers) in hot
                else self.pick(self.other_sources, self.other_source_totals),
            )
            for field, target, count in self.cited
            for order in range(count)
        ]
        self.log(f"  citations: {len(rows):,} made in {time.perf_counter() - started:.1f} s")
        self.insert(Citation, rows, "citations")

    def citation(self, field, target, order, source):
        # The most cited source is one long article, cited by its sections.
        label = "section" if source is self.hot_source else self.shape(LOCATOR_LABELS)
        if self.random.random() < 0.05:
            locator = ""
        elif label == "section":
            locator = self.random.choice(SECTIONS)
        elif label == "page":
            page = self.random.randint(1, 600)
            wide = self.random.random() < 0.3
            locator = f"{page}–{page + self.random.randint(1, 12)}" if wide else str(page)
        else:
            locator = str(self.random.randint(1, 80))
        quotation = ""
        if self.random.random() < 0.15:
            quotation = self.fill(self.random.choice(QUOTATIONS))
        return Citation(
            key=citation_key(target, order + 1),
            source=source,
            locator_label=label,
            locator=locator,
            quotation=quotation,
            note="Read in translation." if self.random.random() < 0.03 else "",
            order=order,
            **{field: target},
        )


def citation_key(row, number):
    """Return the key of a row's citation number (from 1), as Citation.make_key names it."""
    return f"{row.slug[:100]}-{number}"


def citation_keys(row, count):
    return [citation_key(row, number) for number in range(1, count + 1)]


def generate(events, seed=1, log=None):
    """Build a site of this many events; return the generator, with its counts and times."""
    generator = Generator(events, seed=seed, log=log)
    generator.run()
    return generator
