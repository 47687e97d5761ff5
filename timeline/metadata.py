"""What a page tells machines about itself: JSON-LD, Highwire Press, Dublin Core, Open Graph.

Reference managers (Zotero's page translators) read the citation_* and DC.* tags,
search engines the schema.org JSON-LD, link previews the og:* and twitter:* tags. All
of it is built from objects the page has already loaded: no query of its own.
"""

import json

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from timeline import csl, dates
from timeline.citations import strip_markers
from timeline.cite import SITE_NAME
from timeline.models import Event, Period, Person, Place, Source, Topic

DESCRIPTION_LENGTH = 200
SCHEMA_ORG = "https://schema.org"
LIST_PAGES = {
    Period: ("Periods", "timeline:period-list"),
    Person: ("People", "timeline:person-list"),
    Place: ("Places", "timeline:place-list"),
    Source: ("Sources", "timeline:source-list"),
}
# Characters that could end the <script> element or start markup inside it.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data):
    """Return data as JSON safe inside <script type="application/ld+json">."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return mark_safe(text.translate(JSON_SCRIPT_ESCAPES))


def name_of(obj):
    return getattr(obj, "title", None) or obj.name


def breadcrumbs(obj):
    """Return (name, path) for each step of the page's breadcrumbs, as its navigation has."""
    home = ("Home", reverse("timeline:home"))
    if isinstance(obj, Topic):
        return [home] if obj.is_default else [home, (obj.title, obj.get_absolute_url())]
    if isinstance(obj, Event):
        timeline = reverse("timeline:event-list")
        trail = [home, ("Timeline", timeline)]
        if obj.period:
            trail.append((obj.period.title, f"{timeline}?period={obj.period.slug}"))
    else:
        label, url_name = LIST_PAGES[type(obj)]
        trail = [home, (label, reverse(url_name))]
        parent = getattr(obj, "parent", None)
        if parent is not None:
            trail.append((name_of(parent), parent.get_absolute_url()))
    return [*trail, (name_of(obj), obj.get_absolute_url())]


def breadcrumb_list(request, trail, page_id):
    return {
        "@type": "BreadcrumbList",
        "@id": f"{page_id}#breadcrumbs",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": request.build_absolute_uri(path),
            }
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }


def description_of(obj):
    """Return a sentence or two about the page's subject, without footnote markers."""
    if isinstance(obj, Topic):
        text = obj.subtitle or obj.lead
    elif isinstance(obj, Person):
        text = obj.biography
    elif isinstance(obj, Place):
        text = obj.description
    elif isinstance(obj, Source):
        text = obj.note or obj.get_csl_type_display()
    else:
        text = obj.summary
    text = " ".join(strip_markers(text).split())
    return Truncator(text).chars(DESCRIPTION_LENGTH)


def schema_name(name):
    """Return a CSL name as a schema.org Person, or an Organization for a literal name."""
    if "literal" in name:
        return {"@type": "Organization", "name": name["literal"]}
    person = {"@type": "Person", "name": csl.display_name(name, inverted=False)}
    person["familyName"] = name["family"]
    if name.get("given"):
        person["givenName"] = name["given"]
    return person


def creative_work(source, request, node_id=None):
    """Return a source as a schema.org CreativeWork."""
    work = {"@type": "CreativeWork", "name": source.title}
    if node_id:
        work["@id"] = node_id
    work["url"] = request.build_absolute_uri(source.get_absolute_url())
    optional = {
        "author": [schema_name(name) for name in source.authors or []],
        "editor": [schema_name(name) for name in source.editors or []],
        "genre": source.get_csl_type_display(),
        "datePublished": dates.machine_readable(source.issued),
        "version": source.version,
        "pagination": source.page,
        "license": source.licence_url,
    }
    work.update({key: value for key, value in optional.items() if value})
    if source.url:
        work["sameAs"] = source.url
    if source.doi:
        work["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": source.doi}
    if source.container_title:
        work["isPartOf"] = {"@type": "CreativeWork", "name": source.container_title}
    if source.publisher:
        publisher = {"@type": "Organization", "name": source.publisher}
        if source.publisher_place:
            publisher["location"] = source.publisher_place
        work["publisher"] = publisher
    return work


def reference(obj, request, schema_type):
    return {
        "@type": schema_type,
        "name": name_of(obj),
        "url": request.build_absolute_uri(obj.get_absolute_url()),
    }


