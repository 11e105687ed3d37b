"""Forms of the citizen's pages: sending the request, writing to the town hall, answering a
correction request. The procedure's own questions are rendered from its schema
(``formschema.rendering``), not here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clocher.core.forms import Form
from clocher.core.uploads import AcceptedUpload, accept_upload
from clocher.core.vault.files import FileRejected
from clocher.demarches.services.citizen import MAX_MESSAGE_LENGTH


class SubmitForm(Form):
    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        max_length=254,
        help_text=_(
            "L'accusé de réception et le lien secret de suivi de votre demande y seront envoyés, "
            "ainsi que les messages de la mairie sur cette demande. Elle ne sert à rien d'autre."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        label=_(
            "J'atteste que ces informations sont exactes et j'accepte qu'elles soient traitées "
            "par la mairie pour répondre à cette demande."
        ),
        error_messages={"required": _("Cochez cette case pour envoyer votre demande.")},
    )


def attachment_help() -> str:
    """Said before upload: formats, size limit, and that photos are reduced, not refused."""
    return gettext(
        "Formats acceptés : JPEG, PNG, WebP, PDF. Taille maximale : %(limit)s. Une photo plus "
        "lourde n'est pas refusée : elle est réduite automatiquement."
    ) % {"limit": filesizeformat(int(settings.UPLOAD_MAX_BYTES))}


class _AttachmentForm(Form):
    attachment = forms.FileField(
        label=_("Pièce jointe (facultatif)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = attachment_help()

    def clean_attachment(self) -> AcceptedUpload | None:
        upload: UploadedFile | None = self.cleaned_data.get("attachment")
        if not upload:
            return None
        try:
            return accept_upload(upload)
        except FileRejected as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        is_empty = not (cleaned.get("body") or "").strip() and not cleaned.get("attachment")
        if is_empty and "body" not in self.errors and "attachment" not in self.errors:
            self.add_error("body", _("Écrivez votre message ou joignez un document."))
        return cleaned

    @property
    def uploads(self) -> list[AcceptedUpload]:
        attachment = self.cleaned_data.get("attachment")
        return [attachment] if attachment else []


class MessageForm(_AttachmentForm):
    body = forms.CharField(
        label=_("Votre message à la mairie"),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    field_order = ["body", "attachment"]


class CorrectionForm(_AttachmentForm):
    body = forms.CharField(
        label=_("Votre réponse"),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Répondez à la demande de la mairie et joignez les pièces demandées."),
    )
    field_order = ["body", "attachment"]
