"""Forms of the IoT alerts pages: list filters, comment and close, rules, on-duty list, quiet
hours. Every error is a French message tied to its field; nothing typed is lost."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from clocher.iot.models import AlertRecipient, AlertRule, Device, DeviceProfile
from clocher.iot.models.alerts import AlertStatus, RuleKind, RuleScope, Severity
from clocher.iot.quantities import quantity_label
from clocher.iot.services.alerting import COMMENT_MAX_LENGTH
from clocher.iot.services.notifications import normalise_phone
from clocher.tenancy.models import Commune

THRESHOLD_KINDS = (RuleKind.THRESHOLD_ABOVE, RuleKind.THRESHOLD_BELOW)
MAX_DURATION_MINUTES = 7 * 24 * 60


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[
            ("", _("Non closes")),
            (AlertStatus.OPEN.value, _("Ouvertes")),
            (AlertStatus.ACKNOWLEDGED.value, _("Prises en compte")),
            (AlertStatus.CLOSED.value, _("Closes")),
            ("all", _("Toutes")),
        ],
    )
    severity = forms.ChoiceField(
        label=_("Gravité"),
        required=False,
        choices=[("", _("Toutes les gravités")), *Severity.choices],
    )
    device = forms.ModelChoiceField(
        label=_("Objet"), queryset=Device.objects.none(), required=False
    )

    def __init__(self, *args: Any, commune: Commune, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        device_field = self.fields["device"]
        assert isinstance(device_field, forms.ModelChoiceField)
        device_field.queryset = Device.objects.for_commune(commune).order_by("name", "pk")
        device_field.empty_label = _("Tous les objets")


class AlertCommentForm(forms.Form):
    prefix = "comment"  # the alert page holds two forms: distinct field ids
    text = forms.CharField(
        label=_("Commentaire"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Écrivez le commentaire.")},
    )


class AlertCloseForm(forms.Form):
    prefix = "close"
    text = forms.CharField(
        label=_("Commentaire de clôture (facultatif)"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _code_and_label(quantity: str) -> str:
    """« co2 (CO₂) »: the rule takes the code, people recognise the label."""
    label = quantity_label(quantity)
    return quantity if label == quantity else f"{quantity} ({label})"


class AlertRuleForm(forms.ModelForm):
    site = forms.ChoiceField(label=_("Site"), required=False)

    class Meta:
        model = AlertRule
        fields = [
            "label",
            "kind",
            "severity",
            "scope",
            "device",
            "profile",
            "site",
            "quantity",
            "threshold",
            "hysteresis",
            "minimum_duration_minutes",
            "max_change_per_hour",
            "direction",
            "silent_factor",
            "battery_percent",
            "escalate_after_minutes",
        ]
        help_texts = {
            "label": _("Ce que verront les personnes prévenues, par exemple « Aérer maintenant »."),
            "scope": _("Les objets que la règle surveille."),
            "hysteresis": _(
                "Seuil : l'alerte se ferme quand la valeur revient au-delà du seuil moins "
                "(ou plus) cet écart, pour éviter les alertes en rafale. Variation : même "
                "principe sur la variation par heure. Batterie : points de pourcentage."
            ),
            "minimum_duration_minutes": _(
                "Seuil et variation : l'alerte ne s'ouvre que si la condition dure au moins "
                "ce temps. 0 : dès la première mesure."
            ),
            "max_change_per_hour": _(
                "Variation rapide : dans l'unité de la grandeur, par heure (0,2 pour 20 cm/h "
                "sur un niveau en mètres)."
            ),
            "silent_factor": _(
                "Objet silencieux : alerte quand l'objet n'a rien émis depuis ce nombre de fois "
                "son intervalle d'émission attendu (3 par défaut)."
            ),
            "battery_percent": _("Batterie faible : alerte sous ce pourcentage (20 par défaut)."),
            "escalate_after_minutes": _(
                "Alerte critique seulement : si personne ne l'a prise en compte après ce délai, "
                "les élus de la commune sont prévenus. Vide : jamais."
            ),
        }

    def __init__(
        self,
        *args: Any,
        commune: Commune,
        sites: list[str],
        quantities: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        device_field = self.fields["device"]
        assert isinstance(device_field, forms.ModelChoiceField)
        device_field.queryset = Device.objects.for_commune(commune).order_by("name", "pk")
        device_field.required = False
        profile_field = self.fields["profile"]
        assert isinstance(profile_field, forms.ModelChoiceField)
        profile_field.queryset = DeviceProfile.objects.filter(
            operator_id=commune.operator_id
        ).order_by("model", "slug")
        profile_field.required = False
        known_sites = list(sites)
        if self.instance.site and self.instance.site not in known_sites:
            known_sites.append(self.instance.site)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ChoiceField)
        site_field.choices = [("", "—"), *((site, site) for site in known_sites)]
        if quantities:
            self.fields["quantity"].help_text = _(
                "Seuil et variation : le nom de la mesure. Mesures de vos objets : %(names)s."
            ) % {"names": ", ".join(_code_and_label(quantity) for quantity in quantities)}
        else:
            self.fields["quantity"].help_text = _(
                "Seuil et variation : le nom de la mesure, par exemple co2, temperature, level."
            )
        for name in ("threshold", "hysteresis", "max_change_per_hour", "silent_factor"):
            self.fields[name].widget.attrs["step"] = "any"

    def _require(self, name: str, message: Any) -> None:
        value = self.cleaned_data.get(name)
        if value in (None, "") and name not in self.errors:
            self.add_error(name, message)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        scope = cleaned.get("scope")
        if scope == RuleScope.DEVICE:
            self._require("device", _("Choisissez l'objet surveillé."))
        if scope == RuleScope.PROFILE:
            self._require("profile", _("Choisissez le profil d'objet surveillé."))
        if scope == RuleScope.SITE:
            self._require("site", _("Choisissez le site surveillé."))
        # Only the choice that goes with the scope is kept.
        if scope != RuleScope.DEVICE:
            cleaned["device"] = None
        if scope != RuleScope.PROFILE:
            cleaned["profile"] = None
        if scope != RuleScope.SITE:
            cleaned["site"] = ""
        if kind in (*THRESHOLD_KINDS, RuleKind.RATE_OF_CHANGE):
            self._require("quantity", _("Indiquez la mesure surveillée, par exemple co2 ou level."))
        else:
            cleaned["quantity"] = ""
        if kind in THRESHOLD_KINDS:
            self._require("threshold", _("Indiquez le seuil."))
        if kind == RuleKind.RATE_OF_CHANGE:
            self._require("max_change_per_hour", _("Indiquez la variation maximale par heure."))
            change = cleaned.get("max_change_per_hour")
            if change is not None and change <= 0:
                self.add_error(
                    "max_change_per_hour", _("La variation maximale doit être positive.")
                )
            self._require("direction", _("Choisissez le sens de la variation surveillée."))
        else:
            cleaned["direction"] = ""
        hysteresis = cleaned.get("hysteresis")
        if hysteresis is not None and hysteresis < 0:
            self.add_error("hysteresis", _("L'hystérésis ne peut pas être négative."))
        duration = cleaned.get("minimum_duration_minutes")
        if duration is not None and duration > MAX_DURATION_MINUTES:
            self.add_error(
                "minimum_duration_minutes", _("La durée minimale ne peut dépasser une semaine.")
            )
        factor = cleaned.get("silent_factor")
        if kind == RuleKind.SILENT and factor is not None and not 1 <= factor <= 100:
            self.add_error("silent_factor", _("Le facteur doit être compris entre 1 et 100."))
        battery = cleaned.get("battery_percent")
        if kind == RuleKind.LOW_BATTERY and battery is not None and not 1 <= battery <= 99:
            self.add_error("battery_percent", _("Le seuil doit être compris entre 1 et 99 %."))
        if cleaned.get("escalate_after_minutes") and cleaned.get("severity") != Severity.CRITICAL:
            self.add_error(
                "escalate_after_minutes",
                _(
                    "Seules les alertes critiques sont signalées aux élus : choisissez la gravité "
                    "« Critique » ou laissez ce champ vide."
                ),
            )
        return cleaned


class AlertRecipientForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Membre de la commune"),
        queryset=AlertRecipient.objects.none(),
        error_messages={"required": _("Choisissez la personne d'astreinte.")},
    )
    by_email = forms.BooleanField(label=_("Prévenir par courriel"), required=False, initial=True)
    by_sms = forms.BooleanField(label=_("Prévenir par SMS"), required=False)
    phone = forms.CharField(
        label=_("Téléphone mobile"),
        max_length=30,
        required=False,
        help_text=_("Pour les SMS, par exemple 06 12 34 56 78."),
    )
    minimum_severity = forms.ChoiceField(
        label=_("Gravité minimale"),
        choices=Severity.choices,
        initial=Severity.WARNING,
        help_text=_("La personne n'est prévenue que des alertes de cette gravité ou plus."),
    )

    def __init__(
        self,
        *args: Any,
        members: Any,
        recipient: AlertRecipient | None = None,
        on_duty_user_ids: set[int] | None = None,
        **kwargs: Any,
    ) -> None:
        if recipient is not None:
            kwargs.setdefault(
                "initial",
                {
                    "user": recipient.user_id,
                    "by_email": recipient.by_email,
                    "by_sms": recipient.by_sms,
                    "phone": recipient.phone,
                    "minimum_severity": recipient.minimum_severity,
                },
            )
        super().__init__(*args, **kwargs)
        self.recipient = recipient
        self.on_duty_user_ids = on_duty_user_ids or set()
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = members
        if recipient is not None:
            user_field.disabled = True

    def clean_user(self) -> Any:
        user = self.cleaned_data["user"]
        if self.recipient is None and user is not None and user.pk in self.on_duty_user_ids:
            raise ValidationError(
                _("Cette personne est déjà d'astreinte : modifiez-la dans la liste.")
            )
        return user

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if not phone:
            return ""
        try:
            return normalise_phone(phone)
        except ValidationError as error:
            raise ValidationError(error.message_dict["phone"]) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("by_email") and not cleaned.get("by_sms"):
            self.add_error(
                "by_email", _("Choisissez au moins un moyen de prévenir cette personne.")
            )
        if cleaned.get("by_sms") and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Indiquez un numéro de mobile pour les SMS."))
        return cleaned


class AlertSettingsForm(forms.Form):
    quiet_hours_start = forms.TimeField(
        label=_("Début des heures de silence"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Heure de Paris, par exemple 22:00. Vide : pas d'heures de silence."),
        error_messages={"invalid": _("Écrivez une heure, par exemple 22:00.")},
    )
    quiet_hours_end = forms.TimeField(
        label=_("Fin des heures de silence"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Par exemple 07:00."),
        error_messages={"invalid": _("Écrivez une heure, par exemple 07:00.")},
    )
    cool_down_minutes = forms.IntegerField(
        label=_("Délai de carence (minutes)"),
        min_value=0,
        max_value=1440,
        help_text=_(
            "Une alerte fermée automatiquement dont la condition revient dans ce délai est "
            "rouverte sans nouvelle notification."
        ),
        error_messages={"required": _("Indiquez le délai, 0 pour aucun.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("quiet_hours_start"), cleaned.get("quiet_hours_end")
        if "quiet_hours_start" in self.errors or "quiet_hours_end" in self.errors:
            return cleaned
        if start is None and end is not None:
            self.add_error("quiet_hours_start", _("Indiquez aussi le début des heures de silence."))
        if end is None and start is not None:
            self.add_error("quiet_hours_end", _("Indiquez aussi la fin des heures de silence."))
        if start is not None and start == end:
            self.add_error("quiet_hours_end", _("La fin doit être différente du début."))
        return cleaned
