# ruff: noqa: E501  (the texts are paragraphs: one line each, as the template author edits them)
"""The built-in texts of each document, in French, used when neither the operator nor the commune
has published its own version. Placeholders are documented in ``templates.PLACEHOLDERS``."""

from __future__ import annotations

from clocher.cimetiere.models import DocumentKind

CONCESSION_DEED_BODY = """\
Le maire de la commune de {{ commune.name }},

Vu le code général des collectivités territoriales, notamment ses articles L2223-13 et L2223-14 relatifs aux concessions funéraires ;
Vu la délibération du conseil municipal fixant les tarifs des concessions ;
Vu la demande présentée par {{ concession.holders_text|default:"le demandeur" }} ;

**ACCORDE**

à {{ concession.holders_text|default:"(concessionnaire non renseigné)" }}, ci-après « le concessionnaire », une concession {{ concession.kind }}{% if concession.duration_years %} d'une durée de {{ concession.duration_years }} ans{% endif %} au {{ plot.cemetery }}, carré {{ plot.section }}, emplacement n° {{ plot.number }} ({{ plot.kind }}){% if concession.surface %}, d'une superficie de {{ concession.surface }}{% endif %}.

{% if concession.is_perpetual %}La concession est accordée à perpétuité à compter du {{ concession.act_date }}.{% else %}La concession prend effet le {{ concession.act_date }} et expire le {{ concession.expires_on }}. Elle est renouvelable à chaque échéance, au tarif alors en vigueur, la nouvelle période partant de la date d'échéance (article L2223-15).{% endif %}

Personnes pouvant y être inhumées : concession {{ concession.scope }}.{% if concession.beneficiaries %} Ayants droit désignés : {% for beneficiary in concession.beneficiaries %}{{ beneficiary.name }}{% if beneficiary.relationship %} ({{ beneficiary.relationship }}){% endif %}{% if not forloop.last %}, {% endif %}{% endfor %}.{% endif %}

{% if concession.price_paid %}Le concessionnaire a acquitté la somme de {{ concession.price_paid }}, montant fixé par le conseil municipal.{% endif %}

Le terrain concédé ne peut faire l'objet d'aucune vente ni cession à titre onéreux. Le concessionnaire entretient la sépulture en bon état de propreté et de solidité."""

BURIAL_AUTHORISATION_BODY = """\
Le maire de la commune de {{ commune.name }},

Vu le code général des collectivités territoriales, notamment ses articles L2213-8, L2223-3 et R2213-31 ;
Vu la demande présentée par {{ operation.requested_by|default:"la famille" }}{% if operation.requester_relationship %} ({{ operation.requester_relationship }}){% endif %} ;

**AUTORISE**

l'inhumation de {{ deceased.full_name|default:"(défunt non renseigné)" }}{% if deceased.birth_date %}, né(e) le {{ deceased.birth_date }}{% endif %}{% if deceased.death_date %}, décédé(e) le {{ deceased.death_date }}{% endif %},
au {{ plot.cemetery }}, carré {{ plot.section }}, emplacement n° {{ plot.number }} ({{ plot.kind }}){% if concession.number %}, concession n° {{ concession.number }}{% endif %}.

{% if operation.date %}L'opération aura lieu le {{ operation.date }}.{% endif %} Elle sera réalisée par un opérateur funéraire habilité, dans le respect du règlement du cimetière."""

EXHUMATION_AUTHORISATION_BODY = """\
Le maire de la commune de {{ commune.name }},

Vu le code général des collectivités territoriales, notamment ses articles L2213-8 et R2213-40 ;
Vu la demande présentée par {{ operation.requested_by|default:"le plus proche parent" }}{% if operation.requester_relationship %} ({{ operation.requester_relationship }}){% endif %}, plus proche parent du défunt, qui a justifié de son état civil, de son domicile et de la qualité en vertu de laquelle il formule sa demande{% if operation.sworn_statement_received %}, et a signé une attestation sur l'honneur{% endif %} ;

**AUTORISE**

l'opération suivante : {{ operation.kind }} de {{ deceased.full_name|default:"(défunt non renseigné)" }}{% if deceased.death_date %}, décédé(e) le {{ deceased.death_date }}{% endif %}, inhumé(e) au {{ plot.cemetery }}, carré {{ plot.section }}, emplacement n° {{ plot.number }}.

{% if operation.destination %}Destination des restes : {{ operation.destination }}.{% endif %}{% if operation.date %} L'opération aura lieu le {{ operation.date }}.{% endif %}

Conformément à l'article R2213-40, l'exhumation se déroule en présence d'un parent ou d'un mandataire de la famille ; à défaut, elle n'a pas lieu. En cas de désaccord entre parents, l'autorisation est suspendue jusqu'à la décision du juge."""

