"""Keeping a commune's logo light: it is shown on every public page of the commune."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps

from clocher.core.uploads import AcceptedUpload

LOGO_MAX_SIDE = 512
_FORMATS = {"image/png": "PNG", "image/webp": "WEBP", "image/jpeg": "JPEG"}


@dataclass(frozen=True)
class Logo:
    data: bytes
    name: str
    content_type: str
    was_downscaled: bool


def fit_logo(accepted: AcceptedUpload) -> Logo:
    """The accepted image, reduced to at most ``LOGO_MAX_SIDE`` pixels on its longest side, in
    its own format (a transparent PNG stays transparent)."""
    image: Image.Image = Image.open(io.BytesIO(accepted.data))
    if max(image.size) <= LOGO_MAX_SIDE:
        return Logo(accepted.data, accepted.name, accepted.content_type, accepted.was_downscaled)
    image = ImageOps.exif_transpose(image)
    image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
    image_format = _FORMATS.get(accepted.content_type, "PNG")
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, optimize=True)
    return Logo(buffer.getvalue(), accepted.name, accepted.content_type, True)
