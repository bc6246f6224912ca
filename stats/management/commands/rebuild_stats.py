import datetime

from django.core.management.base import BaseCommand, CommandError

from stats.services import stats_rebuild


def _month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError as exc:
        raise CommandError(f"Give months as YYYY-MM, not {value!r}.") from exc


class Command(BaseCommand):
    help = "Rebuild the statistics roll-ups for a range of months (YYYY-MM)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", required=True)
        parser.add_argument("--to", dest="last", required=True)

    def handle(self, *args, first, last, **options):
        rows = stats_rebuild(first=_month(first), last=_month(last))
        self.stdout.write(f"{rows} roll-up rows written")
