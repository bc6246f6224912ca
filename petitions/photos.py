"""Checking and cleaning uploaded photos."""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 2000
#: More pixels than any phone takes: a bigger image is a decompression bomb.
MAX_PIXELS = 50_000_000


def clean_photo(upload) -> ContentFile:
    """Return ``upload`` re-encoded as JPEG without any metadata (GPS included).

    Refuse files that are too large or are not images. The file name is chosen
    by the storage path, never taken from the upload.
    """
    if upload.size > settings.PETITION_MAX_PHOTO_BYTES:
        raise ValidationError(
            _("A photo may be at most %(mb)s MB.")
            % {"mb": settings.PETITION_MAX_PHOTO_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    try:
        upload.seek(0)
        image = Image.open(upload)
        image.verify()
        upload.seek(0)
        image = Image.open(upload)
        if image.size[0] * image.size[1] > MAX_PIXELS:
            raise ValueError("too many pixels")
        image.load()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise ValidationError(
            _("This file is not a photo we can read (JPEG, PNG, WebP)."),
            code="not_an_image",
        ) from exc
    # Apply the camera's rotation, then drop EXIF (and with it the GPS position).
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # Pillow carries comments and other text chunks along unless told not to.
    image.info = {}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name="photo.jpg")
