import datetime
import logging
import re

import pytest
from django.urls import reverse

from tests.factories import (
    CitationFactory,
    EventFactory,
    EventKindFactory,
    ParticipationFactory,
    PeriodFactory,
    PersonFactory,
    PlaceFactory,
    SourceFactory,
    TopicFactory,
)
from timeline.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    """A small site: a topic, two periods (one inside the other), events, people, places."""
    article = SourceFactory(slug="wikipedia-hungary-soviet-union-relations", title="The article")
    report = SourceFactory(slug="serov-report", title="Serov’s report", known_through=article)
    topic = TopicFactory(lead="Relations developed in three phases.[^lead-phases]")
    CitationFactory(key="lead-phases", topic=topic, event=None, source=article, locator="Lead")
    era = PeriodFactory(slug="horthy-era", title="Horthy era", date="1919/1945")
    war = PeriodFactory(slug="world-war-ii", title="World War II", date="1941/1945", parent=era)
    revolution = PeriodFactory(slug="revolution", title="Revolution of 1956", date="1956")
    konev = PersonFactory(slug="ivan-konev", name="Ivan Konev", sort_name="Konev, Ivan")
    maleter = PersonFactory(slug="pal-maleter", name="Pál Maléter", sort_name="Maléter, Pál")
    budapest = PlaceFactory(slug="budapest", name="Budapest")
    tokol = PlaceFactory(slug="tokol", name="Tököl")
    military = EventKindFactory(slug="military", name="military")
    diplomatic = EventKindFactory(slug="diplomatic", name="diplomatic")
    events = {
        "relations": EventFactory(
            slug="relations", title="Diplomatic relations", date="1935-05", period=era
        ),
        "cabinet": EventFactory(slug="cabinet", title="A new cabinet", date="1942", period=war),
        "talks": EventFactory(
            slug="talks", title="Talks on the island", date="1956-11-03", period=revolution
        ),
        "tanks": EventFactory(
            slug="tanks",
            title="Tanks enter Budapest",
            date="1956-11-04",
            time=datetime.time(3, 0),
            period=revolution,
            body="Tanks penetrated Budapest.[^tanks-enter]\n\nThe city was split in half.",
        ),
        "arrests": EventFactory(
            slug="arrests", title="Arrests", date="1956-11-11", period=revolution
        ),
        "draft": EventFactory(
            slug="draft", title="Unpublished", date="1956-11-05", status=Event.Status.DRAFT
        ),
    }
    events["relations"].kinds.add(diplomatic)
    events["talks"].kinds.add(diplomatic)
    events["tanks"].kinds.add(military)
    events["tanks"].places.add(budapest)
    events["talks"].places.add(tokol)
    ParticipationFactory(event=events["tanks"], person=konev, role="launched the operation")
    ParticipationFactory(event=events["talks"], person=maleter, role="headed the commission")
    CitationFactory(
        key="tanks-enter",
        event=events["tanks"],
        source=article,
        locator="The Hungarian Revolution of 1956",
        quotation="At 3:00 a.m. on November 4, Soviet tanks penetrated Budapest",
    )
    CitationFactory(key="tanks-split", event=events["tanks"], source=article, locator="Lead")
    CitationFactory(key="arrests-report", event=events["arrests"], source=report, locator="")
    return {"era": era, "war": war, "konev": konev, "budapest": budapest, **events}


def event_slugs(response):
    return [event.slug for event in response.context["events"]]


def test_home_shows_lead_periods_and_key_people(client, site):
    site["konev"].featured = True
    site["konev"].save()
    response = client.get(reverse("timeline:home"))
    html = response.content.decode()
    assert "Relations developed in three phases." in html
    assert 'href="#cite-note-1"' in html
    bands = response.context["drawing"].bands
    assert [band["slug"] for band in bands if band["row"] == 0] == [
        "horthy-era",
        "revolution",
    ]
    assert "Ivan Konev" in html


