"""Request a civil-status certificate (birth, marriage or death): full copy or extract.

- Legal basis: Code civil, articles 34-1 (officiers de l'état civil, under the control of the
  procureur de la République) and 101-1 (publicity of acts by copies and extracts); décret
  n° 2017-890 du 6 mai 2017, articles 29 to 32: delivery is free (art. 29); a full copy or an
  extract *with* filiation of a birth or marriage act is given only to the person concerned, their
  ascendants and descendants, spouse, legal representative, or on the procureur's authorisation
  (art. 30 and 31); an extract *without* filiation, and a copy of a death act, to anyone. After
  75 years a birth or marriage act is freely communicable (Code du patrimoine, L213-2, 4°, e).
  A death act is only delivered as a full copy: the form does not ask for a kind of extract then.
- Silence means refusal. No text makes silence an acceptance here, and one could not deliver a
  document; the officier de l'état civil acts for the State under the procureur's control, and a
  copy revealing filiation and marginal mentions may only go to the persons the decree lists.
  Delay: two months (CRPA L231-4). The appeal route is the procureur de la République, not the
  administrative court (civil status is a matter for the judicial courts) — ``template_adopt``
  writes that default for the civil-status family.
- Retention: 12 months after closure. The request has no use once the act is delivered; a year
  covers a complaint about a lost or wrong copy. The registers themselves are kept for ever.
"""

from clocher.demarches.catalogue.base import BuiltInTemplate, choices
from clocher.demarches.models import Family, SilenceRule

RESTRICTED_DOCUMENTS = ["full_copy", "extract_with_filiation"]

