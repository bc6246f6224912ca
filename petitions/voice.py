"""Checking and cleaning a resident's voice note (a report said, not typed).

The same rules as photos (``petitions/photos.py``): the kind of file is judged
by its content, never by its name or the browser's word; it must be a clip a
phone's recorder makes (M4A/MP4/3GP, AAC, MP3, Ogg Opus/Vorbis, WAV, AMR); its
size and length are limited; its tags (title, recorder, place) are removed; it
gets a name of the server's choosing and lives in the private storage, served
only to the staff who may see the case (``petitions.workbench.views``).
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from mutagen import MutagenError
from mutagen.aac import AAC
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

#: AMR-NB frame sizes in bytes (header byte included) by frame type.
_AMR_FRAME_BYTES = (13, 14, 16, 18, 20, 21, 27, 32, 6, 1, 1, 1, 1, 1, 1, 1)
_AMR_MAGIC = b"#!AMR\n"


@dataclass(frozen=True)
class VoiceClip:
    """A cleaned clip, ready to store."""

    content: ContentFile
    content_type: str
    duration_seconds: float


def _not_audio() -> ValidationError:
    return ValidationError(
        _(
            "This file is not a voice recording we can play "
            "(M4A, AAC, MP3, Ogg, WAV, AMR)."
        ),
        code="not_audio",
    )


def _sniff(head: bytes) -> str | None:
    """Return the kind of clip ``head`` (the first bytes) starts, or None."""
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(_AMR_MAGIC):
        return "amr"
    if head.startswith(b"ID3"):
        return "mp3"  # MP3 or AAC behind an ID3 tag: told apart below
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "aac"  # ADTS
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "mp3"
    return None


#: kind → (readers to try, content type, file extension)
_KINDS = {
    "mp4": ((MP4,), "audio/mp4", "m4a"),
    "ogg": ((OggOpus, OggVorbis), "audio/ogg", "ogg"),
    "wav": ((WAVE,), "audio/wav", "wav"),
    "mp3": ((MP3, AAC), "audio/mpeg", "mp3"),
    "aac": ((AAC,), "audio/aac", "aac"),
}


def _amr_duration(data: bytes) -> float:
    """Count the 20 ms frames of an AMR-NB file; refuse a damaged one."""
    position, frames = len(_AMR_MAGIC), 0
    while position < len(data):
        size = _AMR_FRAME_BYTES[(data[position] >> 3) & 0x0F]
        position += size
        frames += 1
    if position != len(data) or frames == 0:
        raise _not_audio()
    return frames * 0.02


def _read(kind: str, buffer: io.BytesIO):
    """Return the parsed clip (mutagen) of ``kind`` read from ``buffer``."""
    readers, _type, _ext = _KINDS[kind]
    for reader in readers:
        buffer.seek(0)
        try:
            clip = reader(buffer)
        except (MutagenError, ValueError, EOFError, IndexError, KeyError):
            continue
        if reader is MP4 and not getattr(clip.info, "codec", ""):
            continue  # an MP4 without an audio track (a video, a picture)
        if clip.info.length and clip.info.length > 0:
            return clip
    raise _not_audio()


def _strip_tags(clip, buffer: io.BytesIO) -> None:
    """Remove the clip's tags (title, artist, place, recorder) in ``buffer``."""
    if clip.tags is None:
        return
    buffer.seek(0)
    try:
        clip.delete(buffer)
    except MutagenError as exc:  # tags that cannot be removed: refuse the clip
        raise _not_audio() from exc


def _check_length(seconds: float) -> None:
    limit = settings.PETITION_MAX_VOICE_SECONDS
    if seconds > limit:
        raise ValidationError(
            _("A voice note may be at most %(minutes)s minutes long.")
            % {"minutes": limit // 60},
            code="voice_too_long",
        )


def clean_voice_note(upload) -> VoiceClip:
    """Return ``upload`` checked and without tags, or raise ValidationError.

    Refuse a file that is too large, too long, or not a recording.
    """
    if upload.size > settings.PETITION_MAX_VOICE_BYTES:
        raise ValidationError(
            _("A voice note may be at most %(mb)s MB.")
            % {"mb": settings.PETITION_MAX_VOICE_BYTES // (1024 * 1024)},
            code="voice_too_large",
        )
    upload.seek(0)
    data = upload.read()
    kind = _sniff(data[:16])
    if kind is None:
        raise _not_audio()
    buffer = io.BytesIO(data)
    if kind == "amr":
        seconds, content_type, ext = _amr_duration(data), "audio/amr", "amr"
    else:
        clip = _read(kind, buffer)
        seconds = clip.info.length
        _kinds, content_type, ext = _KINDS[kind]
        if isinstance(clip, AAC):
            content_type, ext = "audio/aac", "aac"
        _strip_tags(clip, buffer)
    _check_length(seconds)
    return VoiceClip(
        content=ContentFile(buffer.getvalue(), name=f"voice.{ext}"),
        content_type=content_type,
        duration_seconds=round(seconds, 1),
    )
