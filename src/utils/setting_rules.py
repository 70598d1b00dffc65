"""The rules a number setting obeys (a Range), shared by src/settings.py and by the registry entries that
bring settings of their own."""
import math
from typing import NamedTuple


class Range(NamedTuple):
    """Allowed numbers: from `low` (excluded when low_open) up to `high` (None: no bound; excluded when
    high_open); `wording` completes "--key must be ..."."""
    low: float
    high: float = None
    low_open: bool = False
    high_open: bool = False
    wording: str = ""

    def holds(self, value):
        if isinstance(value, float) and not math.isfinite(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = self.high is None or (value < self.high if self.high_open else value <= self.high)
        return above and below


POSITIVE_INTEGER = Range(1, wording="a positive integer")
COUNT = Range(0, wording="zero or a positive integer")
POSITIVE_NUMBER = Range(0, low_open=True, wording="a positive number")
WEIGHT = Range(0, wording="zero or positive")
FRACTION = Range(0, 1, high_open=True, wording="in [0, 1)")
