"""Forms of the catalogue pages: a commune's contact details at adoption, and the operator's
new template version (texts and form JSON, checked with ``parse_schema``)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clocher.core.forms import Form
from clocher.demarches.formschema import SchemaError, parse_schema
from clocher.demarches.models import SilenceRule, StatusKind
from clocher.demarches.services.catalogue import ProcedureContact

MAX_JSON_LENGTH = 500_000


class ProcedureContactForm(Form):
    """The service named on the commune's procedure (CRPA R112-5). Every field may be completed
    later in the procedure's settings; the procedure cannot go online while one is empty."""

    service_name = forms.CharField(
        label=gettext_lazy("Service chargé du dossier"), max_length=200, required=False
    )
    service_address = forms.CharField(
        label=gettext_lazy("Adresse postale du service"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )
    service_email = forms.EmailField(
        label=gettext_lazy("Adresse électronique du service"), required=False
    )
    service_phone = forms.CharField(
        label=gettext_lazy("Téléphone du service"), max_length=30, required=False
    )
    appeal_routes = forms.CharField(
        label=gettext_lazy("Voies et délais de recours"),
        help_text=gettext_lazy(
            "Texte proposé par défaut : vérifiez le nom du tribunal et adaptez-le si besoin."
        ),
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=5000,
        required=False,
    )

    def contact(self) -> ProcedureContact:
        data = self.cleaned_data
        return ProcedureContact(
            service_name=data["service_name"],
            service_address=data["service_address"],
            service_email=data["service_email"],
            service_phone=data["service_phone"],
            appeal_routes=data["appeal_routes"],
        )


def _json(text: str, what: str) -> Any:
    if len(text) > MAX_JSON_LENGTH:
        raise ValidationError(_("Ce texte est trop long."))
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("%(what)s n'est pas du JSON valide (ligne %(line)d, colonne %(column)d : %(msg)s).")
            % {"what": what, "line": error.lineno, "column": error.colno, "msg": error.msg}
        ) from error


class TemplateVersionForm(Form):
    """A new version of an operator template, as the console edits it."""

    title = forms.CharField(label=gettext_lazy("Titre"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Présentation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("Base légale"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    acknowledgment_text = forms.CharField(
        label=gettext_lazy("Texte de l'accusé de réception"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    silence_rule = forms.ChoiceField(
        label=gettext_lazy("Sens du silence de l'administration"), choices=SilenceRule.choices
    )
    silence_delay_months = forms.IntegerField(
        label=gettext_lazy("Délai de décision implicite (mois)"), min_value=1, max_value=24
    )
    processing_days = forms.IntegerField(
        label=gettext_lazy("Délai de traitement visé (jours)"), min_value=1, max_value=365
    )
    retention_months = forms.IntegerField(
        label=gettext_lazy("Durée de conservation après clôture (mois)"),
        min_value=1,
        max_value=1200,
    )
    statuses = forms.CharField(
        label=gettext_lazy("Statuts de l'instruction (JSON)"),
        help_text=gettext_lazy(
            'Liste de {"code", "label", "kind"} ; le premier est de type « received ». '
            "Laissez [] pour les statuts par défaut."
        ),
        widget=forms.Textarea(attrs={"rows": 6, "class": "code"}),
        required=False,
    )
    schema = forms.CharField(
        label=gettext_lazy("Formulaire (JSON)"),
        help_text=gettext_lazy("Le format est décrit dans clocher/demarches/formschema."),
        widget=forms.Textarea(attrs={"rows": 30, "class": "code", "spellcheck": "false"}),
    )
    changelog = forms.CharField(
        label=gettext_lazy("Ce qui change (montré aux communes)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def clean_schema(self) -> dict[str, Any]:
        raw = _json(self.cleaned_data["schema"], _("Le formulaire"))
        try:
            parse_schema(raw)
        except SchemaError as error:
            raise ValidationError(error.errors) from error
        return raw  # type: ignore[no-any-return]

    def clean_statuses(self) -> list[dict[str, str]]:
        text = (self.cleaned_data.get("statuses") or "").strip() or "[]"
        raw = _json(text, _("La liste des statuts"))
        if not isinstance(raw, list):
            raise ValidationError(_("Les statuts doivent être une liste."))
        problems = []
        for position, item in enumerate(raw, start=1):
            if (
                not isinstance(item, dict)
                or not str(item.get("code") or "").strip()
                or not str(item.get("label") or "").strip()
                or item.get("kind") not in StatusKind.values
            ):
                problems.append(
                    _("Statut n° %(position)d : il faut un code, un libellé et un type connu.")
                    % {"position": position}
                )
        if raw and not problems and raw[0].get("kind") != StatusKind.RECEIVED:
            problems.append(_("Le premier statut doit être de type « received »."))
        if problems:
            raise ValidationError(problems)
        return raw

    def content(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"].strip(),
            "description": data["description"].strip(),
            "legal_basis": data["legal_basis"].strip(),
            "acknowledgment_text": data["acknowledgment_text"].strip(),
            "silence_rule": data["silence_rule"],
            "silence_delay_months": data["silence_delay_months"],
            "processing_days": data["processing_days"],
            "retention_months": data["retention_months"],
            "statuses": data["statuses"],
            "schema": data["schema"],
        }


def version_initial(version: Any) -> dict[str, Any]:
    """The form's initial values from a template version (JSON pretty-printed)."""
    if version is None:
        return {"schema": json.dumps({"fields": []}, indent=2), "statuses": "[]"}
    return {
        "title": version.title,
        "description": version.description,
        "legal_basis": version.legal_basis,
        "acknowledgment_text": version.acknowledgment_text,
        "silence_rule": version.silence_rule,
        "silence_delay_months": version.silence_delay_months,
        "processing_days": version.processing_days,
        "retention_months": version.retention_months,
        "statuses": json.dumps(version.statuses or [], indent=2, ensure_ascii=False),
        "schema": json.dumps(version.schema, indent=2, ensure_ascii=False),
    }
