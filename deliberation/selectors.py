"""Every read of deliberation, scoped to the asking user."""

from django.db.models import QuerySet

from grids.scoping import scope_queryset

from .models import DeliberationBody, MajorMatter, Meeting


def body_list(*, user) -> QuerySet[DeliberationBody]:
    return scope_queryset(
        DeliberationBody.objects.select_related("community", "compound", "host"), user
    )


def meeting_list(*, user) -> QuerySet[Meeting]:
    return scope_queryset(Meeting.objects.select_related("body__community"), user)


def major_matter_list(*, user) -> QuerySet[MajorMatter]:
    return scope_queryset(
        MajorMatter.objects.select_related("compound__community", "party_org"), user
    )
