"""Ask for the renewal of a cemetery concession.

- Legal basis: CGCT L2223-15: temporary, 30-year and 50-year concessions are renewable at the
  tariff in force on the day of renewal; the renewal starts from the expiry date, and the holder
  or any heir may ask for it during the two years that follow expiry, after which the ground
  returns to the commune. Renewal by one heir benefits all (the holder's name does not change).
- Silence means acceptance (CRPA L231-1, the general rule): renewal is a right of the holder and
  the heirs within the legal window, not a favour; the commune only states the price. Delay: two
  months. Communes rarely let it come to that: the cemetery module's legal clock shows the
  renewal as due.
- Retention: 120 months after closure; the renewal itself lives for ever in the cemetery
  register (``clocher.cimetiere``, ``ConcessionRenewal``).
"""

from clocher.demarches.catalogue.base import BuiltInTemplate, choices
from clocher.demarches.models import Family, SilenceRule

TEMPLATE = BuiltInTemplate(
    slug="renouvellement-concession",
    family=Family.FUNERAL,
    title="Renouveler une concession au cimetière",
    description=(
        "Demandez le renouvellement d'une concession qui arrive à échéance ou qui a expiré depuis "
        "moins de deux ans. Le titulaire ou n'importe lequel de ses héritiers peut le demander ; "
        "le renouvellement profite à toute la famille."
    ),
    legal_basis=(
        "Code général des collectivités territoriales, article L2223-15 (renouvellement au tarif "
        "en vigueur, délai de deux ans après l'expiration) ; délibération fixant les tarifs."
    ),
    retention_months=120,
    acknowledgment_text=(
        "Votre demande de renouvellement a bien été reçue. La mairie vérifie la concession et "
        "vous indique la durée possible et le tarif en vigueur ; le renouvellement part de la "
        "date d'expiration de la période précédente."
    ),
    silence_rule=SilenceRule.ACCEPTANCE,
    silence_delay_months=2,
    processing_days=30,
    schema={
        "fields": [
            {"type": "page", "name": "concession_page", "label": "La concession"},
            {
                "type": "text",
                "name": "concession_number",
                "label": "Numéro de l'acte de concession (si vous le connaissez)",
                "max_length": 50,
            },
            {
                "type": "text",
                "name": "location",
                "label": "Cimetière, carré et emplacement",
                "help": "Par exemple : cimetière de l'église, carré B, emplacement 12.",
                "required": True,
                "max_length": 200,
            },
            {
                "type": "text",
                "name": "holder_name",
                "label": "Nom du titulaire de la concession",
                "help": "La personne qui a acquis la concession (elle peut être décédée).",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "choice",
                "name": "duration",
                "label": "Durée souhaitée pour le renouvellement",
                "required": True,
                "choices": choices(
                    ("same", "La même durée qu'à l'origine"),
                    ("temporary", "Temporaire (15 ans au plus)"),
                    ("thirty", "Trentenaire (30 ans)"),
                    ("fifty", "Cinquantenaire (50 ans)"),
                ),
            },
            {"type": "page", "name": "applicant_page", "label": "Vous"},
            {
                "type": "choice",
                "name": "applicant_quality",
                "label": "Vous êtes",
                "required": True,
                "choices": choices(
                    ("holder", "Le titulaire de la concession"),
                    ("heir", "Un héritier ou un ayant droit du titulaire"),
                    ("other", "Une autre personne agissant pour la famille"),
                ),
            },
            {
                "type": "text",
                "name": "relationship",
                "label": "Votre lien avec le titulaire",
                "required": True,
                "personal": True,
                "max_length": 100,
                "condition": {"field": "applicant_quality", "op": "not_equals", "value": "holder"},
            },
            {
                "type": "text",
                "name": "applicant_name",
                "label": "Vos nom et prénoms",
                "required": True,
                "personal": True,
                "max_length": 150,
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