RENEWAL_LETTER_BODY = """\
{{ holder.name|default:"Au concessionnaire" }}
{{ holder.address }}

Objet : renouvellement de la concession n° {{ concession.number }}

Madame, Monsieur,

La concession {{ concession.kind }} n° {{ concession.number }}, accordée le {{ concession.act_date }} au {{ plot.cemetery }} (carré {{ plot.section }}, emplacement n° {{ plot.number }}), {% if renewal.is_expired %}est arrivée à échéance le {{ renewal.expires_on }}{% else %}arrive à échéance le {{ renewal.expires_on }}{% endif %}.

Conformément à l'article L2223-15 du code général des collectivités territoriales, elle peut être renouvelée au tarif en vigueur au moment du renouvellement ; la nouvelle période part de la date d'échéance. Le renouvellement demandé par l'un des héritiers profite à tous ; le nom du concessionnaire reste inchangé.

{% if renewal.tariff %}Le tarif en vigueur pour un renouvellement de même durée est de {{ renewal.tariff }}.{% else %}Le secrétariat de la mairie vous indiquera le tarif en vigueur.{% endif %}

À défaut de renouvellement, le terrain fait retour à la commune, qui ne peut toutefois le reprendre qu'après deux années révolues suivant l'échéance{% if renewal.repossessable_from %}, soit à partir du {{ renewal.repossessable_from }}{% endif %}.

Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées."""

OSSUARY_REGISTER_BODY = """\
Registre tenu en application de l'article L2223-4 du code général des collectivités territoriales. Y sont inscrits les noms de toutes les personnes dont les restes ont été déposés à l'ossuaire de la commune de {{ commune.name }}, même lorsqu'aucun reste n'a été retrouvé.

Ce registre est public : il est tenu à la disposition de toute personne qui en fait la demande à la mairie. {{ register.count }} inscription{{ register.count|pluralize }} au {{ today }}."""

ASH_REGISTER_BODY = """\
Registre tenu en application de l'article L2223-18-3 du code général des collectivités territoriales. Lorsque les cendres d'un défunt sont dispersées en pleine nature, la déclaration en est faite à la mairie de sa commune de naissance, qui inscrit sur ce registre l'identité du défunt, la date et le lieu de la dispersion. Y figurent aussi les dispersions faites au jardin du souvenir de {{ commune.name }}.

Ce registre est public. {{ register.count }} inscription{{ register.count|pluralize }} au {{ today }}."""

SECTION_LISTING_BODY = """\
Liste des emplacements du carré {{ section.name }} du {{ section.cemetery }}, arrêtée au {{ today }} : {{ section.plot_count }} emplacement{{ section.plot_count|pluralize }}.

Les personnes inhumées figurent en clair (archives publiques) ; les coordonnées des concessionnaires n'y figurent pas."""

DEFAULTS: dict[str, tuple[str, str]] = {
    DocumentKind.CONCESSION_DEED: (
        "Titre de concession funéraire n° {{ concession.number }}",
        CONCESSION_DEED_BODY,
    ),
    DocumentKind.BURIAL_AUTHORISATION: ("Autorisation d'inhumation", BURIAL_AUTHORISATION_BODY),
    DocumentKind.EXHUMATION_AUTHORISATION: (
        "Autorisation d'exhumation",
        EXHUMATION_AUTHORISATION_BODY,
    ),
    DocumentKind.RENEWAL_LETTER: (
        "Renouvellement de votre concession funéraire",
        RENEWAL_LETTER_BODY,
    ),
    DocumentKind.OSSUARY_REGISTER: ("Registre de l'ossuaire", OSSUARY_REGISTER_BODY),
    DocumentKind.ASH_REGISTER: ("Registre des cendres dispersées", ASH_REGISTER_BODY),
    DocumentKind.SECTION_LISTING: (
        "Carré {{ section.name }} — liste des emplacements",
        SECTION_LISTING_BODY,
    ),
}

