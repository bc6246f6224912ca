"""Paging large admin lists without counting or skipping a million rows.

``CappedPaginator`` counts at most ``CAP`` rows (one ``LIMIT`` query that an
index serves) and offers pages only up to there: beyond it, staff narrow the
list with search or a filter, which is what they do with a list that long
anyway. The count shown is exact below the cap; above it the list says
"more than …" (and, on PostgreSQL, gives the planner's estimate).
"""

import datetime

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

#: Rows counted exactly; the deepest page reaches this far.
CAP = 10_000


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``CAP`` + 1 (``is_capped`` then)."""

    cap = CAP

    @cached_property
    def count(self) -> int:
        counted = self._capped_count()
        return min(counted, self.cap)

    @cached_property
    def is_capped(self) -> bool:
        return self._capped_count() > self.cap

    @cached_property
    def _capped_count_value(self) -> int:
        object_list = self.object_list
        if not hasattr(object_list, "values"):
            return len(object_list)
        limited = object_list.order_by().values("pk")[: self.cap + 1]
        return limited.count()

    def _capped_count(self) -> int:
        return self._capped_count_value

    @cached_property
    def estimate(self) -> int | None:
        """The planner's row estimate of the whole list (PostgreSQL), or None."""
        if not self.is_capped or not hasattr(self.object_list, "query"):
            return None
        queryset = self.object_list.order_by()
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        sql, params = queryset.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        return int(plan[0]["Plan"]["Plan Rows"])


class RecentFilter:
    """A sidebar filter of the recent past for tables that grow without end
    (audit rows, the personal-data record): today, the last seven days, this
    month, last month. Each is a range on an indexed time column; unlike a date
    hierarchy it never scans the whole table for the dates it holds."""

    @staticmethod
    def build(field: str):
        from django.contrib import admin
        from django.utils.translation import gettext_lazy as _

        from . import calendar

        class _Recent(admin.SimpleListFilter):
            title = _("when")
            parameter_name = "recent"

            def lookups(self, request, model_admin):
                return [
                    ("today", _("today")),
                    ("week", _("the last seven days")),
                    ("month", _("this month")),
                    ("last_month", _("last month")),
                ]

            def queryset(self, request, queryset):
                today = calendar.today()
                ranges = {
                    "today": calendar.day_bounds(today),
                    "week": (
                        calendar.day_bounds(today)[1] - datetime.timedelta(days=7),
                        calendar.day_bounds(today)[1],
                    ),
                    "month": calendar.month_bounds(today),
                    "last_month": calendar.month_bounds(calendar.previous_month(today)),
                }
                if self.value() not in ranges:
                    return queryset
                start, end = ranges[self.value()]
                return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})

        return _Recent
