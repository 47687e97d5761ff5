"""Content for the open-data tests: published rows tied to drafts they must never show."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
from timeline.context_processors import default_topic
from timeline.filters import taxonomy_choices

# Every unpublished row's slug and name carries this word, and no published one does.
SECRET = "secret"


def build_mixed_site():
    """Make published rows that point at drafts, and drafts of every kind.

    The published event "open-event" sits in a draft period, at a published city
    inside a draft region and at a place in review, with a published and a
    withdrawn person, cited from a published and a draft source. A draft event,
    a draft sub-period's parent, a document known through a draft source and
    the topic's attribution to a draft source complete the set.
    """
    secret_source = SourceFactory(slug="secret-source", title="Secret source", status="draft")
    TopicFactory(slug="topic", title="Topic", attribution_source=secret_source)
    source = SourceFactory(slug="open-source", title="Open source")
    SourceFactory(slug="open-document", title="Open document", known_through=secret_source)
    era = PeriodFactory(slug="era", title="Era", date="1900/2000")
    secret_period = PeriodFactory(
        slug="secret-period", title="Secret period", status="draft", date="1950/1960"
    )
    PeriodFactory(slug="open-sub-period", title="Open sub-period", parent=secret_period)
    region = PlaceFactory(slug="secret-region", name="Secret region", status="draft")
    city = PlaceFactory(slug="open-city", name="Open City", parent=region)
    secret_place = PlaceFactory(slug="secret-place", name="Secret place", status="review")
    person = PersonFactory(slug="open-person", name="Open Person")
    secret_person = PersonFactory(slug="secret-person", name="Secret person", status="withdrawn")
    kind = EventKindFactory(slug="military", name="military")
    event = EventFactory(
        slug="open-event", title="Open event", period=secret_period, date="1956-11-04"
    )
    event.places.add(city, secret_place)
    event.kinds.add(kind)
    ParticipationFactory(event=event, person=person, role="led it")
    ParticipationFactory(event=event, person=secret_person, role="secret role")
    CitationFactory(event=event, source=source, key="open-event-1", locator="Lead")
    CitationFactory(event=event, source=secret_source, key="secret-citation-1")
    other = EventFactory(slug="open-other", title="Open other", period=era, date="1945~")
    other.places.add(city)
    CitationFactory(event=other, source=source, key="open-other-1")
    secret_event = EventFactory(
        slug="secret-event", title="Secret event", status="draft", period=era, date="1956"
    )
    CitationFactory(event=secret_event, source=source, key="secret-event-1")
    CitationFactory(event=None, person=secret_person, source=source, key="secret-person-1")
    return event


def body_of(response):
    """Return a response's text, reading a streamed one to its end."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def count_queries(client, url, **extra):
    """Return the queries one request runs, streamed content included, with the
    site-wide lists cached as they are between edits and the page itself built afresh."""
    cache.clear()
    default_topic()
    taxonomy_choices()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
        body = body_of(response)
    assert response.status_code == 200, (url, body[:300])
    return len(queries)
