"""Write to the town hall (general contact).

- Legal basis: CRPA L112-8 (right to address the administration electronically), L112-11
  (acknowledgment of every electronic sending), L114-2 (a message sent to the wrong authority is
  forwarded to the competent one, and the sender told).
- Silence: not applicable — a message or a question asks for an answer, not a decision. When a
  message turns out to be a request for a decision (a real « demande »), the agent moves it to
  the right procedure, whose own rule then applies.
- Retention: 12 months after closure. The message itself is personal (it may say anything) and
  sealed; only the topic stays for statistics.
"""

from clocher.demarches.catalogue.base import BuiltInTemplate, choices
from clocher.demarches.models import Family, SilenceRule

TEMPLATE = BuiltInTemplate(
    slug="contact",
    family=Family.GENERAL,
    title="Écrire à la mairie",
    description=(
        "Une question, une suggestion, une réclamation ? Écrivez au secrétariat de mairie. Pour "
        "une démarche précise (état civil, salle, cantine…), utilisez plutôt la démarche dédiée : "
        "elle sera traitée plus vite."
    ),
    legal_basis=(
        "Code des relations entre le public et l'administration, articles L112-8 (saisine par "
        "voie électronique), L112-11 (accusé de réception) et L114-2 (transmission à l'autorité "
        "compétente)."
    ),
    retention_months=12,
    acknowledgment_text=(
        "Votre message a bien été reçu par la mairie. S'il relève d'une autre administration, "
        "il lui sera transmis et vous en serez informé(e)."
    ),
    silence_rule=SilenceRule.NOT_APPLICABLE,
    silence_delay_months=2,
    processing_days=15,
    schema={
        "fields": [
            {
                "type": "choice",
                "name": "topic",
                "label": "Votre message est",
                "required": True,
                "choices": choices(
                    ("question", "Une question, une demande d'information"),
                    ("suggestion", "Une suggestion"),
                    ("complaint", "Une réclamation"),
                    ("other", "Autre"),
                ),
            },
            {
                "type": "help",
                "name": "complaint_help",
                "label": "",
                "help": (
                    "Si votre réclamation porte sur une décision de la mairie, précisez sa date "
                    "et son objet : elle sera traitée comme un recours gracieux."
                ),
                "condition": {"field": "topic", "op": "equals", "value": "complaint"},
            },
            {
                "type": "text",
                "name": "subject",
                "label": "Objet",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "textarea",
                "name": "message",
                "label": "Message",
                "required": True,
                "personal": True,
                "max_length": 5000,
            },
            {
                "type": "file",
                "name": "attachments",
                "label": "Pièces jointes",
                "help": "Facultatif : photos ou documents PDF, jusqu'à 3 fichiers.",
                "personal": True,
                "max_files": 3,
            },
            {"type": "section", "name": "you_section", "label": "Vous"},
            {
                "type": "text",
                "name": "full_name",
                "label": "Nom et prénom",
                "required": True,
                "personal": True,
                "max_length": 150,
            },
            {
                "type": "choice",
                "name": "reply_by",
                "label": "Vous souhaitez une réponse",
                "required": True,
                "choices": choices(
                    ("email", "Par e-mail"),
                    ("phone", "Par téléphone"),
                    ("post", "Par courrier"),
                ),
            },
            {
                "type": "phone",
                "name": "phone",
                "label": "Téléphone",
                "required": True,
                "personal": True,
                "condition": {"field": "reply_by", "op": "equals", "value": "phone"},
            },
            {
                "type": "address",
                "name": "postal_address",
                "label": "Adresse postale",
                "required": True,
                "personal": True,
                "condition": {"field": "reply_by", "op": "equals", "value": "post"},
            },
        ]
    },
)
