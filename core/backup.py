"""Backups that restore whole: the database and the uploaded files it refers to.

``backup`` takes one snapshot of the database (PostgreSQL: ``pg_dump`` in a
transaction's exported snapshot; SQLite: the online backup API), reads in that
same snapshot which uploaded files the rows refer to, and copies exactly those
files, with a manifest of their sha256. ``restore`` checks every checksum first,
then restores the database and the files together. A file uploaded after the
snapshot is not in the backup, and neither is its row; a file whose upload was
rolled back (no row refers to it) is left out.

Layout of a backup folder::

    manifest.json        what is inside, with sizes and sha256
    database.dump        pg_dump custom format (PostgreSQL)
    database.sqlite3     a copy of the database file (SQLite)
    media/<name>         every referenced upload, under its storage name
    media-<alias>/<name> the same for another storage of settings.STORAGES
                         (``private``: residents' voice notes); its manifest
                         entry names the storage
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, models, transaction
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot be made as asked."""


@dataclass
class BackupReport:
    folder: Path
    vendor: str
    files: int = 0
    bytes: int = 0
    missing: list[str] = field(default_factory=list)


def _storage_alias(storage) -> str:
    """The name in settings.STORAGES of ``storage`` (a file field's)."""
    for alias in storages.backends:
        if alias != "staticfiles" and storages[alias] is storage:
            return alias
    return "default"


def _media_folder(alias: str) -> str:
    return "media" if alias == "default" else f"media-{alias}"


def _file_columns() -> list[tuple[str, str, str]]:
    """(table, column, storage alias) of every file field of the installed models."""
    return [
        (model._meta.db_table, f.column, _storage_alias(f.storage))
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
        for f in model._meta.concrete_fields
        if isinstance(f, models.FileField)
    ]


def _referenced_names(cursor) -> list[tuple[str, str]]:
    """(storage alias, name) of the uploaded files the rows refer to, read with
    ``cursor`` (in the backup's snapshot)."""
    names = set()
    for table, column, alias in _file_columns():
        quote = connection.ops.quote_name
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(table)} "  # noqa: S608 - model names
            f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> ''"
        )
        names.update((alias, row[0]) for row in cursor.fetchall())
    return sorted(names)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_args(config: dict) -> tuple[list[str], dict]:
    args = [
        "--host",
        str(config["HOST"] or "127.0.0.1"),
        "--port",
        str(config["PORT"] or 5432),
        "--username",
        config["USER"] or "postgres",
        "--dbname",
        config["NAME"],
    ]
    env = {**os.environ}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = config["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    binary = shutil.which(command[0])
    if binary is None:
        raise BackupError(f"{command[0]} is not installed (postgresql-client)")
    result = subprocess.run(  # noqa: S603 - our own arguments
        [binary, *command[1:]], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _dump_postgresql(folder: Path) -> tuple[str, list[str]]:
    """Dump the database and read its file names in one snapshot."""
    target = folder / "database.dump"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # any health check happens before the snapshot
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        names = _referenced_names(cursor)
        # pg_dump takes the snapshot while this transaction holds it open.
        args, env = _pg_args(connection.settings_dict)
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file",
             str(target), *args],
            env,
        )  # fmt: skip
    return target.name, names


def _dump_sqlite(folder: Path) -> tuple[str, list[str]]:
    """Copy the database with SQLite's online backup API (one consistent step)
    and read the file names from the copy."""
    target = folder / "database.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        names = _referenced_names(copy.cursor())
    finally:
        copy.close()
    return target.name, names


def backup_create(folder: Path) -> BackupReport:
    """Write a backup of the database and its uploaded files into ``folder``
    (which must be new or empty)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty")
    folder.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor == "postgresql":
        database, names = _dump_postgresql(folder)
    elif vendor == "sqlite":
        database, names = _dump_sqlite(folder)
    else:
        raise BackupError(f"no backup for {vendor}")
    report = BackupReport(folder=folder, vendor=vendor)
    entries = []
    for alias, name in names:
        target = folder / _media_folder(alias) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        try:
            with storages[alias].open(name, "rb") as source, target.open("wb") as out:
                for chunk in iter(lambda s=source: s.read(CHUNK), b""):
                    digest.update(chunk)
                    out.write(chunk)
        except FileNotFoundError:
            target.unlink(missing_ok=True)
            report.missing.append(name)
            continue
        size = target.stat().st_size
        entry = {"name": name, "size": size, "sha256": digest.hexdigest()}
        entries.append(entry if alias == "default" else {**entry, "storage": alias})
        report.files += 1
        report.bytes += size
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": vendor,
        "database": {
            "file": database,
            "sha256": _sha256_of(folder / database),
        },
        "media": entries,
        "missing": report.missing,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return report


def backup_read(folder: Path) -> dict:
    """Return the manifest of ``folder`` after checking every checksum in it."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BackupError(f"{folder} has no {MANIFEST}: not a backup") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    database = manifest["database"]
    if _sha256_of(folder / database["file"]) != database["sha256"]:
        raise BackupError(f"{database['file']} does not match its checksum")
    for entry in manifest["media"]:
        where = f"{_media_folder(entry.get('storage', 'default'))}/{entry['name']}"
        path = folder / where
        if not path.is_file() or _sha256_of(path) != entry["sha256"]:
            raise BackupError(f"{where} is missing or damaged")
    return manifest


def backup_restore(folder: Path) -> dict:
    """Replace the database and the uploaded files with those of a backup."""
    folder = Path(folder)
    manifest = backup_read(folder)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"the backup is of {manifest['vendor']}, the database is "
            f"{connection.vendor}"
        )
    source = folder / manifest["database"]["file"]
    if connection.vendor == "postgresql":
        connection.close()
        args, env = _pg_args(connection.settings_dict)
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", "--exit-on-error", *args, str(source)],
            env,
        )  # fmt: skip
    else:
        connection.close()
        backup = sqlite3.connect(source)
        target = sqlite3.connect(connection.settings_dict["NAME"])
        try:
            backup.backup(target)
        finally:
            backup.close()
            target.close()
    for entry in manifest["media"]:
        name, alias = entry["name"], entry.get("storage", "default")
        path = folder / _media_folder(alias) / name
        storage = storages[alias]
        if storage.exists(name):
            with storage.open(name, "rb") as current:
                if hashlib.sha256(current.read()).hexdigest() == entry["sha256"]:
                    continue
            storage.delete(name)
        with path.open("rb") as content:
            saved = storage.save(name, File(content))
        if saved != name:
            raise BackupError(f"the storage renamed {name} to {saved}")
    return manifest
