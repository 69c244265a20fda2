"""DUO matching after the DUOS algorithm V4 (issue 14, item 3): pure Python, no database.

``duo_match_request(dataset_terms=..., dataset_diseases=..., purpose=purpose_from_request(...))`` answers a
``MatchResult(decision, rationale, conditions)``; docs/access-requests.md, "DUO matching (DUOS V4)", has the rules.
"""

from .matcher import Check, Condition, Dataset, Decision, MatchResult, Purpose, Result
from .service import dataset_from_terms, duo_match, duo_match_request, purpose_from_request

__all__ = [
    "Check",
    "Condition",
    "Dataset",
    "Decision",
    "MatchResult",
    "Purpose",
    "Result",
    "dataset_from_terms",
    "duo_match",
    "duo_match_request",
    "purpose_from_request",
]
