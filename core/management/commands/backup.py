from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database and of the uploaded files "
        "its rows refer to into a new folder (pg_dump in one snapshot on "
        "PostgreSQL, the online backup API on SQLite; manifest with sha256). "
        "`restore` reads it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A new or empty folder.")

    def handle(self, *args, folder, **options):
        try:
            report = backup_create(folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backup of the {report.vendor} database and {report.files} files "
            f"({report.bytes} bytes) written to {report.folder}"
        )
        if report.missing:
            raise CommandError(
                f"{len(report.missing)} referenced files were missing from the "
                f"storage (listed in the manifest): {', '.join(report.missing[:10])}"
            )