def test_timeline_lists_published_events_in_order(client, site):
    response = client.get(reverse("timeline:event-list"))
    assert event_slugs(response) == ["relations", "cabinet", "talks", "tanks", "arrests"]
    assert "5 events" in response.content.decode()


def test_timeline_is_semantic_ordered_list_of_articles(client, site):
    html = client.get(reverse("timeline:event-list")).content.decode()
    assert re.search(r'<ol class="timeline">\s*<li>\s*<article class="event-item"', html)
    assert '<time datetime="1956-11-04T03:00">4 November 1956, 03:00</time>' in html


def test_timeline_groups_by_period_and_year(client, site):
    html = client.get(reverse("timeline:event-list")).content.decode()
    headings = re.findall(r'class="timeline-group__(?:period|year)">(?:<a[^>]*>)?([^<]+)', html)
    assert headings == [
        "Horthy era",
        "1935",
        "World War II",
        "1942",
        "Revolution of 1956",
        "1956",
    ]


def test_period_filter_includes_sub_periods(client, site):
    response = client.get(reverse("timeline:event-list"), {"period": "horthy-era"})
    assert event_slugs(response) == ["relations", "cabinet"]
    response = client.get(reverse("timeline:event-list"), {"period": "world-war-ii"})
    assert event_slugs(response) == ["cabinet"]


def test_person_place_kind_and_source_filters(client, site):
    url = reverse("timeline:event-list")
    assert event_slugs(client.get(url, {"person": "ivan-konev"})) == ["tanks"]
    assert event_slugs(client.get(url, {"place": "tokol"})) == ["talks"]
    assert event_slugs(client.get(url, {"kind": "diplomatic"})) == ["relations", "talks"]
    assert event_slugs(client.get(url, {"kind": ["diplomatic", "military"]})) == [
        "relations",
        "talks",
        "tanks",
    ]
    assert event_slugs(client.get(url, {"source": "serov-report"})) == ["arrests"]
    # A document known through the article counts as citing the article.
    assert "arrests" in event_slugs(client.get(url, {"source": site_article_slug()}))


