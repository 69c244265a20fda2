"""The catalogue's models: MIABIS Core 3.0 (biobank profiles, collections, networks, research resources, persons),
the collection facts and the vocabularies."""

from .collections import Collection, ResearchResource
from .directory import BiobankProfile, Network, Person, PublicationState, QualityStandard
from .facts import CollectionFact, FactsRecompute
from .vocabulary import VocabularyTerm, VocabularyVersion

__all__ = [
    "BiobankProfile",
    "Collection",
    "CollectionFact",
    "FactsRecompute",
    "Network",
    "Person",
    "PublicationState",
    "QualityStandard",
    "ResearchResource",
    "VocabularyTerm",
    "VocabularyVersion",
]
