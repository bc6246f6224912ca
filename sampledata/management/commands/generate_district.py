"""``manage.py generate_district``: a realistic district for benchmarks."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sampledata.district import GenerateRefused, generate_district


class Command(BaseCommand):
    help = gettext_lazy(
        "Generate a realistic district for benchmarks (by default 60 communities, "
        "100,000 households and 1,000,000 cases over three years), written in "
        "bulk. Refuses a database that already has a district unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help=_(
                "Multiply households, cases, meetings and activities (default 1.0; "
                "0.001 for a quick try)."
            ),
        )
        parser.add_argument(
            "--years", type=int, default=3, help=_("Years of history up to today.")
        )
        parser.add_argument(
            "--seed", type=int, default=1, help=_("Random seed (default 1).")
        )
        parser.add_argument(
            "--subdistricts", type=int, default=10, help=_("Subdistricts (default 10).")
        )
        parser.add_argument(
            "--communities", type=int, default=60, help=_("Communities (default 60).")
        )
        parser.add_argument(
            "--grids", type=int, default=500, help=_("Grids (default 500).")
        )
        parser.add_argument(
            "--companies",
            type=int,
            default=15,
            help=_("Property-service companies (default 15)."),
        )
        parser.add_argument(
            "--now",
            help=_(
                "Generate as if it were this moment (ISO 8601, e.g. "
                "2025-06-30T18:00+08:00), for repeatable data; default: now."
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Add a district even though the database already has one."),
        )
        parser.add_argument(
            "--timelines",
            action="store_true",
            help=_(
                "Also write each case's timeline, as the demo does (several "
                "rows a case: slower)."
            ),
        )
        parser.add_argument(
            "--no-rollups",
            action="store_true",
            help=_("Do not rebuild the statistics roll-ups afterwards."),
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        now = None
        if options["now"]:
            now = parse_datetime(options["now"])
            if now is None or now.tzinfo is None:
                raise CommandError(
                    _("Give --now as an ISO 8601 date and time with its offset.")
                )
        try:
            result = generate_district(
                scale=options["scale"],
                years=options["years"],
                seed=options["seed"],
                subdistricts=options["subdistricts"],
                communities=options["communities"],
                grids=options["grids"],
                companies=options["companies"],
                now=now,
                force=options["force"],
                timelines=options["timelines"],
                log=self._progress,
            )
        except GenerateRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("Rows written:"))
        for label, count in sorted(result.counts.items()):
            self.stdout.write(f"  {label:<32} {count:>10,}")
        self.stdout.write(
            _("Generated in %(seconds).1f s.") % {"seconds": result.seconds["total"]}
        )
        if not options["no_rollups"]:
            self._rollups(result.first, result.last)

    def _progress(self, message: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(message)

    def _rollups(self, first: datetime.date, last: datetime.date) -> None:
        """Build the roll-ups of the generated months; never fail the command
        for them, since the data itself is written."""
        command = "python manage.py rebuild_stats --from {} --to {}".format(
            f"{first:%Y-%m}", f"{last:%Y-%m}"
        )
        try:
            from stats.services import stats_rebuild

            began = time.perf_counter()
            rows = stats_rebuild(first=first, last=last)
        except Exception as exc:  # the data is in: say what to run instead
            self.stderr.write(
                _(
                    "The statistics roll-ups were not built (%(error)s). "
                    "Build them with: %(command)s"
                )
                % {"error": exc, "command": command}
            )
            return
        seconds = time.perf_counter() - began
        self.stdout.write(
            _("Statistics roll-ups rebuilt: %(rows)s rows in %(seconds).1f s.")
            % {"rows": rows, "seconds": seconds}
        )
