"""Factories of the statistics app's own records."""

from factory.django import DjangoModelFactory

from stats import models


class AssessmentItemFactory(DjangoModelFactory):
    """A district's assessment item (党建引领, weight 10)."""

    class Meta:
        model = models.AssessmentItem

    name = "党建引领"
    description = "物业党支部活动、党员亮身份"
    weight = 10
