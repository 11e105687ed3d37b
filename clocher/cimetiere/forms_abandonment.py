"""Forms of the abandonment procedure: opening it, recording the next step (fields depend on the
step), and closing it when the family restored the grave.

The forms only parse what was typed; the legal rules (order, delays, content of a report) are
checked by the action objects of ``services.abandonment``, whose refusals the view ties to the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clocher.cimetiere.models import AbandonmentStep
from clocher.core.forms import Form

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REPORTS = (AbandonmentStep.FIRST_REPORT, AbandonmentStep.SECOND_REPORT)
LETTERS = (
    AbandonmentStep.NOTICE,
    AbandonmentStep.FIRST_NOTIFICATION,
    AbandonmentStep.SECOND_NOTIFICATION,
)
DECISIONS = (AbandonmentStep.COUNCIL_DELIBERATION, AbandonmentStep.MAYOR_ORDER)
MAX_PHOTOS = 12


class OpenProcedureForm(Form):
    visit_planned_on = forms.DateField(
        label=_("Date prévue du constat sur place"),
        help_text=_(
            "Au moins un mois après l'envoi des avis aux descendants (article R2223-13 du CGCT)."
        ),
        widget=DATE_WIDGET,
    )


class ConcessionSearchForm(Form):
    number = forms.CharField(label=_("Numéro de la concession"), max_length=50)


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultiplePhotoInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        files = [file for file in files if file]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("Joignez au plus %(count)d photos à la fois."), params={"count": MAX_PHOTOS}
            )
        return [super(MultiplePhotoField, self).clean(file, initial) for file in files]


class StepForm(Form):
    """The next step of a procedure; only the fields that step states are shown."""

    done_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    officials_present = forms.CharField(
        label=_("Personnes présentes"),
        help_text=_(
            "Le maire ou son délégué et un fonctionnaire de police, un garde champêtre ou un "
            "policier municipal (article R2223-13)."
        ),
        max_length=300,
        required=False,
    )
    condition = forms.CharField(
        label=_("État de la sépulture constaté"),
        help_text=_("Emplacement exact et description précise de l'état (article R2223-14)."),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    photos = MultiplePhotoField(
        label=_("Photos"),
        help_text=_("JPEG, PNG ou WebP ; les grandes photos sont réduites automatiquement."),
        required=False,
        widget=MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    recipients = forms.CharField(
        label=_("Descendants ou successeurs avisés"),
        help_text=_(
            "Noms et adresses, un par ligne (lettre recommandée avec accusé de réception)."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    was_posted = forms.BooleanField(
        label=_("Affiché à la mairie et à la porte du cimetière"), required=False
    )
    reference = forms.CharField(
        label=_("Référence de la délibération ou de l'arrêté"), max_length=100, required=False
    )
    notes = forms.CharField(
        label=_("Remarques"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, step: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        kept = {"done_on", "notes"}
        if step in REPORTS:
            kept |= {"officials_present", "condition", "photos"}
        if step in LETTERS:
            kept |= {"recipients", "was_posted"}
        if step in DECISIONS:
            kept |= {"reference"}
        for name in list(self.fields):
            if name not in kept:
                del self.fields[name]

    def step_fields(self) -> dict[str, Any]:
        """The step's facts as the service expects them (without the date and the photos)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("done_on", "photos")
        }


class RestoredForm(Form):
    closed_on = forms.DateField(label=_("Date du constat de remise en état"), widget=DATE_WIDGET)
    confirm = forms.BooleanField(
        label=_(
            "Je confirme que la famille a remis la sépulture en bon état d'entretien : la "
            "procédure s'arrête."
        ),
        required=True,
        error_messages={"required": _("Cochez la case pour confirmer l'arrêt de la procédure.")},
    )
