"""Ask for the authorisation of an exhumation.

- Legal basis: CGCT R2213-40: the request is made by the nearest relative of the deceased, who
  proves their civil status, their address and the capacity in which they ask; the mayor of the
  commune where the exhumation takes place authorises it. R2213-41 to R2213-42 (conduct of the
  operation, presence of a relative or a representative), L2213-14 (police supervision where it
  still applies). In practice the relative signs a sworn statement (attestation sur l'honneur)
  that they are the nearest relative and that no relative of the same degree objects: the form
  asks for it.
- Silence means refusal here. The exhumation can only be carried out on a written authorisation
  that the funeral operator shows at the cemetery (R2213-40), and a silent acceptance would leave
  the family with nothing to show; we found no text deciding the question either way, so this is
  a choice, stated in the acknowledgment, that a commune may change. Delay: two months; in
  practice a few days.
- Retention: 120 months after closure: the operation itself is recorded for ever in the cemetery
  register (``clocher.cimetiere``, ``Operation``); the request and the sworn statement are kept
  ten years, the time of a dispute between relatives.
"""

from clocher.demarches.catalogue.base import BuiltInTemplate, choices
from clocher.demarches.models import Family, SilenceRule

TEMPLATE = BuiltInTemplate(
    slug="exhumation",
    family=Family.FUNERAL,
    title="Demander l'autorisation d'exhumer",
    description=(
        "L'exhumation (pour transférer un défunt dans une autre sépulture, réunir des restes ou "
        "procéder à une crémation) est demandée par le plus proche parent du défunt et autorisée "
        "par le maire. Préparez une pièce d'identité et un justificatif de votre lien de parenté "
        "(livret de famille, acte de naissance)."
    ),
    legal_basis=(
        "Code général des collectivités territoriales, articles R2213-40 à R2213-42 "
        "(demande par le plus proche parent, autorisation du maire, déroulement de l'opération)."
    ),
    retention_months=120,
    acknowledgment_text=(
        "Votre demande d'exhumation a bien été reçue. Le maire vérifie votre qualité de plus "
        "proche parent et fixe, avec l'entreprise de pompes funèbres, la date et l'heure de "
        "l'opération, à laquelle un parent ou son mandataire doit assister."
    ),
    silence_rule=SilenceRule.REFUSAL,
    silence_delay_months=2,
    processing_days=10,
    schema={
        "fields": [
            {"type": "page", "name": "deceased_page", "label": "Le défunt"},
            {
                "type": "text",
                "name": "deceased_name",
                "label": "Nom et prénoms du défunt",
                "required": True,
                "personal": True,
                "max_length": 200,
            },
            {
                "type": "date",
                "name": "death_date",
                "label": "Date du décès",
                "personal": True,
                "date_range": "past",
            },
            {
                "type": "text",
                "name": "location",
                "label": "Cimetière, carré et emplacement de la sépulture",
                "required": True,
                "max_length": 200,
            },
            {
                "type": "choice",
                "name": "purpose",
                "label": "But de l'exhumation",
                "required": True,
                "choices": choices(
                    ("transfer_here", "Transfert dans une autre sépulture de la commune"),
                    ("transfer_elsewhere", "Transfert dans une autre commune"),
                    ("cremation", "Crémation des restes"),
                    ("reduction", "Réunion des restes dans la même sépulture (réduction)"),
                ),
            },
            {
                "type": "text",
                "name": "destination",
                "label": "Lieu de destination (commune et cimetière)",
                "required": True,
                "max_length": 200,
                "condition": {
                    "field": "purpose",
                    "op": "in",
                    "value": ["transfer_here", "transfer_elsewhere"],
                },
            },
            {
                "type": "text",
                "name": "funeral_director",
                "label": "Entreprise de pompes funèbres chargée de l'opération",
                "required": True,
                "max_length": 200,
            },
            {"type": "page", "name": "applicant_page", "label": "Vous, plus proche parent"},
            {
                "type": "text",
                "name": "applicant_name",
                "label": "Vos nom et prénoms",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "choice",
                "name": "relationship",
                "label": "Votre lien avec le défunt",
                "required": True,
                "choices": choices(
                    ("spouse", "Conjoint, partenaire de PACS"),
                    ("child", "Enfant"),
                    ("parent", "Père ou mère"),
                    ("sibling", "Frère ou sœur"),
                    ("other", "Autre parent"),
                ),
            },
            {
                "type": "address",
                "name": "applicant_address",
                "label": "Votre adresse",
                "required": True,
                "personal": True,
            },
            {
                "type": "phone",
                "name": "applicant_phone",
                "label": "Téléphone",
                "required": True,
                "personal": True,
            },
            {
                "type": "file",
                "name": "proofs",
                "label": "Pièce d'identité et justificatif du lien de parenté",
                "help": (
                    "Photo ou PDF : pièce d'identité, livret de famille ou acte de naissance. "
                    "Au guichet, montrez-les à l'agent."
                ),
                "personal": True,
                "max_files": 4,
            },
            {
                "type": "checkbox",
                "name": "sworn_statement",
                "label": (
                    "J'atteste sur l'honneur être le plus proche parent du défunt, et qu'aucun "
                    "autre parent du même degré ne s'oppose à cette exhumation"
                ),
                "required": True,
            },
        ]
    },
)
