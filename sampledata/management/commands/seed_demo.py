from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from grids.models import Community, Household
from sampledata.demo.territory import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Build the demo community of seed 000 (湖西街道 → 端庄社区) and the demo "
        "data of every app listed in settings.DEMO_SEEDERS; safe to run twice."
    )

    def handle(self, *args, **options):
        notes = []
        changed = False
        for path in settings.DEMO_SEEDERS:
            created = import_string(path)()
            notes += created.pop("notes", [])
            if any(created.values()):
                changed = True
                self.stdout.write(self.style.SUCCESS(f"{path}: created {created}"))
        if not changed:
            self.stdout.write("Demo data already present; nothing changed.")
        community = Community.objects.select_related("subdistrict").get(name="端庄社区")
        households = Household.objects.filter(
            unit__building__compound__community=community
        )
        self.stdout.write(
            f"{community.subdistrict.name} → {community.name}: "
            f"{community.compounds.count()} compounds, "
            f"{community.grids.count()} grids, "
            f"{households.count()} households, "
            f"{community.people.filter(household__isnull=False).count()} residents"
        )
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<14} {login.description}")
        for note in notes:
            self.stdout.write(note)