def test_people_places_and_sources_are_typed_by_name_not_picked_from_a_list(client, site):
    url = reverse("timeline:event-list")
    response = client.get(url, {"person": "konev"})
    assert event_slugs(response) == ["tanks"]
    assert event_slugs(client.get(url, {"person": "MALETER pal"})) == ["talks"]
    assert event_slugs(client.get(url, {"place": "Tököl"})) == ["talks"]
    assert event_slugs(client.get(url, {"source": "serov"})) == ["arrests"]
    html = response.content.decode()
    assert '<input type="text" name="person" value="konev"' in html
    assert '<option value="ivan-konev"' not in html
    assert "Ivan Konev" in [chip["value"] for chip in response.context["active_filters"]]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"person": "nobody at all"}, "No person is named “nobody at all”."),
        ({"place": "budapest-x"}, "No place is named “budapest-x”."),
        ({"person": "!!!"}, "Type a name: “!!!” has no letters."),
    ],
)
def test_a_name_that_matches_nothing_is_a_form_error(client, site, params, message):
    response = client.get(reverse("timeline:event-list"), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_name_that_matches_several_offers_them(client, site):
    PersonFactory(slug="ivan-serov", name="Ivan Serov", sort_name="Serov, Ivan")
    response = client.get(reverse("timeline:event-list"), {"person": "ivan"})
    assert response.status_code == 400
    assert "“ivan” names more than one person: Ivan Konev; Ivan Serov." in response.content.decode()


def site_article_slug():
    return "wikipedia-hungary-soviet-union-relations"


def test_date_range_matches_every_overlapping_span(client):
    EventFactory(slug="circa", date="1947~")
    EventFactory(slug="long", date="1944/1955")
    EventFactory(slug="before", date="1943")
    EventFactory(slug="after", date="1950-02")
    response = client.get(reverse("timeline:event-list"), {"start": "1945", "end": "1949"})
    assert sorted(event_slugs(response)) == ["circa", "long"]


@pytest.mark.parametrize(
    ("query", "slug"), [("maleter", "talks"), ("MALETER", "talks"), ("tokol", "talks")]
)
def test_free_text_ignores_case_and_accents(client, site, query, slug):
    response = client.get(reverse("timeline:event-list"), {"q": query})
    assert event_slugs(response) == [slug]


def test_sorting_either_way_and_by_title(client, site):
    url = reverse("timeline:event-list")
    newest = event_slugs(client.get(url, {"sort": "-date"}))
    assert newest == ["arrests", "tanks", "talks", "cabinet", "relations"]
    titles = event_slugs(client.get(url, {"sort": "title"}))
    assert titles == ["cabinet", "arrests", "relations", "talks", "tanks"]


def test_active_filters_each_remove_with_one_click(client, site):
    response = client.get(reverse("timeline:event-list"), {"kind": "diplomatic", "q": "talks"})
    active = {f["name"]: f["remove_url"] for f in response.context["active_filters"]}
    assert active == {"Search": "?kind=diplomatic", "Kind": "?q=talks"}
    html = response.content.decode()
    assert 'aria-label="Remove filter Kind: diplomatic"' in html


def test_empty_result_says_so_and_offers_to_clear(client, site):
    response = client.get(reverse("timeline:event-list"), {"q": "zeppelin"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No events match these filters." in html
    assert "Clear the filters and show every event" in html


def test_timeline_paginates_and_keeps_filters_in_page_links(client):
    for number in range(30):
        EventFactory(slug=f"e{number:02}", title=f"Event {number:02}", date=f"{1920 + number}")
    first = client.get(reverse("timeline:event-list"), {"q": "event"})
    assert len(first.context["events"]) == 25
    assert first.context["paginator"].count == 30
    assert 'href="?q=event&amp;page=2"' in first.content.decode()
    second = client.get(reverse("timeline:event-list"), {"q": "event", "page": "2"})
    assert event_slugs(second) == [f"e{number:02}" for number in range(25, 30)]


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"start": "1956-13-45"}, 400, "is not a date"),
        ({"end": "soon"}, 400, "is not a date"),
        ({"period": "no-such-period"}, 400, "Select a valid choice"),
        ({"kind": "no-such-kind"}, 400, "Select a valid choice"),
        ({"sort": "sideways"}, 400, "Select a valid choice"),
        ({"q": "x" * 10_000}, 400, "at most 200 characters"),
        ({"page": "abc"}, 404, "There is no page"),
        ({"page": "0"}, 404, "There is no page"),
        ({"page": "99999999999999999999"}, 404, "There is no page"),
        ({"page": "7"}, 404, "There is no page 7"),
        ({"page": "²"}, 404, "There is no page “²”"),
        ({"page": "①"}, 404, "There is no page"),
        ({"page": "١"}, 404, "There is no page"),
        ({"page": "9" * 5000}, 404, "There is no page"),
        ({"start": "١٩٥٦"}, 400, "is not a date"),
    ],
)
def test_bad_values_get_a_clear_message_not_a_server_error(client, site, params, status, message):
    response = client.get(reverse("timeline:event-list"), params)
    assert response.status_code == status
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("params", "slugs"),
    [
        ({"start": "1956-25"}, ["talks", "tanks", "arrests"]),  # spring 1956 (Northern)
        ({"end": "1942-1X"}, ["relations", "cabinet"]),  # October–December 1942
        ({"start": "1956-11-1X"}, ["arrests"]),  # 10–19 November 1956
        ({"end": "193X"}, ["relations"]),  # the 1930s
    ],
)
def test_timeline_filters_by_seasons_and_unspecified_digits(client, site, params, slugs):
    response = client.get(reverse("timeline:event-list"), params)
    assert response.status_code == 200
    assert sorted(event.slug for event in response.context["events"]) == sorted(slugs)


