"""Cimetière models, one module per aggregate."""

from clocher.cimetiere.models.abandonment import (
    STEP_ORDER,
    AbandonmentOutcome,
    AbandonmentProcedure,
    AbandonmentStep,
    AbandonmentStepRecord,
)
from clocher.cimetiere.models.burials import (
    AshScatteringEntry,
    Burial,
    CemeterySettings,
    Container,
    Deceased,
    Operation,
    OperationKind,
    OssuaryEntry,
)
from clocher.cimetiere.models.concessions import (
    KIND_DURATION_YEARS,
    TEMPORARY_MAX_YEARS,
    Beneficiary,
    Concession,
    ConcessionEndReason,
    ConcessionKind,
    ConcessionRenewal,
    ConcessionScope,
    Holder,
    Tariff,
)
from clocher.cimetiere.models.documents import DocumentKind, DocumentTemplate
from clocher.cimetiere.models.layout import (
    CONCEDABLE_KINDS,
    Cemetery,
    Plot,
    PlotKind,
    Row,
    Section,
)

__all__ = [
    "CONCEDABLE_KINDS",
    "KIND_DURATION_YEARS",
    "STEP_ORDER",
    "TEMPORARY_MAX_YEARS",
    "AbandonmentOutcome",
    "AbandonmentProcedure",
    "AbandonmentStep",
    "AbandonmentStepRecord",
    "AshScatteringEntry",
    "Beneficiary",
    "Burial",
    "Cemetery",
    "CemeterySettings",
    "Concession",
    "ConcessionEndReason",
    "ConcessionKind",
    "ConcessionRenewal",
    "ConcessionScope",
    "Container",
    "Deceased",
    "DocumentKind",
    "DocumentTemplate",
    "Holder",
    "Operation",
    "OperationKind",
    "OssuaryEntry",
    "Plot",
    "PlotKind",
    "Row",
    "Section",
    "Tariff",
]
