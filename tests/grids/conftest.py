import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from grids.models import Person
from tests.grids import factories as gf


def jpeg(name="finding.jpg") -> SimpleUploadedFile:
    """A small photo as a phone uploads it, with a GPS position in its EXIF."""
    image = Image.new("RGB", (64, 48), "orange")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (36.0, 27.0, 0.0), 3: "E", 4: (115.0, 58.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), "image/jpeg")


@pytest.fixture
def worker(world):
    """The grid worker of G1 (login "grid") and their register entry."""
    user = world.users["grid"]
    return user, Person.objects.get(user=user)


@pytest.fixture
def cared(world):
    """A household of G1 tagged 独居老人, under c1's plan to visit it every
    seven days; another of G2 tagged 低保 under a 30-day plan."""
    alone = gf.TagFactory(name="独居老人")
    welfare = gf.TagFactory(name="低保")
    gf.CarePlanFactory(community=world.c1, tag=alone, every_days=7)
    gf.CarePlanFactory(community=world.c1, tag=welfare, every_days=30)
    first = world.households["G1"][0]
    second = world.households["G2"][0]
    gf.HouseholdTagFactory(household=first, tag=alone)
    gf.HouseholdTagFactory(household=second, tag=welfare)
    return first, second
