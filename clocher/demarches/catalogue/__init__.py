"""The built-in catalogue: the procedure templates shipped with Clocher, as Python data.

``services.catalogue.catalogue_load(operator=…)`` copies them into the operator's
:class:`~clocher.demarches.models.ProcedureTemplate` / ``TemplateVersion`` rows; from there the
operator may publish edited versions (console) and each commune adopts them. Each module's
docstring gives the legal basis, the meaning of silence and the retention period, with their
references.
"""

from __future__ import annotations

from clocher.demarches.catalogue import (
    acte_etat_civil,
    aide_sociale,
    ayant_droit_concession,
    concession_funeraire,
    contact,
    exhumation,
    inscription_cantine,
    rendez_vous_maire,
    renouvellement_concession,
    reservation_salle,
    signalement,
)
from clocher.demarches.catalogue.base import BuiltInTemplate

BUILT_IN: tuple[BuiltInTemplate, ...] = (
    signalement.TEMPLATE,
    reservation_salle.TEMPLATE,
    acte_etat_civil.TEMPLATE,
    concession_funeraire.TEMPLATE,
    renouvellement_concession.TEMPLATE,
    exhumation.TEMPLATE,
    ayant_droit_concession.TEMPLATE,
    inscription_cantine.TEMPLATE,
    aide_sociale.TEMPLATE,
    rendez_vous_maire.TEMPLATE,
    contact.TEMPLATE,
)


def built_in(slug: str) -> BuiltInTemplate:
    """The built-in template ``slug`` (``LookupError`` when Clocher ships none by that name)."""
    for template in BUILT_IN:
        if template.slug == slug:
            return template
    raise LookupError(slug)


__all__ = ["BUILT_IN", "BuiltInTemplate", "built_in"]
