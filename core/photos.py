"""Checking and cleaning uploaded photos, cheaply.

A photo is judged by its header before a single pixel is decoded: the format
must be one phones produce (JPEG, PNG, WebP) and the size at most
``PHOTO_MAX_PIXELS`` (about 24 megapixels, what a phone takes). A JPEG is then
decoded already reduced (libjpeg's draft mode scales by 1/2, 1/4 or 1/8 while
decoding); other formats are decoded once and reduced by an integer factor
before anything else is made of them. One photo so costs well under 150 MB
(``bench/uploads.py`` prints the figures).
"""

import io
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_SIDE = 2000
Image.init()  # register every plugin, so that FORMATS can name them
#: The formats phones produce (Pillow opens MPO, a JPEG with a second
#: picture, through its JPEG plugin).
FORMATS = ("JPEG", "PNG", "WEBP")
# EXIF orientation → the transposition that puts the photo upright.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_UNREADABLE = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
)


def _not_an_image() -> ValidationError:
    return ValidationError(
        _("This file is not a photo we can read (JPEG, PNG, WebP)."),
        code="not_an_image",
    )


def _open(upload) -> Image.Image:
    """Open ``upload`` lazily: only its header is read."""
    upload.seek(0)
    return Image.open(upload, formats=FORMATS)


def photo_dimensions(upload) -> tuple[int, int]:
    """Return (width, height) from the file's header, decoding nothing."""
    try:
        return _open(upload).size
    except _UNREADABLE as exc:
        raise _not_an_image() from exc


def _decode_reduced(image: Image.Image) -> Image.Image:
    """Decode ``image`` at the smallest scale that still covers MAX_SIDE."""
    if image.format in ("JPEG", "MPO"):
        # Decode at 1/2, 1/4 or 1/8 scale directly: the full size never exists.
        # The scale chosen keeps both sides at least those of the final fit.
        ratio = min(1.0, MAX_SIDE / max(image.size))
        image.draft("RGB", tuple(math.ceil(side * ratio) for side in image.size))
        image.load()
        return image
    image.load()
    factor = max(image.size) // MAX_SIDE
    if factor < 2:
        return image
    if image.mode in ("RGBA", "LA"):
        # Pillow's reduce() first premultiplies the alpha into a full-size
        # copy; the alpha is dropped anyway, so reduce the bands as they are.
        box = (0, 0, *image.size)
        reduced = image._new(image.im.reduce((factor, factor), box))
    elif image.mode in ("RGB", "L"):
        reduced = image.reduce(factor)
    else:  # palette or 16-bit: averaging needs real colours
        reduced = image.convert("RGB").reduce(factor)
    image.close()
    return reduced


def clean_photo(upload) -> ContentFile:
    """Return ``upload`` re-encoded as JPEG without any metadata (GPS included).

    Refuse files that are too large in bytes or pixels, or are not photos. The
    file name is chosen by the storage path, never taken from the upload.
    """
    if upload.size > settings.PETITION_MAX_PHOTO_BYTES:
        raise ValidationError(
            _("A photo may be at most %(mb)s MB.")
            % {"mb": settings.PETITION_MAX_PHOTO_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    width, height = photo_dimensions(upload)
    if width * height > settings.PHOTO_MAX_PIXELS:
        raise ValidationError(
            _(
                "This photo has too many pixels (%(width)s × %(height)s); "
                "send one of at most %(mp)s megapixels."
            )
            % {
                "width": width,
                "height": height,
                "mp": settings.PHOTO_MAX_PIXELS // 1_000_000,
            },
            code="photo_too_many_pixels",
        )
    try:
        _open(upload).verify()  # checks the structure (PNG CRCs) without decoding
        image = _open(upload)
        orientation = image.getexif().get(0x0112)
        image = _decode_reduced(image)
    except _UNREADABLE as exc:
        raise _not_an_image() from exc
    # Put the photo upright (on the reduced image), then drop EXIF and with
    # it the GPS position.
    if orientation in _UPRIGHT:
        image = image.transpose(_UPRIGHT[orientation])
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # Pillow carries comments and other text chunks along unless told not to.
    image.info = {}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return ContentFile(out.getvalue(), name="photo.jpg")
