"""Declare oneself as a beneficiary (ayant droit) of a cemetery concession.

- Legal basis: CGCT L2223-13 (family, collective and individual concessions: who may be buried
  in them); a family concession passes to the heirs by inheritance, and the register of the
  cemetery records who they are so that the commune can reach them at expiry, for a burial or in
  an abandonment procedure (L2223-17, R2223-13: notices to the known descendants).
- No implicit decision: this is information given to the commune for its register, not a
  request for a decision; the town hall checks it and records the beneficiary
  (``clocher.cimetiere``, ``Beneficiary``).
- Retention: 120 months after closure; the beneficiary then lives in the cemetery register.
"""

from clocher.demarches.catalogue.base import BuiltInTemplate, choices
from clocher.demarches.models import Family, SilenceRule

TEMPLATE = BuiltInTemplate(
    slug="ayant-droit-concession",
    family=Family.FUNERAL,
    title="Me déclarer ayant droit d'une concession",
    description=(
        "Faites-vous connaître comme ayant droit (héritier, membre de la famille) d'une "
        "concession du cimetière : la mairie pourra vous prévenir à son échéance, pour une "
        "inhumation ou si la sépulture paraît abandonnée."
    ),
    legal_basis=(
        "Code général des collectivités territoriales, articles L2223-13 (concessions familiales, "
        "collectives et individuelles) et L2223-17 (reprise des concessions en état d'abandon)."
    ),
    retention_months=120,
    acknowledgment_text=(
        "Votre déclaration a bien été reçue. La mairie la rapproche du registre du cimetière et "
        "vous inscrit comme ayant droit de la concession ; elle vous écrira si une pièce manque."
    ),
    silence_rule=SilenceRule.NOT_APPLICABLE,
    silence_delay_months=2,
    processing_days=30,
    schema={
        "fields": [
            {"type": "page", "name": "concession_page", "label": "La concession"},
            {
                "type": "text",
                "name": "location",
                "label": "Cimetière, carré et emplacement",
                "required": True,
                "max_length": 200,
            },
            {
                "type": "text",
                "name": "holder_name",
                "label": "Nom du titulaire de la concession",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "text",
                "name": "concession_number",
                "label": "Numéro de l'acte de concession (si vous le connaissez)",
                "max_length": 50,
            },
            {"type": "page", "name": "applicant_page", "label": "Vous"},
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
                "label": "Votre lien avec le titulaire",
                "required": True,
                "choices": choices(
                    ("child", "Enfant"),
                    ("grandchild", "Petit-enfant"),
                    ("spouse", "Conjoint, partenaire de PACS"),
                    ("sibling", "Frère ou sœur"),
                    ("other", "Autre (précisez)"),
                ),
            },
            {
                "type": "text",
                "name": "relationship_other",
                "label": "Précisez votre lien",
                "required": True,
                "personal": True,
                "max_length": 100,
                "condition": {"field": "relationship", "op": "equals", "value": "other"},
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
                "personal": True,
            },
            {
                "type": "checkbox",
                "name": "certify",
                "label": "Je certifie exacts les renseignements donnés",
                "required": True,
            },
        ]
    },
)