# --- Abandonment procedure (reprise pour état d'abandon, L2223-17, R2223-12 to R2223-23) -----

ABANDONMENT_NOTICE_BODY = """\
{% if notice.recipients %}À l'attention de : {{ notice.recipients }}{% else %}Avis affiché à la porte de la mairie et à la porte du cimetière.{% endif %}

Objet : constat de l'état d'abandon de la concession n° {{ concession.number }}

Madame, Monsieur,

La concession {{ concession.kind }} n° {{ concession.number }}, accordée le {{ concession.act_date|default:"(date inconnue)" }}{% if concession.holders_text %} à {{ concession.holders_text }}{% endif %}, située au {{ plot.cemetery }}, carré {{ plot.section }}, emplacement n° {{ plot.number }}, paraît en état d'abandon.

En application des articles L2223-17 et R2223-13 du code général des collectivités territoriales, nous vous informons qu'il sera procédé le **{{ procedure.visit_planned_on }}**, sur les lieux, au constat de l'état d'abandon de cette sépulture, en présence d'un fonctionnaire de police, d'un garde champêtre ou d'un policier municipal. Vous êtes invité(e) à assister à ce constat ou à vous y faire représenter.

Cet avis est adressé par lettre recommandée avec demande d'avis de réception aux descendants et successeurs connus du concessionnaire, un mois au moins avant la date du constat ; si aucun n'est connu, il est affiché à la mairie et à la porte du cimetière (article R2223-13).

Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées."""

ABANDONMENT_REPORT_BODY = """\
Le {{ report.date|default:"……………………" }}, nous, maire de la commune de {{ commune.name }},

Vu le code général des collectivités territoriales, notamment ses articles L2223-17, R2223-13 et R2223-14 ;{% if report.is_second %}
Vu le premier procès-verbal de constat d'abandon dressé le {{ first_report.date }}, notifié et affiché le {{ first_notification.date }} ;{% endif %}
Vu l'avis adressé aux descendants ou successeurs le {{ notice.date|default:"……………………" }} ;

nous nous sommes rendu sur les lieux, au {{ plot.cemetery }}, carré {{ plot.section }}{% if plot.row %}, rang {{ plot.row }}{% endif %}, emplacement n° {{ plot.number }}, où se trouve la concession {{ concession.kind }} n° {{ concession.number }}, accordée le {{ concession.act_date|default:"(date inconnue)" }}.

Personnes présentes : {{ report.officials_present|default:"……………………………………………………………………" }}

**État de la sépulture constaté :** {{ report.condition|default:"……………………………………………………………………………………………………………………………………………………………………" }}

{% if report.photo_count %}{{ report.photo_count }} photographie{{ report.photo_count|pluralize }} prise{{ report.photo_count|pluralize }} sur place {{ report.photo_count|pluralize:"est,sont" }} annexée{{ report.photo_count|pluralize }} au présent procès-verbal.{% endif %}{% if report.notes %} Remarques : {{ report.notes }}{% endif %}

{% if report.is_second %}Plus d'un an après la notification du premier constat, la sépulture n'a pas été remise en bon état d'entretien (articles L2223-17 et R2223-18).{% else %}Le présent procès-verbal sera notifié dans les huit jours aux descendants ou successeurs, avec mise en demeure de rétablir la sépulture en bon état d'entretien, et affiché à la mairie et à la porte du cimetière (articles R2223-13 à R2223-15).{% endif %}

Le présent procès-verbal est signé par le maire et par les personnes présentes (article R2223-14)."""

