from timeline.models.content import EventKind, Period, Person, Place, Topic
from timeline.models.events import Event, Participation
from timeline.models.images import Illustration, Image
from timeline.models.sources import Citation, Source

__all__ = [
    "Citation",
    "Event",
    "EventKind",
    "Illustration",
    "Image",
    "Participation",
    "Period",
    "Person",
    "Place",
    "Source",
    "Topic",
]