def test_event_page_shows_everything_about_the_event(client, site):
    response = client.get(reverse("timeline:event-detail", args=["tanks"]))
    html = response.content.decode()
    assert '<time datetime="1956-11-04T03:00">4 November 1956, 03:00</time>' in html
    assert "Revolution of 1956" in html
    assert 'href="/places/budapest/"' in html
    assert "Ivan Konev</a> — launched the operation" in html
    assert response.context["previous_event"].slug == "talks"
    assert response.context["next_event"].slug == "arrests"


def test_draft_events_are_not_public(client, site):
    assert client.get(reverse("timeline:event-detail", args=["draft"])).status_code == 404
    assert "draft" not in event_slugs(client.get(reverse("timeline:event-list")))


def test_markers_and_notes_link_both_ways(client, site):
    html = client.get(reverse("timeline:event-detail", args=["tanks"])).content.decode()
    markers = re.findall(r'<a href="#(cite-note-\d+)" id="(cite-ref-[\d-]+)"', html)
    assert markers, "no footnote markers on the page"
    for note_id, marker_id in markers:
        assert f'id="{note_id}"' in html
        assert f'href="#{marker_id}"' in html


def test_placed_marker_sits_after_its_sentence(client, site):
    html = client.get(reverse("timeline:event-detail", args=["tanks"])).content.decode()
    assert re.search(
        r"Tanks penetrated Budapest\.<sup class=\"ref\"><a href=\"#cite-note-2\"", html
    )


def test_tooltip_shows_source_locator_and_quotation_without_javascript(client, site):
    html = client.get(reverse("timeline:event-detail", args=["tanks"])).content.decode()
    assert (
        '<span class="ref-tip" role="tooltip" id="tip-cite-ref-2-1">The article, section The '
        "Hungarian Revolution of 1956: “At 3:00 a.m. on November 4, Soviet tanks penetrated "
        "Budapest”</span>"
    ) in html


def test_notes_from_one_source_are_grouped_under_it(client, site):
    response = client.get(reverse("timeline:event-detail", args=["tanks"]))
    assert [source.title for source in response.context["reference_sources"]] == ["The article"]
    references = response.content.decode().split('id="references-heading"')[1]
    assert references.count('class="reference-source"') == 1
    assert references.count('class="reference-note"') == 2
    assert 'id="cite-note-1" value="1"' in references and 'id="cite-note-2" value="2"' in references


def test_known_through_source_names_its_intermediary_in_references(client, site):
    html = client.get(reverse("timeline:event-detail", args=["arrests"])).content.decode()
    assert "known through" in html
    assert 'href="/sources/wikipedia-hungary-soviet-union-relations/">The article</a>' in html


def test_editor_text_is_escaped_and_only_markers_become_markup(client):
    event = EventFactory(
        body='<script>alert("x")</script> <b>bold</b>[^real] and [^ghost]', summary="<i>s</i>"
    )
    CitationFactory(event=event, key="real")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;" in html and "&lt;i&gt;s&lt;/i&gt;" in html
    assert 'href="#cite-note-1"' in html
    assert "[citation needed]" in html


def test_period_page_shows_narrative_sub_periods_and_events(client, site):
    response = client.get(reverse("timeline:period-detail", args=["horthy-era"]))
    assert [child.slug for child in response.context["children"]] == ["world-war-ii"]
    # A period holds the events of the periods inside it, as its filter does.
    assert [event.slug for event in response.context["events"]] == ["relations", "cabinet"]


def test_person_page_lists_events_with_roles(client, site):
    html = client.get(reverse("timeline:person-detail", args=["ivan-konev"])).content.decode()
    assert "Tanks enter Budapest" in html
    assert "Role: launched the operation" in html


