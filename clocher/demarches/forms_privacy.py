"""Forms of part E's back-office pages: exports, statistics, legal hold and mandates.

Forms only parse; the services decide. Families offered are the agent's own; procedures come
from the commune's own queryset, passed in by the view.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clocher.core.forms import Form
from clocher.demarches.models import ExportFormat, Family, Procedure, StatusKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_ERROR = {"invalid": _("Date attendue au format JJ/MM/AAAA.")}


def date_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_INPUT,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        error_messages=DATE_ERROR,
    )


class ExportForm(Form):
    family = forms.ChoiceField(label=_("Famille de démarches"))
    procedure = forms.ModelChoiceField(
        label=_("Démarche"),
        queryset=Procedure.objects.none(),
        required=False,
        empty_label=_("Toutes les démarches de la famille"),
    )
    date_from = date_field(_("Reçues à partir du"), help_text=_("Facultatif. JJ/MM/AAAA."))
    date_to = date_field(_("Reçues jusqu'au"), help_text=_("Facultatif. JJ/MM/AAAA."))
    status_kind = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[("", _("Tous les états")), *StatusKind.choices],
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportFormat.choices,
        initial=ExportFormat.CSV,
        widget=forms.RadioSelect,
        help_text=_("CSV et ODS s'ouvrent dans un tableur ; JSON sert à un autre logiciel."),
    )

    def __init__(
        self, *args: Any, families: set[str], procedures: QuerySet[Procedure], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["family"]).choices = [
            (value, label) for value, label in Family.choices if value in families
        ]
        cast(forms.ModelChoiceField, self.fields["procedure"]).queryset = procedures.filter(
            family__in=families
        ).order_by("title")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        procedure = cleaned.get("procedure")
        if procedure is not None and procedure.family != cleaned.get("family"):
            self.add_error("procedure", _("Cette démarche n'appartient pas à la famille choisie."))
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("La date de fin doit être postérieure à la date de début."))
        return cleaned


class StatisticsForm(Form):
    date_from = date_field(_("Du"), help_text=_("JJ/MM/AAAA. Date de réception des demandes."))
    date_to = date_field(_("Au"), help_text=_("JJ/MM/AAAA."))
    procedure = forms.ModelChoiceField(
        label=_("Démarche détaillée par mois"),
        queryset=Procedure.objects.none(),
        required=False,
        empty_label=_("Toutes les démarches"),
    )

    def __init__(self, *args: Any, procedures: QuerySet[Procedure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["procedure"]).queryset = procedures.order_by(
            "title"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("La date de fin doit être postérieure à la date de début."))
        if start and end and (end - start) > datetime.timedelta(days=366 * 5):
            self.add_error("date_to", _("Choisissez une période de cinq ans au plus."))
        return cleaned


class LegalHoldForm(Form):
    hold = forms.TypedChoiceField(
        label=_("Conservation légale"),
        choices=[("1", _("Placer sous conservation légale")), ("0", _("Lever"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Motif"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Par exemple : recours contentieux en cours, archivage définitif demandé."),
    )


class MandateForm(Form):
    citizen_name = forms.CharField(label=_("Nom et prénom de la personne"), max_length=200)
    citizen_contact = forms.CharField(
        label=_("Comment la joindre"),
        max_length=200,
        help_text=_("Téléphone, adresse postale ou e-mail : ce qu'elle préfère."),
    )
    families = forms.MultipleChoiceField(
        label=_("Démarches couvertes"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Seulement les familles qui vous sont attribuées."),
        error_messages={"required": _("Cochez au moins une famille de démarches.")},
    )
    valid_from = date_field(_("Valable à partir du"), required=True, help_text=_("JJ/MM/AAAA."))
    valid_until = date_field(
        _("Valable jusqu'au"), required=True, help_text=_("JJ/MM/AAAA. Un an au plus.")
    )
    consent_reference = forms.CharField(
        label=_("Où est classé le formulaire signé"),
        max_length=200,
        help_text=_("Par exemple : classeur « Mandats » de l'accueil, signé le 3 mars."),
    )
    consent_scan = forms.FileField(
        label=_("Formulaire signé, numérisé"),
        required=False,
        help_text=_(
            "Facultatif. PDF ou photo (JPEG, PNG, WebP) ; une photo trop lourde est réduite."
        ),
    )

    def __init__(self, *args: Any, families: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["families"]).choices = [
            (value, label) for value, label in Family.choices if value in families
        ]

    def clean_consent_scan(self) -> Any:
        from clocher.core.uploads import accept_upload
        from clocher.core.vault import FileRejected

        upload = self.cleaned_data.get("consent_scan")
        if not upload:
            return None
        try:
            return accept_upload(upload, kinds=("image", "pdf"))
        except FileRejected as rejected:
            raise forms.ValidationError(str(rejected)) from rejected


class MandateFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Afficher"),
        required=False,
        choices=[
            ("", _("Tous les mandats")),
            ("valid", _("En cours de validité")),
            ("upcoming", _("À venir")),
            ("expired", _("Expirés")),
            ("revoked", _("Révoqués")),
        ],
    )
