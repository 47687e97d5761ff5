"""Metadata in the page: JSON-LD, Highwire Press, Dublin Core and Open Graph, read by parsers."""

import json

import extruct
import lxml.html
import pytest
from pyld import jsonld

from tests.factories import EventFactory, PlaceFactory
from timeline.models import Event, Person

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org/"
# What PyLD reads for the schema.org context, so no test reaches the internet.
LOCAL_CONTEXT = {"@context": {"@vocab": SCHEMA}}

PAGES = {
    "/": {"WebPage", "WebSite", "BreadcrumbList"},
    "/events/nagy-executed/": {"WebPage", "Event", "WebSite", "BreadcrumbList"},
    "/people/imre-nagy/": {"WebPage", "Person", "WebSite", "BreadcrumbList"},
    "/periods/first-republic-and-hungarian-soviet-republic/": {
        "WebPage",
        "WebSite",
        "BreadcrumbList",
    },
    "/places/budapest/": {"WebPage", "Place", "WebSite", "BreadcrumbList"},
    "/sources/wilson-fourteen-points/": {"WebPage", "CreativeWork", "WebSite", "BreadcrumbList"},
}


def local_loader(url, options=None):
    """Serve the schema.org context from here, and refuse any other address."""
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise AssertionError(f"PyLD asked for {url}")
    return {"contextUrl": None, "documentUrl": url, "document": LOCAL_CONTEXT}


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def extracted(html, url):
    """Return what extruct finds, refusing any syntax error (errors="strict")."""
    return extruct.extract(
        html,
        base_url=f"http://testserver{url}",
        syntaxes=["json-ld", "opengraph", "dublincore"],
        uniform=True,
        errors="strict",
    )


def json_ld_of(html):
    (document,) = extruct.extract(html, syntaxes=["json-ld"], errors="strict")["json-ld"]
    return document


def nodes_by_type(document):
    return {node["@type"]: node for node in document["@graph"]}


def expanded(document):
    return jsonld.expand(document, {"documentLoader": local_loader})


@pytest.mark.parametrize(("url", "types"), PAGES.items())
def test_every_page_has_json_ld_that_parses_with_the_expected_types(client, content, url, types):
    html = page(client, url)
    document = json_ld_of(html)
    assert set(nodes_by_type(document)) == types
    # PyLD expands it against schema.org's vocabulary: every term becomes a schema.org IRI.
    nodes = expanded(document)
    assert {node["@type"][0] for node in nodes} == {SCHEMA + name for name in types}
    for node in nodes:
        assert all(key.startswith(("@", SCHEMA)) for key in node), node.keys()
    # And it is linked data a store can hold: RDF statements, none of them dropped.
    assert jsonld.to_rdf(
        document, {"documentLoader": local_loader, "format": "application/n-quads"}
    )


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_breadcrumbs_as_its_navigation_shows(client, content, url):
    html = page(client, url)
    crumbs = nodes_by_type(json_ld_of(html))["BreadcrumbList"]["itemListElement"]
    assert [crumb["position"] for crumb in crumbs] == list(range(1, len(crumbs) + 1))
    assert crumbs[0]["item"] == "http://testserver/"
    assert crumbs[-1]["item"] == f"http://testserver{url}"
    if url != "/":
        tree = lxml.html.fromstring(html)
        shown = [item.text_content() for item in tree.xpath("//nav[@class='breadcrumbs']//li")]
        assert [crumb["name"] for crumb in crumbs] == shown


def test_an_event_carries_its_bounds_places_people_and_citations(client, content):
    event = Event.objects.get(slug="nagy-executed")
    nodes = nodes_by_type(json_ld_of(page(client, event.get_absolute_url())))
    node = nodes["Event"]
    assert (node["startDate"], node["endDate"]) == (
        event.date_earliest.isoformat(),
        event.date_latest.isoformat(),
    )
    assert {place["name"] for place in node["location"]} == {p.name for p in event.places.all()}
    people = {part.person.name for part in event.participations.all()}
    assert people and {person["name"] for person in node["about"]} == people
    cited = {citation.source.title for citation in event.citations.all()}
    assert {work["name"] for work in nodes["WebPage"]["citation"]} == cited
    assert all(work["@type"] == "CreativeWork" for work in nodes["WebPage"]["citation"])
    assert nodes["WebPage"]["mainEntity"] == {"@id": node["@id"]}


def test_an_uncertain_date_gives_its_earliest_and_latest_day(client):
    EventFactory(slug="span", date="1990-03/1991-06-19")
    node = nodes_by_type(json_ld_of(page(client, "/events/span/")))["Event"]
    assert (node["startDate"], node["endDate"]) == ("1990-03-01", "1991-06-19")


