"""Time for generated data: epoch seconds in integers, local days and months
from ``core.calendar``.

Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so local days
are fixed 86,400-second blocks: that keeps the arithmetic of a million cases in
integers. Months and years are calendar months and years (``add_months``),
never a number of days.
"""

import datetime
import random

from core import calendar

OFFSET = 8 * 3600
DAY = 86_400
HOUR = 3600


class Clock:
    """The generation's "now" and first day, and epoch seconds for every
    instant, rendered once per day and second for ``COPY``."""

    def __init__(self, now: datetime.datetime, first: datetime.date):
        now = now.astimezone(calendar.zone()).replace(microsecond=0)
        if now.utcoffset() != datetime.timedelta(seconds=OFFSET):
            raise ValueError("Generated data assumes local time is UTC+8.")
        self.now = int(now.timestamp())
        self.today = now.date()
        self.first = first
        self.start = self.midnight(first)
        self.days = (self.today - first).days + 1
        self._day_text: dict[int, str] = {}
        self._second_text: list[str] | None = None

    @classmethod
    def years_back(cls, now: datetime.datetime, years: int) -> "Clock":
        """Return a clock whose history starts ``years`` calendar years before
        the local date of ``now`` (29 February goes back to 28 February)."""
        return cls(now, calendar.add_years(calendar.local_date(now), -years))

    def midnight(self, day: datetime.date) -> int:
        return int(calendar.local_datetime(day).timestamp())

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> int:
        return self.midnight(day) + hour * HOUR + minute * 60

    def date(self, epoch: int) -> datetime.date:
        return datetime.date.fromordinal(719_163 + (epoch + OFFSET) // DAY)

    def aware(self, epoch: int) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(epoch, calendar.zone())

    def text(self, epoch: int) -> str:
        """Return ``epoch`` as PostgreSQL reads a timestamptz, in local time."""
        day, second = divmod(epoch + OFFSET, DAY)
        text = self._day_text.get(day)
        if text is None:
            text = self._day_text[day] = (
                f"{datetime.date.fromordinal(719_163 + day).isoformat()} "
            )
        if self._second_text is None:
            self._second_text = [
                f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+08"
                for s in range(DAY)
            ]
        return text + self._second_text[second]


def months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Return the first day of every month from ``first``'s to ``last``'s."""
    return calendar.months_between(first, last)


def month_key(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def days_in_years(day: datetime.date, years: int) -> int:
    """Return the number of days from ``years`` calendar years before ``day``
    to ``day``: the span to draw a random day of those years from."""
    return (day - calendar.add_years(day, -years)).days


def count(rng: random.Random, expected: float) -> int:
    """Return a whole count whose mean is ``expected`` (any non-negative float)."""
    return int(expected + rng.random())
