"""The counter entry's own fields: how the request arrived, when, the citizen's e-mail and the
mandate the agent acts under. The procedure's questions come from its schema
(``formschema.rendering``)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.core.forms import Form
from clocher.demarches.models import Channel, Mandate, Procedure

COUNTER_CHANNELS = [
    (Channel.COUNTER.value, Channel.COUNTER.label),
    (Channel.PHONE.value, Channel.PHONE.label),
    (Channel.LETTER.value, Channel.LETTER.label),
    (Channel.EMAIL.value, Channel.EMAIL.label),
]


def valid_mandates(procedure: Procedure) -> list[Mandate]:
    """The commune's mandates valid today that cover the procedure's family."""
    today = timezone.localdate()
    candidates = Mandate.objects.for_commune(procedure.commune).filter(
        revoked_at__isnull=True, valid_from__lte=today, valid_until__gte=today
    )
    return [mandate for mandate in candidates if procedure.family in (mandate.families or [])]


class CounterEntryForm(Form):
    channel = forms.ChoiceField(
        label=_("Reçue"), choices=COUNTER_CHANNELS, initial=Channel.COUNTER.value
    )
    received_on = forms.DateField(
        label=_("Date de réception"),
        required=False,
        help_text=_("Pour un courrier : le jour où il est arrivé en mairie. Vide : aujourd'hui."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail de l'usager"),
        required=False,
        max_length=254,
        help_text=_(
            "Facultatif. Si l'usager en donne une, l'accusé de réception et le lien de suivi lui "
            "sont envoyés ; sinon, imprimez-lui l'accusé de réception."
        ),
    )
    mandate = forms.ChoiceField(
        label=_("Agir sous mandat"),
        required=False,
        help_text=_(
            "Seulement si l'usager a signé un mandat couvrant cette démarche : il sera cité au "
            "dossier. Vous agissez toujours avec votre propre compte."
        ),
    )

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mandates = {str(mandate.pk): mandate for mandate in valid_mandates(procedure)}
        choices: list[tuple[str, str]] = [("", str(_("— Sans mandat —")))]
        for key, mandate in self.mandates.items():
            choices.append(
                (
                    key,
                    str(_("%(name)s (jusqu'au %(date)s)"))
                    % {
                        "name": mandate.citizen_name,
                        "date": mandate.valid_until.strftime("%d/%m/%Y"),
                    },
                )
            )
        mandate_field = self.fields["mandate"]
        assert isinstance(mandate_field, forms.ChoiceField)
        mandate_field.choices = choices

    def clean_received_on(self) -> datetime.date | None:
        received_on: datetime.date | None = self.cleaned_data.get("received_on")
        if received_on is not None and received_on > timezone.localdate():
            raise forms.ValidationError(_("La date de réception ne peut pas être dans le futur."))
        if received_on is not None and received_on < timezone.localdate() - datetime.timedelta(
            days=366
        ):
            raise forms.ValidationError(_("La date de réception remonte à plus d'un an."))
        return received_on

    def clean_mandate(self) -> Mandate | None:
        key = self.cleaned_data.get("mandate") or ""
        return self.mandates.get(key)

    @property
    def received_at(self) -> datetime.datetime | None:
        """Noon (Paris) of the stated day, or None for now."""
        received_on = self.cleaned_data.get("received_on")
        if received_on is None or received_on == timezone.localdate():
            return None
        return timezone.make_aware(datetime.datetime.combine(received_on, datetime.time(12)))