def test_place_page_shows_all_names_and_events(client, site):
    site["budapest"].other_names = "Buda-Pest\nOfen-Pest"
    site["budapest"].save()
    html = client.get(reverse("timeline:place-detail", args=["budapest"])).content.decode()
    assert "<li>Buda-Pest</li><li>Ofen-Pest</li>" in html
    assert "Tanks enter Budapest" in html


def test_source_page_groups_citing_pages_by_locator(client, site):
    response = client.get(reverse("timeline:source-detail", args=[site_article_slug()]))
    html = response.content.decode()
    headings = re.findall(r"<h3>([^<]+)</h3>", html)
    assert headings == ["Section Lead", "Section The Hungarian Revolution of 1956"]
    lead_group = html.split("<h3>Section Lead</h3>")[1].split("</section>")[0]
    assert [c.key for c in response.context["citations"] if c.locator == "Lead"] == [
        "lead-phases",
        "tanks-split",
    ]
    assert lead_group.count("<li>") == 2
    assert [d.slug for d in response.context["documents"]] == ["serov-report"]


def test_search_finds_every_kind_of_thing_without_accents(client, site):
    response = client.get(reverse("timeline:search"), {"q": "maleter"})
    results = {found.label: found.rows for found in response.context["results"]}
    assert [person.name for person in results["People"]] == ["Pál Maléter"]
    assert [event.url for event in results["Events"]] == ["/events/talks/"]
    response = client.get(reverse("timeline:search"), {"q": "horthy"})
    results = {found.label: found.rows for found in response.context["results"]}
    assert [period.url for period in results["Periods"]] == ["/periods/horthy-era/"]


def test_search_rejects_an_overlong_query_with_a_message(client, site):
    response = client.get(reverse("timeline:search"), {"q": "a" * 10_000})
    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()


@pytest.mark.parametrize(
    "url_name",
    ["home", "period-list", "event-list", "person-list", "place-list", "source-list", "search"],
)
def test_every_page_has_title_description_canonical_and_licence(client, site, url_name):
    html = client.get(reverse(f"timeline:{url_name}")).content.decode()
    assert re.search(r"<title>[^<]+ · histsite</title>", html)
    assert re.search(r'<meta name="description" content="[^"]{20,}">', html)
    assert '<link rel="canonical" href="http://testserver/' in html
    assert "CC BY-SA" in html or "Attribution-ShareAlike 4.0" in html


def test_not_found_is_a_real_page(client, site):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'class="site-header"' in html


