"""Writes to specimens and storage: atomic, with a named actor and their audit events in the same transaction.

One module per job: ``events`` (chain of custody), ``permissions``, ``register`` (primary specimens, aliquots,
derivatives, pools, with mass balance), ``status`` (reservations and shipments under the consent gate, disposal,
consent blocks), ``processing`` (freeze-thaw, QC, corrections), ``storage`` (units, placement, moves), ``imports``.
"""

from .events import event_add, events_add_many
from .permissions import require_change_specimens
from .processing import specimen_event_record, specimen_qc_record, specimen_thaw, specimen_update
from .register import AliquotPlan, specimen_derive, specimen_pool, specimen_register, specimens_aliquot
from .status import (
    specimens_consent_block,
    specimens_consent_unblock,
    specimens_consume,
    specimens_dispose,
    specimens_release_reservation,
    specimens_reserve,
    specimens_return,
    specimens_ship,
)
from .storage import (
    specimen_move,
    specimen_place,
    specimen_unplace,
    specimens_place_bulk,
    storage_unit_create,
    storage_unit_update,
)
from .withdrawals import shipment_decision_record

__all__ = [
    "AliquotPlan",
    "event_add",
    "events_add_many",
    "require_change_specimens",
    "shipment_decision_record",
    "specimen_derive",
    "specimen_event_record",
    "specimen_move",
    "specimen_place",
    "specimen_pool",
    "specimen_qc_record",
    "specimen_register",
    "specimen_thaw",
    "specimen_unplace",
    "specimen_update",
    "specimens_aliquot",
    "specimens_consent_block",
    "specimens_consent_unblock",
    "specimens_consume",
    "specimens_dispose",
    "specimens_place_bulk",
    "specimens_release_reservation",
    "specimens_reserve",
    "specimens_return",
    "specimens_ship",
    "storage_unit_create",
    "storage_unit_update",
]
