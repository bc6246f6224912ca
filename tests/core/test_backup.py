"""``backup`` and ``restore``: a backup restored into a new database finds
every photo of every case, byte for byte, and nothing else."""

import io
import json
import sqlite3
import subprocess
import sys

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image

from petitions.models import PetitionPhoto
from petitions.services import petition_submit
from tests.core.services import ROOT, platform_env
from tests.petitions.test_voice import wav_clip


def _jpeg(colour: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), "image/jpeg")


@pytest.fixture
def new_database(tmp_path):
    """An empty database beside the test database: its URL and a function
    that runs SQL in it."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def query(sql):
            with sqlite3.connect(path) as db:
                return db.execute(sql).fetchall()

        yield f"sqlite:///{path}", query
        return
    name = f"{config['NAME']}_restore"
    params = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"] or "postgres",
        "password": config["PASSWORD"] or None,
    }
    admin = psycopg2.connect(dbname="postgres", **params)
    admin.autocommit = True
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.cursor().execute(f'CREATE DATABASE "{name}"')

    def query(sql):
        with psycopg2.connect(dbname=name, **params) as db, db.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    try:
        user = params["user"]
        host, port = params["host"], params["port"]
        password = f":{params['password']}" if params["password"] else ""
        yield f"postgres://{user}{password}@{host}:{port}/{name}", query
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_backup_restores_into_a_new_database_with_every_photo(
    transactional_db, world, building, category, tmp_path, new_database
):
    """Cases with photos and a voice note are backed up and restored into a new
    database and empty media folders: every photo of every case is there with
    the same bytes, the voice note in the private folder; a file no row refers
    to (an upload rolled back) is not."""
    url, query = new_database
    originals = {}
    for n, colours in enumerate([("red", "blue"), ("green",), ("white", "black")]):
        petition, _ = petition_submit(
            category=category,
            description=f"漏水 {n}",
            building=building,
            reporter_phone="13912345678",
            photos=[_jpeg(c) for c in colours],
        )
        for photo in petition.photos.all():
            with default_storage.open(photo.image.name, "rb") as f:
                originals[(petition.number, photo.image.name)] = f.read()
    orphan = default_storage.save("petitions/orphan.jpg", ContentFile(b"no row"))
    spoken, _ = petition_submit(
        category=category,
        description="",
        building=building,
        reporter_phone="13912345678",
        voice_note=SimpleUploadedFile("a.wav", wav_clip(1), "audio/wav"),
    )
    voice = spoken.voice_notes.get().audio.name
    voice_bytes = storages["private"].open(voice, "rb").read()

    call_command("backup", str(tmp_path / "backup"))

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert {e["name"] for e in manifest["media"]} == {n for _, n in originals} | {voice}
    media, private = tmp_path / "restored-media", tmp_path / "restored-private"
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "manage.py", "restore", str(tmp_path / "backup"), "--noinput"],
        cwd=ROOT,
        env=platform_env(
            DATABASE_URL=url, DJANGO_MEDIA_ROOT=media, DJANGO_PRIVATE_MEDIA_ROOT=private
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    restored = query(
        "SELECT p.number, ph.image FROM petitions_petitionphoto ph "
        "JOIN petitions_petition p ON p.id = ph.petition_id"
    )
    assert set(restored) == set(originals)
    assert PetitionPhoto.objects.count() == len(originals) == 5
    for (_number, name), content in originals.items():
        assert (media / name).read_bytes() == content
    assert not (media / orphan).exists()
    assert (private / voice).read_bytes() == voice_bytes
    assert not (media / voice).exists()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(
    transactional_db, world, building, category, tmp_path
):
    """A photo altered after the backup fails its checksum: the restore stops
    before touching the database or the files."""
    petition, _ = petition_submit(
        category=category,
        description="漏水",
        building=building,
        reporter_phone="13912345678",
        photos=[_jpeg("red")],
    )
    call_command("backup", str(tmp_path / "backup"))
    name = petition.photos.get().image.name
    (tmp_path / "backup" / "media" / name).write_bytes(b"damaged")
    with pytest.raises(CommandError, match="missing or damaged"):
        call_command("restore", str(tmp_path / "backup"), interactive=False)


def test_backup_refuses_a_folder_that_is_not_empty(transactional_db, tmp_path):
    """A backup never mixes with another one."""
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path))
