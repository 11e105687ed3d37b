"""Forms of the commune back-office."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from clocher.core.forms import AccessibleFormMixin, Form
from clocher.core.uploads import MAX_IMAGE_SIDE, AcceptedUpload, accept_upload
from clocher.core.vault import FileRejected
from clocher.tenancy.models import Commune, Membership, Role

phone_validator = RegexValidator(
    r"^\+?[0-9 .()-]{6,30}$",
    _("Saisissez un numéro de téléphone, par exemple 03 80 00 00 00."),
)


ROLE_DESCRIPTIONS = {
    Role.COMMUNE_ADMIN: _(
        "gère les membres, les paramètres de la commune et lit le journal des accès."
    ),
    Role.AGENT: _("traite les demandes des habitants, le courrier et les réservations."),
    Role.ELECTED: _("signe les documents et suit les tableaux de bord."),
    Role.TECHNICIAN: _("suit les objets connectés et les interventions techniques."),
}


class MemberAddForm(Form):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        help_text=_(
            "Si cette personne n’a pas encore de compte, il est créé et elle reçoit un e-mail "
            "pour choisir son mot de passe."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=_("Rôle"), choices=[("", _("Choisissez un rôle")), *Role.choices]
    )
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        required=False,
        help_text=_("Pour un nouveau compte seulement."),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        required=False,
        help_text=_("Pour un nouveau compte seulement."),
    )

    def __init__(self, *args: Any, commune: Commune, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commune = commune
        self.existing_user: Any = None

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email, role = cleaned.get("email"), cleaned.get("role")
        if not email:
            return cleaned
        self.existing_user = get_user_model().objects.filter(email__iexact=email).first()
        if self.existing_user is not None and role:
            already = (
                Membership.objects.for_commune(self.commune)
                .filter(user=self.existing_user, role=role)
                .exists()
            )
            if already:
                self.add_error(
                    "role",
                    _("%(person)s a déjà le rôle « %(role)s » dans la commune.")
                    % {"person": self.existing_user, "role": Role(role).label},
                )
        return cleaned


class CommuneSettingsForm(Form):
    address = forms.CharField(
        label=_("Adresse de la mairie"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
        help_text=_("Avec le code postal : les habitants trouvent la commune par ce code."),
    )
    phone = forms.CharField(
        label=_("Téléphone de la mairie"),
        required=False,
        max_length=30,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail de la mairie"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    opening_hours = forms.CharField(
        label=_("Horaires d’ouverture"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Une ligne par jour ou par créneau, par exemple « Mardi 14 h – 18 h »."),
    )
    population = forms.IntegerField(
        label=_("Population"),
        required=False,
        min_value=0,
        max_value=10_000_000,
        help_text=_("Population municipale (nombre d’habitants)."),
    )

    @classmethod
    def initial_from(cls, commune: Commune) -> dict[str, Any]:
        return {name: getattr(commune, name) for name in cls.base_fields}


def logo_help_text() -> str:
    return str(
        _(
            "Formats acceptés : JPEG, PNG ou WebP. Taille maximale : %(limit)s ; une image plus "
            "lourde, ou de plus de %(side)s pixels de côté, est réduite automatiquement."
        )
        % {"limit": filesizeformat(settings.UPLOAD_MAX_BYTES), "side": MAX_IMAGE_SIDE}
    )


class LogoForm(Form):
    logo = forms.FileField(
        label=_("Nouveau logo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={
            "required": _("Choisissez une image."),
            "empty": _("Le fichier est vide."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["logo"].help_text = logo_help_text()
        self.accepted: AcceptedUpload | None = None

    def clean_logo(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["logo"]
        limit = int(settings.UPLOAD_MAX_BYTES)
        # accept_upload reads up to three times the limit, enough to downscale a heavy photo.
        if upload.size is not None and upload.size > limit * 3:
            raise forms.ValidationError(
                _(
                    "Cette image fait %(size)s : elle est trop lourde même pour être réduite. "
                    "Envoyez une image de moins de %(max)s."
                )
                % {"size": filesizeformat(upload.size), "max": filesizeformat(limit * 3)}
            )
        try:
            self.accepted = accept_upload(upload, kinds=("image",))
        except FileRejected as error:
            raise forms.ValidationError(str(error)) from error
        return upload


class StaffActivationForm(AccessibleFormMixin, SetPasswordForm):  # type: ignore[misc]
    """Choosing the password of a new staff account (labels and rules from Django)."""
