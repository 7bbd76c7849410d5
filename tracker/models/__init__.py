from tracker.models.bodies import Body, Responsibility
from tracker.models.frameworks import AgendaItem, CrosswalkLink, Framework
from tracker.models.indicators import Assessment, Indicator, Observation, Source

__all__ = [
    "AgendaItem",
    "Assessment",
    "Body",
    "CrosswalkLink",
    "Framework",
    "Indicator",
    "Observation",
    "Responsibility",
    "Source",
]
