"""Checking uploads by their content, and shrinking images instead of refusing them.

``accept_upload`` reads the first bytes to find the real type (never trusting the name or the
browser's content type), refuses what is not in the allowed kinds with a message saying what was
expected, and downscales images that are too large in bytes or pixels so that a phone photo is
never refused for its size. Other files over the limit are refused with the limit stated.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from clocher.core.vault.files import FileRejected

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
DOCUMENT_TYPES = {"application/pdf"}
KIND_LABELS = {"image": "JPEG, PNG, WebP", "pdf": "PDF"}
MAX_IMAGE_SIDE = 2560


@dataclass(frozen=True)
class AcceptedUpload:
    data: bytes
    name: str
    content_type: str
    was_downscaled: bool


def _limit() -> int:
    return int(settings.UPLOAD_MAX_BYTES)


def accept_upload(
    upload: UploadedFile, *, kinds: tuple[str, ...] = ("image", "pdf")
) -> AcceptedUpload:
    limit = _limit()
    # Read at most a little over twice the limit: an image that big can still be downscaled.
    data = upload.read(limit * 3 + 1)
    if not data:
        raise FileRejected(_("Le fichier est vide."))
    detected = filetype.guess_mime(data[:8192])
    allowed = ", ".join(KIND_LABELS[kind] for kind in kinds)
    name = (upload.name or "fichier").rsplit("/", 1)[-1][:200]
    if "image" in kinds and detected in IMAGE_TYPES:
        return _accept_image(data, name, detected)
    if "pdf" in kinds and detected in DOCUMENT_TYPES:
        if len(data) > limit:
            raise FileRejected(
                _("Ce document fait %(size)s ; la taille maximale est %(limit)s.")
                % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
            )
        return AcceptedUpload(data=data, name=name, content_type=detected, was_downscaled=False)
    raise FileRejected(
        _("Ce fichier n'est pas d'un type accepté (formats acceptés : %(allowed)s).")
        % {"allowed": allowed}
    )


def _accept_image(data: bytes, name: str, content_type: str) -> AcceptedUpload:
    try:
        image: Image.Image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise FileRejected(_("Cette image est illisible ou abîmée.")) from error
    limit = _limit()
    if len(data) <= limit and max(image.size) <= MAX_IMAGE_SIDE:
        return AcceptedUpload(data=data, name=name, content_type=content_type, was_downscaled=False)
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    quality = 85
    while True:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=quality, optimize=True)
        if buffer.tell() <= limit or quality <= 40:
            break
        quality -= 15
        image.thumbnail((image.width * 3 // 4, image.height * 3 // 4))
    stem = name.rsplit(".", 1)[0]
    return AcceptedUpload(
        data=buffer.getvalue(), name=f"{stem}.jpg", content_type="image/jpeg", was_downscaled=True
    )