ABANDONMENT_NOTIFICATION_BODY = """\
{% if notification.recipients %}À l'attention de : {{ notification.recipients }}{% else %}Extrait affiché à la porte de la mairie et à la porte du cimetière.{% endif %}

Objet : notification du {{ report.ordinal }} procès-verbal de constat d'abandon de la concession n° {{ concession.number }}

Madame, Monsieur,

Le {{ report.date }}, un procès-verbal a constaté l'état d'abandon de la concession {{ concession.kind }} n° {{ concession.number }}{% if concession.holders_text %}, accordée à {{ concession.holders_text }}{% endif %}, située au {{ plot.cemetery }}, carré {{ plot.section }}, emplacement n° {{ plot.number }}. État constaté : {{ report.condition }}

Conformément aux articles L2223-17, R2223-13 et R2223-15 du code général des collectivités territoriales, nous vous notifions ce procès-verbal et vous mettons en demeure de rétablir la sépulture en bon état d'entretien.

{% if report.is_second %}Le conseil municipal pourra, un mois au moins après la présente notification, se prononcer sur la reprise de la concession par la commune (articles L2223-17 et R2223-18).{% else %}Si, un an après la présente notification, la concession est toujours en état d'abandon, un nouveau procès-verbal sera dressé et la commune pourra en prononcer la reprise (articles L2223-17 et R2223-18).{% endif %}

Un extrait de ce procès-verbal est affiché à la mairie et à la porte du cimetière.

Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées."""

REPOSSESSION_ORDER_BODY = """\
Le maire de la commune de {{ commune.name }},

Vu le code général des collectivités territoriales, notamment ses articles L2223-17, L2223-4 et R2223-12 à R2223-23 ;
Vu le premier procès-verbal de constat d'abandon dressé le {{ first_report.date|default:"……" }} et notifié le {{ first_notification.date|default:"……" }} ;
Vu le second procès-verbal de constat d'abandon dressé le {{ second_report.date|default:"……" }} et notifié le {{ second_notification.date|default:"……" }} ;
Vu la délibération du conseil municipal du {{ deliberation.date|default:"……" }}{% if deliberation.reference %} (n° {{ deliberation.reference }}){% endif %} décidant la reprise de la concession ;

Considérant que la concession {{ concession.kind }} n° {{ concession.number }}, accordée le {{ concession.act_date|default:"(date inconnue)" }}, située au {{ plot.cemetery }}, carré {{ plot.section }}, emplacement n° {{ plot.number }}, a plus de trente ans d'existence, que la dernière inhumation y date de plus de dix ans et qu'elle est restée en état d'abandon plus d'un an après la notification du premier constat ;

**ARRÊTE**

Article 1er : La concession n° {{ concession.number }} est reprise par la commune (article L2223-17).

Article 2 : Les restes des personnes inhumées seront réunis dans un cercueil de dimensions appropriées et déposés à l'ossuaire communal (article R2223-20), ou crématisés en l'absence d'opposition connue ou attestée du défunt ; les noms des personnes sont inscrits au registre de l'ossuaire (article L2223-4).

Article 3 : Trente jours après la publication et la notification du présent arrêté, le maire pourra faire enlever les matériaux des monuments et emblèmes funéraires restant sur la concession (article R2223-20).

Article 4 : Le présent arrêté sera publié et notifié dans les conditions de l'article R2223-19 ; il sera affiché à la mairie et à la porte du cimetière.{% if order.reference %} Arrêté n° {{ order.reference }}.{% endif %}"""

ABANDONMENT_LIST_BODY = """\
Liste des concessions faisant l'objet d'une procédure de reprise pour état d'abandon, tenue à la mairie de {{ commune.name }} et tenue à la disposition du public (article R2223-16 du code général des collectivités territoriales) ; elle est adressée au préfet ou au sous-préfet (article R2223-17).

{{ register.count }} concession{{ register.count|pluralize }} en cours de procédure au {{ today }}."""

DEFAULTS.update(
    {
        DocumentKind.ABANDONMENT_NOTICE: (
            "Avis de constat d'abandon — concession n° {{ concession.number }}",
            ABANDONMENT_NOTICE_BODY,
        ),
        DocumentKind.ABANDONMENT_REPORT: (
            "{% if report.is_second %}Second{% else %}Premier{% endif %} procès-verbal de "
            "constat d'abandon — concession n° {{ concession.number }}",
            ABANDONMENT_REPORT_BODY,
        ),
        DocumentKind.ABANDONMENT_NOTIFICATION: (
            "Notification du constat d'abandon — concession n° {{ concession.number }}",
            ABANDONMENT_NOTIFICATION_BODY,
        ),
        DocumentKind.REPOSSESSION_ORDER: (
            "Arrêté de reprise de la concession n° {{ concession.number }} en état d'abandon",
            REPOSSESSION_ORDER_BODY,
        ),
        DocumentKind.ABANDONMENT_LIST: (
            "Liste des concessions en état d'abandon",
            ABANDONMENT_LIST_BODY,
        ),
    }
)
