from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.backup import BackupError, backup_read, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with a backup written by "
        "`backup`. Every checksum is verified before anything is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="A folder written by `backup`.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, folder, interactive=True, **options):
        try:
            manifest = backup_read(folder)
            name = connection.settings_dict["NAME"]
            if interactive:
                answer = input(
                    f"This replaces the database {name} and the uploaded files "
                    f"with the backup of {manifest['created_at']}. Type 'yes': "
                )
                if answer != "yes":
                    raise CommandError("Restore cancelled.")
            backup_restore(folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored the database {name} and {len(manifest['media'])} files "
            f"from the backup of {manifest['created_at']}"
        )
