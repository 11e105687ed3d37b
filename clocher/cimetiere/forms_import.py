"""The upload form of the cemetery import: a CSV checked by its content and its size."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clocher.cimetiere.services.imports import MAX_IMPORT_BYTES, ImportFileRejected, parse_file
from clocher.core.forms import Form


def import_limit_text() -> str:
    return str(
        _(
            "Fichier CSV (séparateur point-virgule, virgule ou tabulation ; UTF-8 ou Windows). "
            "Taille maximale : %(limit)s, soit plusieurs dizaines de milliers de lignes."
        )
        % {"limit": filesizeformat(MAX_IMPORT_BYTES)}
    )


class ImportUploadForm(Form):
    file = forms.FileField(
        label=_("Fichier du registre (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
        error_messages={
            "required": _("Choisissez le fichier à importer."),
            "empty": _("Le fichier est vide."),
        },
    )
    cemetery = forms.CharField(
        label=_("Nom du cimetière"),
        required=False,
        max_length=200,
        help_text=_(
            "Seulement si le fichier n'a pas de colonne « cimetière » : toutes ses lignes y "
            "seront rangées."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = import_limit_text()
        self.data_bytes = b""

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("Ce fichier fait %(size)s ; la taille maximale est %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_IMPORT_BYTES)}
            )
        data = upload.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("Ce fichier dépasse la taille maximale de %(limit)s.")
                % {"limit": filesizeformat(MAX_IMPORT_BYTES)}
            )
        try:
            # Checked by its content: text, with a header naming at least the plot column.
            parse_file(data[:65536].rsplit(b"\n", 1)[0] + b"\n", today=timezone.localdate())
        except ImportFileRejected as error:
            raise forms.ValidationError(str(error)) from error
        self.data_bytes = data
        return upload
