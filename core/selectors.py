from django.db.models import QuerySet

from grids.scoping import scope_queryset

from .models import PersonalDataAccess


def personal_data_access_list(*, user) -> QuerySet:
    """The record of personal-data access in ``user``'s units, newest first."""
    return scope_queryset(
        PersonalDataAccess.objects.select_related("community", "actor"), user
    )
