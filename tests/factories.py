"""Factories for rows the tests make on the fly."""

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import image_samples
from timeline.models import (
    Citation,
    Event,
    EventKind,
    Illustration,
    Image,
    Participation,
    Period,
    Person,
    Place,
    Source,
    Topic,
)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("slug",)

    status = "published"  # readers see it; tests make drafts on purpose

    title = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    csl_type = Source.Type.BOOK


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    title = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    lead = "A lead paragraph."
    licence = "CC BY-SA 4.0"
    licence_url = "https://creativecommons.org/licenses/by-sa/4.0/"
    attribution = "Text adapted from an article available under CC BY-SA 4.0."
    # The first topic made is the site's default, as a fresh install's only topic is.
    is_default = factory.LazyFunction(lambda: not Topic.objects.exists())


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period

    status = "published"  # readers see it; tests make drafts on purpose

    title = factory.Sequence(lambda n: f"Period {n}")
    slug = factory.Sequence(lambda n: f"period-{n}")
    date = "1919/1945"
    summary = "A period."
    parent = None
    topic = factory.LazyAttribute(
        lambda period: period.parent.topic if period.parent else Topic.objects.default()
    )


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    status = "published"  # readers see it; tests make drafts on purpose

    name = factory.Sequence(lambda n: f"Place {n}")
    slug = factory.Sequence(lambda n: f"place-{n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    status = "published"  # readers see it; tests make drafts on purpose

    name = factory.Sequence(lambda n: f"Person {n}")
    sort_name = factory.LazyAttribute(lambda person: person.name)
    slug = factory.Sequence(lambda n: f"person-{n}")


class EventKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventKind

    name = factory.Sequence(lambda n: f"kind {n}")
    slug = factory.Sequence(lambda n: f"kind-{n}")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Event {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    date = "1956-11-04"
    summary = "Something happened."
    status = Event.Status.PUBLISHED


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(PersonFactory)
    role = "took part"


class CitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citation

    source = factory.SubFactory(SourceFactory)
    key = factory.Sequence(lambda n: f"citation-{n}")
    locator = "Lead"
    event = factory.SubFactory(EventFactory)


class ImageFactory(factory.django.DjangoModelFactory):
    """A published picture; use it with the media_root fixture, which keeps files apart."""

    class Meta:
        model = Image

    status = "published"  # readers see it; tests make drafts on purpose

    slug = factory.Sequence(lambda n: f"image-{n}")
    alt = factory.Sequence(lambda n: f"A red and grey test picture, number {n}.")
    caption = "A test picture."
    credit = "A. Photographer"
    licence = Image.Licence.CC_BY_SA
    file = factory.LazyFunction(lambda: SimpleUploadedFile("picture.jpg", image_samples.jpeg()))


class IllustrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Illustration

    image = factory.SubFactory(ImageFactory)
    event = factory.SubFactory(EventFactory)
