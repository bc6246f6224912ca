"""Reports by voice note (issue 18): the clip is judged by its content, limited
in size and length, stripped of its tags, kept in the private storage and
played only to staff who may see the case."""

import io
import uuid
import wave

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from mutagen.id3 import TIT2
from mutagen.wave import WAVE

from grids.models import PersonalDataAccess
from petitions.models import Petition
from petitions.voice import clean_voice_note


def wav_clip(seconds: float = 2, *, title: str = "") -> bytes:
    """A mono 8 kHz WAV of ``seconds``, with an ID3 title when given."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as clip:
        clip.setnchannels(1)
        clip.setsampwidth(1)
        clip.setframerate(8000)
        clip.writeframes(b"\x80\x90" * int(4000 * seconds))
    if title:
        buffer.seek(0)
        tagged = WAVE(buffer)
        tagged.add_tags()
        tagged.tags.add(TIT2(encoding=3, text=title))
        tagged.save(buffer)
    return buffer.getvalue()


def _upload(data: bytes, name: str = "录音 2026-11-18.wav", kind: str = "audio/wav"):
    return SimpleUploadedFile(name, data, content_type=kind)


def test_voice_clean_keeps_a_wav_and_removes_its_tags():
    """A phone's WAV passes with its length read from the content; its ID3
    title (a recorder's or a place's name) is gone; the server names it."""
    clip = clean_voice_note(_upload(wav_clip(3, title="幸福小区3号楼")))
    data = clip.content.read()
    assert clip.content_type == "audio/wav"
    assert clip.duration_seconds == 3
    assert "幸福小区".encode() not in data
    assert WAVE(io.BytesIO(data)).tags is None
    assert clip.content.name == "voice.wav"


def test_voice_clean_reads_amr_by_its_frames():
    """An AMR clip (older Android recorders) passes; its length is its 20 ms
    frames counted; a damaged one is refused."""
    frame = bytes([0x3C]) + b"\x00" * 31  # mode 7 (12.2 kbit/s): 32 bytes
    clip = clean_voice_note(_upload(b"#!AMR\n" + frame * 150, "a.amr", "audio/amr"))
    assert (clip.content_type, clip.duration_seconds) == ("audio/amr", 3)
    with pytest.raises(ValidationError):
        clean_voice_note(_upload(b"#!AMR\n" + frame * 3 + b"\x3c\x00", "b.amr"))


@pytest.mark.parametrize(
    "data",
    [b"hello, this is text", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40, b""],
    ids=["text", "broken-mp4", "empty"],
)
def test_voice_clean_refuses_what_is_not_a_recording(data):
    """A file is judged by its content: text or a broken MP4 named .m4a and
    sent as audio is refused with a clear message."""
    with pytest.raises(ValidationError) as caught:
        clean_voice_note(_upload(data, "voice.m4a", "audio/mp4"))
    assert caught.value.code == "not_audio"


def test_voice_clean_limits_length_and_size(settings):
    """Longer than PETITION_MAX_VOICE_SECONDS or larger than
    PETITION_MAX_VOICE_BYTES is refused."""
    settings.PETITION_MAX_VOICE_SECONDS = 60
    with pytest.raises(ValidationError) as caught:
        clean_voice_note(_upload(wav_clip(61)))
    assert caught.value.code == "voice_too_long"
    settings.PETITION_MAX_VOICE_BYTES = 1000
    with pytest.raises(ValidationError) as caught:
        clean_voice_note(_upload(wav_clip(1)))
    assert caught.value.code == "voice_too_large"


def _report(client, building, category, **data):
    url = reverse("petitions:report-building", args=[building.pk])
    fields = {
        "reporter_phone": "13912345678",
        "idempotency_key": str(uuid.uuid4()),
        **data,
    }
    return client.post(f"{url}?category={category.code}", fields)


def test_report_by_voice_note_without_typing(client, building, category):
    """A voice note stands in for the description: the case is made, says
    where to listen, and its clip lies in the private storage only."""
    response = _report(client, building, category, voice_note=_upload(wav_clip(2)))
    assert response.status_code == 302
    petition = Petition.objects.get()
    note = petition.voice_notes.get()
    assert "语音留言" in petition.description
    assert (note.content_type, note.duration_seconds) == ("audio/wav", 2)
    assert storages["private"].exists(note.audio.name)
    assert not default_storage.exists(note.audio.name)
    assert note.audio.name.startswith("petitions/voice/")


def test_report_with_a_bad_voice_note_says_so_beside_it(client, building, category):
    """A file that is not a recording re-shows the form with one error beside
    the voice-note field and stores nothing."""
    bad = _upload(b"not audio at all", "voice.m4a", "audio/mp4")
    response = _report(client, building, category, voice_note=bad)
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_voice_note_error"' in body and "不是能播放的录音" in body
    assert "请描述问题" not in body
    assert not Petition.objects.exists()


@pytest.fixture
def spoken_case(client, building, category):
    _report(client, building, category, voice_note=_upload(wav_clip(2)))
    petition = Petition.objects.get()
    return petition, petition.voice_notes.get()


def test_voice_note_plays_only_for_staff_who_see_the_case(client, world, spoken_case):
    """Staff of the case's grid get the clip (and the play is recorded as a
    view of personal data); staff of another community get 404; anyone not
    signed in is sent to sign in."""
    petition, note = spoken_case
    url = reverse("workbench:voice-note", args=[petition.pk, note.pk])
    assert client.get(url).status_code == 302
    client.force_login(world.users["grid"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert b"".join(response.streaming_content)[:4] == b"RIFF"
    assert PersonalDataAccess.objects.filter(fields="voice_note").count() == 1
    other = world.c2
    world.users["community"].person.roles.update(community=other)
    client.force_login(world.users["community"])
    assert client.get(url).status_code == 404
    wrong = reverse("workbench:voice-note", args=[petition.pk + 1, note.pk])
    client.force_login(world.users["superuser"])
    assert client.get(wrong).status_code == 404


def test_voice_note_answers_byte_ranges(client, world, spoken_case):
    """The clip is served in byte ranges as Safari's player asks for them
    (206 with Content-Range), and a range past its end answers 416."""
    petition, note = spoken_case
    url = reverse("workbench:voice-note", args=[petition.pk, note.pk])
    client.force_login(world.users["grid"])
    size = note.audio.size
    first = client.get(url, headers={"range": "bytes=0-3"})
    assert (first.status_code, first.content) == (206, b"RIFF")
    assert first["Content-Range"] == f"bytes 0-3/{size}"
    assert first["Accept-Ranges"] == "bytes"
    tail = client.get(url, headers={"range": "bytes=-4"})
    assert tail["Content-Range"] == f"bytes {size - 4}-{size - 1}/{size}"
    rest = client.get(url, headers={"range": "bytes=10-"})
    assert len(rest.content) == size - 10
    assert client.get(url, headers={"range": f"bytes={size}-"}).status_code == 416
    assert PersonalDataAccess.objects.filter(fields="voice_note").count() == 1


def test_admin_and_workbench_case_pages_play_the_voice_note(client, world, spoken_case):
    """The case's admin page and its workbench page carry an audio player
    pointing at the checked address."""
    petition, note = spoken_case
    url = reverse("workbench:voice-note", args=[petition.pk, note.pk])
    client.force_login(world.users["community"])
    admin = client.get(reverse("admin:petitions_petition_change", args=[petition.pk]))
    assert f'<audio controls preload="metadata" src="{url}"' in admin.content.decode()
    client.force_login(world.users["grid"])
    bench = client.get(reverse("workbench:case", args=[petition.pk]))
    assert f'src="{url}"' in bench.content.decode()