TEMPLATE = BuiltInTemplate(
    slug="acte-etat-civil",
    family=Family.CIVIL_STATUS,
    title="Demander un acte d'état civil (naissance, mariage, décès)",
    description=(
        "Copie intégrale ou extrait d'un acte de naissance, de mariage ou de décès dressé dans "
        "la commune. La délivrance est gratuite : méfiez-vous des sites qui font payer ce "
        "service."
    ),
    legal_basis=(
        "Code civil, articles 34-1 et 101-1 ; décret n° 2017-890 du 6 mai 2017 relatif à l'état "
        "civil, articles 29 à 32 ; code du patrimoine, article L213-2 (actes de plus de 75 ans)."
    ),
    retention_months=12,
    acknowledgment_text=(
        "Votre demande d'acte d'état civil a bien été reçue. L'officier de l'état civil vérifie "
        "que l'acte a été dressé dans la commune et que vous pouvez en obtenir la forme "
        "demandée, puis vous l'envoie ou le tient à votre disposition en mairie. La délivrance "
        "est gratuite."
    ),
    silence_rule=SilenceRule.REFUSAL,
    silence_delay_months=2,
    processing_days=5,
    schema={
        "fields": [
            {"type": "page", "name": "act_page", "label": "L'acte demandé"},
            {
                "type": "choice",
                "name": "act_kind",
                "label": "Type d'acte",
                "required": True,
                "choices": choices(
                    ("birth", "Acte de naissance"),
                    ("marriage", "Acte de mariage"),
                    ("death", "Acte de décès"),
                ),
            },
            {
                "type": "choice",
                "name": "document_kind",
                "label": "Forme du document",
                "help": (
                    "L'extrait sans filiation suffit pour la plupart des démarches. La copie "
                    "intégrale reproduit tout l'acte et ses mentions."
                ),
                "required": True,
                "choices": choices(
                    ("full_copy", "Copie intégrale"),
                    ("extract_with_filiation", "Extrait avec filiation"),
                    ("extract_without_filiation", "Extrait sans filiation"),
                ),
                "condition": {"field": "act_kind", "op": "in", "value": ["birth", "marriage"]},
            },
            {
                "type": "help",
                "name": "death_copy_help",
                "label": "",
                "help": (
                    "L'acte de décès est délivré en copie intégrale, à toute personne qui le "
                    "demande."
                ),
                "condition": {"field": "act_kind", "op": "equals", "value": "death"},
            },
            {
                "type": "number",
                "name": "copies",
                "label": "Nombre d'exemplaires",
                "required": True,
                "integer": True,
                "min": 1,
                "max": 5,
            },
            {
                "type": "choice",
                "name": "purpose",
                "label": "À quoi servira l'acte ? (facultatif)",
                "help": (
                    "Pour une carte d'identité ou un passeport, la mairie qui instruit votre "
                    "dossier vérifie en général l'acte de naissance directement auprès de la "
                    "commune de naissance (dispositif COMEDEC) : l'acte papier est alors inutile."
                ),
                "choices": choices(
                    ("identity", "Carte d'identité ou passeport"),
                    ("wedding", "Mariage ou PACS"),
                    ("estate", "Succession, notaire"),
                    ("genealogy", "Recherche généalogique"),
                    ("other", "Autre démarche"),
                ),
            },
            {"type": "page", "name": "person_page", "label": "La personne concernée par l'acte"},
            {
                "type": "text",
                "name": "holder_last_name",
                "label": "Nom de naissance",
                "required": True,
                "personal": True,
                "max_length": 100,
            },
            {
                "type": "text",
                "name": "holder_first_names",
                "label": "Prénoms",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "date",
                "name": "event_date",
                "label": "Date de l'événement (naissance, mariage ou décès)",
                "required": True,
                "personal": True,
                "date_range": "past",
            },
            {
                "type": "section",
                "name": "spouse_section",
                "label": "L'autre époux",
                "condition": {"field": "act_kind", "op": "equals", "value": "marriage"},
            },
            {
                "type": "text",
                "name": "spouse_last_name",
                "label": "Nom de naissance de l'autre époux",
                "required": True,
                "personal": True,
                "max_length": 100,
            },
            {
                "type": "text",
                "name": "spouse_first_names",
                "label": "Prénoms de l'autre époux",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "section",
                "name": "filiation_section",
                "label": "Les parents de la personne concernée",
                "condition": {
                    "all": [
                        {"field": "act_kind", "op": "in", "value": ["birth", "marriage"]},
                        {"field": "document_kind", "op": "in", "value": RESTRICTED_DOCUMENTS},
                    ]
                },
            },
            {
                "type": "help",
                "name": "filiation_help",
                "label": "",
                "help": (
                    "Pour une copie intégrale ou un extrait avec filiation, indiquez les noms et "
                    "prénoms des parents tels qu'ils figurent dans l'acte (décret du 6 mai 2017, "
                    "article 30)."
                ),
            },
            {
                "type": "text",
                "name": "first_parent",
                "label": "Nom et prénoms du premier parent",
                "required": True,
                "personal": True,
                "max_length": 200,
            },
            {
                "type": "text",
                "name": "second_parent",
                "label": "Nom et prénoms du second parent",
                "help": "Laissez vide si l'acte n'en mentionne qu'un.",
                "personal": True,
                "max_length": 200,
            },
            {"type": "page", "name": "requester_page", "label": "Vous"},
            {
                "type": "choice",
                "name": "requester_relation",
                "label": "Vous êtes",
                "required": True,
                "choices": choices(
                    ("self", "La personne concernée par l'acte"),
                    ("spouse", "Son époux ou son épouse"),
                    ("ascendant", "Son père, sa mère ou un autre ascendant"),
                    ("descendant", "Son enfant ou un autre descendant"),
                    ("legal_representative", "Son représentant légal (tuteur, curateur)"),
                    ("professional", "Un professionnel mandaté (notaire, avocat)"),
                    ("other", "Une autre personne"),
                ),
            },
            {
                "type": "help",
                "name": "third_party_help",
                "label": "",
                "help": (
                    "Une autre personne ne peut obtenir qu'un extrait sans filiation, sauf "
                    "autorisation du procureur de la République ou si l'acte a plus de 75 ans. "
                    "Votre demande sera examinée sous cette réserve."
                ),
                "condition": {
                    "all": [
                        {"field": "act_kind", "op": "in", "value": ["birth", "marriage"]},
                        {"field": "document_kind", "op": "in", "value": RESTRICTED_DOCUMENTS},
                        {"field": "requester_relation", "op": "equals", "value": "other"},
                    ]
                },
            },
            {
                "type": "text",
                "name": "requester_name",
                "label": "Vos nom et prénoms",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "file",
                "name": "representation_proof",
                "label": "Justificatif de votre qualité",
                "help": "Jugement de tutelle ou de curatelle, lettre de mission du notaire.",
                "required": True,
                "personal": True,
                "file_kinds": ["pdf", "image"],
                "max_files": 2,
                "condition": {
                    "field": "requester_relation",
                    "op": "in",
                    "value": ["legal_representative", "professional"],
                },
            },
            {
                "type": "choice",
                "name": "delivery",
                "label": "Comment souhaitez-vous recevoir l'acte ?",
                "required": True,
                "choices": choices(
                    ("post", "Par courrier"),
                    ("counter", "Je viens le retirer en mairie"),
                ),
            },
            {
                "type": "address",
                "name": "postal_address",
                "label": "Adresse d'envoi",
                "required": True,
                "personal": True,
                "condition": {"field": "delivery", "op": "equals", "value": "post"},
            },
            {
                "type": "phone",
                "name": "requester_phone",
                "label": "Téléphone (facultatif)",
                "help": "Pour vous joindre si l'acte est introuvable sous ces indications.",
                "personal": True,
            },
        ]
    },
)
