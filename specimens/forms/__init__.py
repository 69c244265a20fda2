"""Forms of the technician's pages: registration (``register``), the specimen page's actions (``actions``), the
list's filters, the scan box and the label form (``lists``), with choices read from the SPREC and MIABIS data;
the storage pages' forms (``storage``, imported from there)."""

from .actions import AliquotForm, DeriveForm, OptionalReasonForm, QcForm, ReasonForm, ReserveForm, ShipForm, ThawForm
from .lists import LabelsForm, ScanForm, SpecimenFilterForm
from .register import SpecimenRegisterForm

__all__ = [
    "AliquotForm",
    "DeriveForm",
    "LabelsForm",
    "OptionalReasonForm",
    "QcForm",
    "ReasonForm",
    "ReserveForm",
    "ScanForm",
    "ShipForm",
    "SpecimenFilterForm",
    "SpecimenRegisterForm",
    "ThawForm",
]