def test_server_error_is_a_real_page(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_previews_and_descriptions_drop_citation_markers(client):
    event = EventFactory(summary="Tanks entered.[^tanks]")
    CitationFactory(event=event, key="tanks")
    listing = client.get(reverse("timeline:event-list")).content.decode()
    assert "[^tanks]" not in listing and "Tanks entered." in listing
    detail = client.get(event.get_absolute_url()).content.decode()
    assert '<meta name="description" content="4 November 1956: Tanks entered.">' in detail


def test_timeline_shows_each_period_once_when_periods_overlap(client):
    horthy = PeriodFactory(title="Horthy", date="1919/1945", order=1)
    labour = PeriodFactory(title="Forced labour", date="1944/1955", order=2)
    EventFactory(slug="a", date="1944-06", period=horthy)
    EventFactory(slug="b", date="1944-10", period=labour)
    EventFactory(slug="c", date="1945-04", period=horthy)
    response = client.get(reverse("timeline:event-list"))
    assert response.content.decode().count('class="timeline-group__period"') == 2
    assert [e.slug for e in response.context["events"]] == [
        "a",
        "c",
        "b",
    ]


@pytest.mark.parametrize("factory", [PersonFactory, PlaceFactory])
def test_notes_of_an_item_without_text_still_have_their_markers(client, factory):
    item = factory()
    CitationFactory(event=None, **{item._meta.model_name: item}, key="only-note")
    html = client.get(item.get_absolute_url()).content.decode()
    assert 'id="cite-note-1"' in html
    assert 'id="cite-ref-1-1"' in html


def test_on_every_real_page_each_note_and_marker_link_both_ways(client, content):
    from timeline.models import Period, Person, Place

    items = [*Event.objects.published(), *Period.objects.all(), *Person.objects.all()]
    items += [*Place.objects.all()]
    for item in items:
        html = client.get(item.get_absolute_url()).content.decode()
        notes = set(re.findall(r'<li id="(cite-note-\d+)"', html))
        marked = set(re.findall(r'<a href="#(cite-note-\d+)" id="cite-ref-', html))
        backlinks = set(re.findall(r'<a href="#(cite-ref-[\d-]+)"', html))
        markers = set(re.findall(r'id="(cite-ref-[\d-]+)"', html))
        assert notes, f"{item} shows no notes"
        assert notes == marked, item
        assert backlinks == markers, item


def test_a_place_holds_the_events_of_the_places_inside_it(client, content):
    barracks = "first-shots-at-budaorsi-road-barracks"
    assert not Event.objects.filter(slug=barracks, places__slug="budapest").exists()
    page = client.get(reverse("timeline:place-detail", args=["budapest"]))
    assert barracks in [event.slug for event in page.context["events"]]
    filtered = client.get(reverse("timeline:event-list"), {"place": "budapest"})
    assert barracks in event_slugs(filtered)
    places = client.get(reverse("timeline:place-list")).context["places"]
    counts = {place.slug: place.event_count for place in places}
    in_budapest = Event.objects.published().filter(
        places__slug__in=["budapest", "buda", "pest", "budaorsi-road", "budaorsi-road-barracks"]
        + ["radio-station"]
    )
    assert (
        counts["budapest"] == in_budapest.distinct().count() == filtered.context["paginator"].count
    )
    assert counts["hungary"] > counts["budapest"]


def test_person_page_lists_an_untimed_event_before_the_timed_ones_of_its_day(client, site):
    untimed = EventFactory(slug="that-day", title="That day", date="1956-11-04")
    ParticipationFactory(event=untimed, person=site["konev"])
    late = EventFactory(slug="late", date="1956-11-04", time=datetime.time(23, 0))
    ParticipationFactory(event=late, person=site["konev"])
    response = client.get(reverse("timeline:person-detail", args=["ivan-konev"]))
    assert event_slugs(response) == ["that-day", "tanks", "late"]


def test_source_list_counts_only_citations_a_reader_can_see(client, site):
    CitationFactory(
        key="draft-note", event=site["draft"], source=site["tanks"].citations.first().source
    )
    response = client.get(reverse("timeline:source-list"))
    article = next(s for s in response.context["sources"] if s.slug == site_article_slug())
    listed = client.get(reverse("timeline:source-detail", args=[site_article_slug()]))
    assert article.citation_count == len(listed.context["citations"]) == 3


def test_a_reversed_date_range_says_it_is_reversed(client, site):
    response = client.get(reverse("timeline:event-list"), {"start": "1960", "end": "1950"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The date range is reversed" in html
    assert "No events match" not in html


def test_the_topic_names_the_site_in_header_titles_and_footer(client, content):
    html = client.get(reverse("timeline:person-list")).content.decode()
    assert (
        '<span class="site-title__subject">Hungary–Soviet Union relations, 1919–1991</span>' in html
    )
    assert "Creative Commons Attribution-ShareAlike 4.0 licence" in html
    home = client.get(reverse("timeline:home"))
    ticks = [tick["text"] for tick in home.context["drawing"].ticks]
    assert ticks[0] == "1919" and ticks[-1] == "1991"


def test_a_second_topic_gets_its_own_page_from_the_same_template(client, content):
    topic = TopicFactory(
        slug="hungary-russia", title="Hungary–Russia relations", subtitle="After 1991."
    )
    PeriodFactory(slug="after-1991", title="After the Soviet Union", date="1992/2000", topic=topic)
    html = client.get(reverse("timeline:topic-detail", args=["hungary-russia"])).content.decode()
    assert "<h1>Hungary–Russia relations</h1>" in html
    assert "Periods and events, 1992–2000" in html
    home = client.get(reverse("timeline:home")).content.decode()
    assert "<h1>Hungary–Soviet Union relations</h1>" in home


def test_the_see_also_note_stands_on_its_heading_not_after_the_lead(client, content):
    html = client.get(reverse("timeline:home")).content.decode()
    lead = html.split('<section class="lead"')[1].split("</section>")[0]
    assert "[6]" not in lead
    assert re.search(
        r'<h2 id="see-also-heading">See also<sup class="ref"><a href="#cite-note-6"', html
    )


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")


def test_a_warning_is_written_to_the_console_once(settings):
    settings.DEBUG = True  # Django's own console handler writes only in development
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "x", (), None)
    logger, writers = logging.getLogger("django.request"), []
    while logger is not None:
        writers += [
            handler
            for handler in logger.handlers
            # pytest's capturing handlers are subclasses; the site's are plain StreamHandlers.
            if type(handler) is logging.StreamHandler and handler.filter(record)
        ]
        logger = logger.parent if logger.propagate else None
    assert len(writers) == 1


@pytest.mark.parametrize(
    ("url_name", "slug", "items"),
    [
        ("period-detail", "revolution", "events"),
        ("person-detail", "ivan-konev", "events"),
        ("place-detail", "budapest", "events"),
        ("source-detail", "wikipedia-hungary-soviet-union-relations", "citations"),
    ],
)
def test_detail_pages_list_their_items_a_page_at_a_time(client, site, url_name, slug, items):
    article = site["tanks"].citations.first().source
    for n in range(30):
        event = EventFactory(slug=f"more-{n}", date=f"1956-12-{n % 28 + 1:02d}")
        event.period, event.status = site["tanks"].period, Event.Status.PUBLISHED
        event.save()
        event.places.add(site["budapest"])
        ParticipationFactory(event=event, person=site["konev"])
        CitationFactory(event=event, source=article, locator="Lead")
    url = reverse(f"timeline:{url_name}", args=[slug])
    first, second = client.get(url), client.get(url, {"page": "2"})
    assert len(first.context[items]) == 25
    total = first.context["paginator"].count
    assert len(second.context[items]) == total - 25 > 0
    assert 'href="?page=2"' in first.content.decode()
    for bad in ("²", "0", "x", "3"):
        response = client.get(url, {"page": bad})
        assert response.status_code == 404, bad
        assert "There is no page" in response.content.decode(), bad


def test_name_suggestions_answer_as_the_reader_types(client, site):
    url = reverse("timeline:event-names")
    assert client.get(url, {"for": "person", "q": "ivan"}).json() == {"names": ["Ivan Konev"]}
    assert client.get(url, {"for": "place", "q": "tok"}).json() == {"names": ["Tököl"]}
    assert client.get(url, {"for": "person", "q": ""}).json() == {"names": []}
    assert client.get(url, {"for": "password", "q": "x"}).status_code == 400


def test_the_people_list_comes_a_page_at_a_time(client):
    for n in range(60):
        PersonFactory(slug=f"person-{n:02d}", name=f"Person {n:02d}", sort_name=f"P{n:02d}")
    url = reverse("timeline:person-list")
    first, second = client.get(url), client.get(url, {"page": "2"})
    assert len(first.context["people"]) == 50 and len(second.context["people"]) == 10
    assert 'href="?page=2"' in first.content.decode()
    for bad in ("3", "²", "-1"):
        response = client.get(url, {"page": bad})
        assert response.status_code == 404 and "There is no page" in response.content.decode()