def test_the_home_page_offers_a_site_search(client, content):
    website = nodes_by_type(json_ld_of(page(client, "/")))["WebSite"]
    action = website["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == "http://testserver/search/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"


def test_a_source_page_describes_the_work(client, content):
    nodes = nodes_by_type(
        json_ld_of(page(client, "/sources/churchill-stalin-percentages-agreement/"))
    )
    work = nodes["CreativeWork"]
    assert work["name"] == "Percentages agreement"
    assert [author["familyName"] for author in work["author"]] == ["Churchill", "Stalin"]
    article = nodes_by_type(
        json_ld_of(page(client, "/sources/wikipedia-hungary-soviet-union-relations/"))
    )["CreativeWork"]
    assert article["author"] == [{"@type": "Organization", "name": "Wikipedia contributors"}]
    assert article["license"] == "https://creativecommons.org/licenses/by-sa/4.0/"


def test_json_ld_cannot_end_its_script_element(client):
    title = "</script><script>alert(1)</script> & <!-- more"
    EventFactory(slug="hostile", title=title, summary="A <b>summary</b> & more.")
    html = page(client, "/events/hostile/")
    start = html.index('<script type="application/ld+json">')
    script = html[start : html.index("</script>", start)]
    assert "<" not in script[len('<script type="application/ld+json">') :]
    assert "&" not in script
    assert nodes_by_type(json_ld_of(html))["Event"]["name"] == title
    document = json.loads(script[len('<script type="application/ld+json">') :])
    assert document["@graph"][0]["name"] == title


def meta(html, attribute):
    tree = lxml.html.fromstring(html)
    found = {}
    for element in tree.xpath(f"//head/meta[@{attribute}]"):
        found.setdefault(element.get(attribute), []).append(element.get("content"))
    return found


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_highwire_dublin_core_and_open_graph_tags(client, content, url):
    html = page(client, url)
    absolute = f"http://testserver{url}"
    names = meta(html, "name")
    assert names["citation_public_url"] == [absolute]
    assert len(names["citation_title"]) == 1
    data = extracted(html, url)
    (dublin_core,) = data["dublincore"]
    elements = {
        element["URI"].removeprefix("http://purl.org/dc/elements/1.1/"): element["content"]
        for element in dublin_core["elements"]
    }
    assert elements["title"] == names["citation_title"][0]
    assert elements["identifier"] == absolute
    (open_graph,) = data["opengraph"]
    assert open_graph["og:url"] == absolute
    assert open_graph["og:title"] == names["citation_title"][0]
    assert open_graph["@type"] == ("website" if url == "/" else "article")
    assert names["twitter:card"] == ["summary"]
    tree = lxml.html.fromstring(html)
    (alternate,) = tree.xpath('//link[@type="application/vnd.citationstyles.csl+json"]')
    assert alternate.get("rel") == "alternate"
    assert alternate.get("href") == f"{url}cite.json"
    assert client.get(alternate.get("href"))["Content-Type"].startswith(
        "application/vnd.citationstyles.csl+json"
    )


def test_highwire_tags_name_the_page_and_its_sources(client, content):
    person = Person.objects.get(slug="imre-nagy")
    names = meta(page(client, person.get_absolute_url()), "name")
    assert names["citation_title"] == ["Imre Nagy"]
    sources = {citation.source.title for citation in person.citations.all()}
    assert {
        ref.split(";")[0].removeprefix("citation_title=") for ref in names["citation_reference"]
    } == sources


def test_a_place_names_the_place_it_lies_in(client):
    country = PlaceFactory(slug="hungary", name="Hungary")
    PlaceFactory(slug="budapest", name="Budapest", parent=country)
    node = nodes_by_type(json_ld_of(page(client, "/places/budapest/")))["Place"]
    assert node["containedInPlace"]["name"] == "Hungary"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/events/?period=world-war-ii", "Timeline"),
        ("/periods/", "Periods"),
        ("/people/", "People"),
        ("/places/", "Places"),
        ("/sources/", "Sources"),
        ("/search/?q=nagy", "Search"),
    ],
)
def test_list_pages_have_breadcrumbs_and_no_record_of_their_own(client, content, url, name):
    html = page(client, url)
    document = json_ld_of(html)
    assert document["@type"] == "BreadcrumbList"
    crumbs = [(crumb["name"], crumb["item"]) for crumb in document["itemListElement"]]
    path = url.split("?")[0]
    assert crumbs == [("Home", "http://testserver/"), (name, f"http://testserver{path}")]
    assert expanded(document)[0]["@type"] == [SCHEMA + "BreadcrumbList"]
    assert "citation_title" not in html


def test_the_list_of_sources_offers_the_whole_bibliography(client, content):
    tree = lxml.html.fromstring(page(client, "/sources/"))
    links = {link.get("href") for link in tree.xpath("//main//a[@download]")}
    assert links == {"/sources/cite.bib", "/sources/cite.ris", "/sources/cite.json"}
    (alternate,) = tree.xpath('//link[@type="application/vnd.citationstyles.csl+json"]')
    assert alternate.get("href") == "/sources/cite.json"