def main_entity(obj, request, node_id, description):
    """Return the schema.org node for what the page is about, or None for a period."""
    url = request.build_absolute_uri(obj.get_absolute_url())
    if isinstance(obj, Event):
        event = {
            "@type": "Event",
            "@id": node_id,
            "name": obj.title,
            "url": url,
            "description": description,
            "startDate": obj.date_earliest.isoformat(),
            "endDate": obj.date_latest.isoformat(),
        }
        if places := [reference(place, request, "Place") for place in obj.places.all()]:
            event["location"] = places
        people = [part.person for part in obj.participations.all()]
        if people:
            # "about", not performer or attendee: a person may have been the one acted upon.
            event["about"] = [reference(person, request, "Person") for person in people]
        return event
    if isinstance(obj, Person):
        person = {"@type": "Person", "@id": node_id, "name": obj.name, "url": url}
        optional = {
            "alternateName": obj.native_name,
            "description": description,
            "birthDate": dates.machine_readable(obj.born),
            "deathDate": dates.machine_readable(obj.died),
        }
        person.update({key: value for key, value in optional.items() if value})
        return person
    if isinstance(obj, Place):
        place = {"@type": "Place", "@id": node_id, "name": obj.name, "url": url}
        if description:
            place["description"] = description
        if other := obj.other_name_list:
            place["alternateName"] = other
        if obj.parent is not None:
            place["containedInPlace"] = reference(obj.parent, request, "Place")
        return place
    if isinstance(obj, Source):
        return creative_work(obj, request, node_id)
    return None


def graph(obj, request, page_url, sources, description):
    """Return the page's JSON-LD: its WebPage, what it is about and its breadcrumbs."""
    home = request.build_absolute_uri(reverse("timeline:home"))
    website = {"@type": "WebSite", "@id": f"{home}#website", "name": SITE_NAME, "url": home}
    page = {
        "@type": "WebPage",
        "@id": page_url,
        "url": page_url,
        "name": name_of(obj) if not isinstance(obj, Topic) else obj.heading,
        "inLanguage": "en",
        "isPartOf": {"@id": website["@id"]},
        "breadcrumb": {"@id": f"{page_url}#breadcrumbs"},
    }
    if description:
        page["description"] = description
    nodes = [page]
    entity = main_entity(obj, request, f"{page_url}#{obj._meta.model_name}", description)
    if entity is not None:
        page["mainEntity"] = {"@id": entity["@id"]}
        nodes.append(entity)
    if isinstance(obj, Period | Event):
        page["temporalCoverage"] = f"{obj.date_earliest.isoformat()}/{obj.date_latest.isoformat()}"
    if sources:
        # schema.org gives citation to creative works: the page cites, its subject does not.
        page["citation"] = [creative_work(source, request) for source in sources]
    if isinstance(obj, Topic) and obj.is_default:
        website["potentialAction"] = {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": request.build_absolute_uri(reverse("timeline:search"))
                + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        }
    nodes.append(website)
    nodes.append(breadcrumb_list(request, breadcrumbs(obj), page_url))
    return {"@context": SCHEMA_ORG, "@graph": nodes}


class PageMeta:
    """The head of a detail page: JSON-LD, citation_*, DC.*, og:* and twitter:* tags."""

    def __init__(self, obj, request, item, sources=(), licence_url=""):
        self.item = item
        self.site_name = SITE_NAME
        self.url = item["URL"]
        self.title = item["title"]
        self.description = description_of(obj)
        self.og_type = "website" if isinstance(obj, Topic) else "article"
        self.json_ld = json_ld(graph(obj, request, self.url, sources, self.description))
        self.sources = sources
        self.licence_url = licence_url

    @property
    def highwire(self):
        """Return (name, content) for Highwire Press tags, which Zotero reads first."""
        tags = [
            ("citation_title", self.title),
            ("citation_public_url", self.url),
            ("citation_abstract_html_url", self.url),
            ("citation_language", "en"),
        ]
        for source in self.sources:
            parts = [f"citation_title={source.title}"]
            parts += [f"citation_author={name}" for name in source.author_list]
            tags.append(("citation_reference", "; ".join(parts)))
        return tags

    @property
    def dublin_core(self):
        tags = [
            ("DC.title", self.title),
            ("DC.identifier", self.url),
            ("DC.type", "Text"),
            ("DC.format", "text/html"),
            ("DC.language", "en"),
        ]
        if self.description:
            tags.append(("DC.description", self.description))
        if self.licence_url:
            tags.append(("DC.rights", self.licence_url))
        return tags
