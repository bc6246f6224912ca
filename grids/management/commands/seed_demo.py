from django.core.management.base import BaseCommand

from grids.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_seed
from grids.models import Community, Household


class Command(BaseCommand):
    help = (
        "Build the demo community of seed 000 (湖西街道 → 端庄社区); safe to run twice."
    )

    def handle(self, *args, **options):
        created = demo_seed()
        if any(created.values()):
            self.stdout.write(self.style.SUCCESS(f"Demo data created: {created}"))
        else:
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
