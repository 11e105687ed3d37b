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
