"""Photo uploads: judged by the header before decoding, about 24 megapixels
at most, decoded reduced, put upright and stripped of metadata."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image, ImageFile

from petitions.photos import MAX_SIDE, clean_photo, photo_dimensions


def _file(image: Image.Image, fmt: str, **save) -> io.BytesIO:
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    out.seek(0)
    out.size = len(out.getvalue())
    return out


@pytest.fixture
def no_decoding(monkeypatch):
    """Fail the test if any pixel is decoded."""

    def refuse(self):
        raise AssertionError("decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_upload_7000_square_png_is_refused_from_its_header(settings, no_decoding):
    """The 190 KB 7000×7000 PNG of the finding is refused before decoding."""
    upload = _file(Image.new("RGB", (7000, 7000), "white"), "PNG")
    assert upload.size < 500_000
    assert photo_dimensions(upload) == (7000, 7000)
    with pytest.raises(ValidationError) as refused:
        clean_photo(upload)
    assert refused.value.code == "photo_too_many_pixels"


def test_upload_24_megapixel_jpeg_is_taken_and_reduced(settings):
    """A phone's 6000×4000 JPEG is taken, fits 2000 px and is a JPEG."""
    upload = _file(Image.new("RGB", (6000, 4000), "red"), "JPEG", quality=50)
    cleaned = Image.open(clean_photo(upload))
    assert cleaned.format == "JPEG"
    assert max(cleaned.size) == MAX_SIDE
    assert cleaned.size == (2000, 1333)


def test_upload_jpeg_is_decoded_in_draft_mode(monkeypatch):
    """A JPEG is decoded at a reduced scale, never at its full size."""
    scales = []
    original = Image.Image.draft

    def spy(self, mode, size):
        result = original(self, mode, size)
        scales.append(self.size)
        return result

    monkeypatch.setattr(Image.Image, "draft", spy)
    upload = _file(Image.new("RGB", (4800, 3200), "red"), "JPEG", quality=50)
    clean_photo(upload)
    assert scales == [(2400, 1600)]


def test_upload_large_png_is_reduced_before_conversion():
    """A big PNG under the limit is reduced by an integer factor, then fitted."""
    upload = _file(Image.new("RGBA", (6000, 4000), (0, 0, 255, 128)), "PNG")
    cleaned = Image.open(clean_photo(upload))
    assert cleaned.mode == "RGB" and max(cleaned.size) == MAX_SIDE


def test_upload_rotated_photo_comes_out_upright_without_exif():
    """EXIF orientation 6 (taken holding the phone upright) is applied, then
    EXIF, GPS included, is dropped."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (36.0, 27.0, 0.0)}
    upload = _file(Image.new("RGB", (400, 300), "red"), "JPEG", exif=exif)
    cleaned = Image.open(clean_photo(upload))
    assert cleaned.size == (300, 400)
    assert not cleaned.getexif()


@pytest.mark.parametrize("fmt", ["GIF", "TIFF", "BMP", "PDF"])
def test_upload_other_formats_are_refused(fmt):
    """Only the formats phones produce are opened (JPEG, PNG, WebP)."""
    upload = _file(Image.new("RGB", (40, 30), "red"), fmt)
    with pytest.raises(ValidationError) as refused:
        clean_photo(upload)
    assert refused.value.code == "not_an_image"
