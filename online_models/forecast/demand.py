"""Daily demand per product: weekday profile × a robust level, gated for intermittent demand.

Why not Holt-Winters or SNARIMAX: shop demand per product is intermittent (many zero days, closed
weekdays) and spiky (one wholesale order is a month of units). A squared-error smoother chases the
spikes; absolute error is minimised by the median. So the level is the median of the last
``level_days`` deseasonalised days (each day divided by its weekday factor), the weekday factor is
the product's mean on that weekday over its mean on all days since its first sale, and a weekday
whose last ``gate_weeks`` occurrences were mostly zero is forecast as zero (the median of an
intermittent day is 0). Each horizon is computed directly, never recursively, so the error at
h=7 stays close to h=1. Products with less than two weeks of history get their mean per day.

A day the product could not be bought (out of stock all day) sold nothing for want of stock, not
of demand: it counts neither in the level nor in the zero-day gate, so a three-week stock-out
does not make the forecast after it (or during it: what to expect once restocked) zero.
"""

from __future__ import annotations

from datetime import date

__all__ = ["DemandForecaster", "day_name"]

#: products younger than this (days) use the short-history fallback
SHORT_HISTORY_DAYS = 14
#: quantiles of the deseasonalised level used for the interval
LOW_Q, HIGH_Q = 0.1, 0.9
#: how far ahead days-until-stock-out looks
STOCKOUT_HORIZON = 365
#: stock left below this share of the stock counts as none: a remainder of the float sums'
#: rounding, not units (without it a stock that a run of forecast days empties exactly could
#: "last" over the closed days that follow, by whichever way the sums happened to round)
EMPTY_SHARE = 1e-9


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


class _Series:
    __slots__ = ("first_day", "days", "weekday_sum", "total", "unavailable")

    def __init__(self, first_day: int) -> None:
        self.first_day = first_day
        self.days: dict[int, float] = {}
        self.weekday_sum = [0.0] * 7
        self.total = 0.0
        #: days it was out of stock all day (within the window kept)
        self.unavailable: set[int] = set()

    def __getstate__(self) -> tuple[object, ...]:
        return (self.first_day, self.days, self.weekday_sum, self.total, self.unavailable)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        (self.first_day, self.days, self.weekday_sum, self.total,  # type: ignore[assignment]
         self.unavailable) = state


class DemandForecaster:
    """Net units per product per UTC day (sales minus cancellations), forecast 1..N days ahead.

    Parameters
    ----------
    window_days
        Days of daily history kept per product (at least ``level_days`` and ``7 * gate_weeks``).
    level_days
        Days whose deseasonalised median is the level.
    gate_weeks
        Occurrences of a weekday looked at to decide that it is mostly a zero day.

    Examples
    --------
    >>> f = DemandForecaster(window_days=56, level_days=28, gate_weeks=8)
    >>> start = date(2026, 1, 5).toordinal()            # a Monday
    >>> for day in range(start, start + 42):
    ...     if (day - start) % 7 < 5:                     # closed at weekends
    ...         f.learn("mug", day, 10 + (day - start) % 7)
    >>> days, method = f.forecast("mug", start + 41, 7)
    >>> method, [round(units) for units, _, _ in days]
    ('weekday_median', [10, 11, 12, 13, 14, 0, 0])
    """

    def __init__(self, window_days: int, level_days: int, gate_weeks: int) -> None:
        self.window_days = window_days
        self.level_days = level_days
        self.gate_weeks = gate_weeks
        self._series: dict[str, _Series] = {}
        self._keep = max(window_days, level_days, 7 * gate_weeks)
        #: product -> ((as_of, stock, out_since), (day it runs out, days until then)) as last
        #: worked out: a shop's running-out list asks for every stocked product, and between
        #: two asks only the products sold meanwhile change (derived data, never in a snapshot)
        self._until: dict[str, tuple[tuple[int, float, int | None], tuple[int, float] | None]] = {}

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_until"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._until = {}

    def learn(self, product_id: str, day: int, units: float) -> None:
        """Add (or with negative units, take back) units sold on a day (a date ordinal)."""
        self._until.pop(product_id, None)
        series = self._series.get(product_id)
        if series is None:
            if units <= 0:
                return
            series = self._series[product_id] = _Series(day)
        if day < series.first_day:
            series.first_day = day
        series.days[day] = series.days.get(day, 0.0) + units
        series.weekday_sum[day % 7] += units
        series.total += units
        if len(series.days) > self._keep + 7:
            newest = max(series.days)
            series.days = {d: u for d, u in series.days.items() if d > newest - self._keep}
            series.unavailable = {d for d in series.unavailable if d > newest - self._keep}

    def mark_unavailable(self, product_id: str, first: int, last: int) -> None:
        """Days ``first..last`` (date ordinals) the product was out of stock all day."""
        self._until.pop(product_id, None)
        series = self._series.get(product_id)
        if series is None:
            return
        series.unavailable.update(range(max(first, last - self._keep + 1), last + 1))

    def knows(self, product_id: str) -> bool:
        return product_id in self._series

    def products(self) -> list[str]:
        return list(self._series)

    def _factors(self, series: _Series, as_of: int, unavailable: set[int]) -> list[float]:
        """Each weekday's mean over the mean of all days, on the days it could be bought."""
        n_days = as_of - series.first_day + 1
        counts = [n_days // 7] * 7
        for i in range(n_days % 7):
            counts[(series.first_day + i) % 7] += 1
        for day in unavailable:
            if series.first_day <= day <= as_of:
                counts[day % 7] -= 1
                n_days -= 1
        mean = series.total / n_days if n_days > 0 else 0.0
        if mean <= 0:
            return [0.0] * 7
        factors = []
        for w in range(7):
            # units given back are taken on the day they come back, so a weekday's sum can be
            # below zero: it sells nothing then, and never a negative amount
            share = series.weekday_sum[w] / counts[w] / mean if counts[w] else 0.0
            factors.append(max(share, 0.0))
        return factors

    def forecast(
        self, product_id: str, as_of: int, horizon: int, *, out_since: int | None = None
    ) -> tuple[list[tuple[float, float, float]], str]:
        """(units, low, high) for days ``as_of + 1 .. as_of + horizon`` and the method used;
        ``out_since``: the day the product went out of stock, if it still is (the days after
        it are days it could not be bought)."""
        series = self._series.get(product_id)
        if series is None or as_of < series.first_day:
            return [(0.0, 0.0, 0.0)] * horizon, "no_history"
        n_days = as_of - series.first_day + 1
        if n_days < SHORT_HISTORY_DAYS:
            mean = max(series.total / n_days, 0.0)
            return [(mean, 0.0, 2.0 * mean)] * horizon, "short_history"
        unavailable = series.unavailable
        if out_since is not None and out_since < as_of:
            still_out = range(max(out_since + 1, as_of - self._keep), as_of + 1)
            unavailable = unavailable | set(still_out)
        factors = self._factors(series, as_of, unavailable)
        days = series.days
        levels = [
            days.get(d, 0.0) / factors[d % 7]
            for d in self._level_days(series, as_of, unavailable)
            if factors[d % 7] > 0
        ]
        if not levels:
            return [(0.0, 0.0, 0.0)] * horizon, "weekday_median"
        level = max(_quantile(levels, 0.5), 0.0)
        low = max(_quantile(levels, LOW_Q), 0.0)
        high = max(_quantile(levels, HIGH_Q), 0.0)
        zero_day = self._zero_weekdays(series, as_of, unavailable)
        out = []
        for h in range(1, horizon + 1):
            w = (as_of + h) % 7
            factor = factors[w]
            if zero_day[w]:
                out.append((0.0, 0.0, high * factor))
            else:
                out.append((level * factor, low * factor, high * factor))
        return out, "weekday_median"

    def days_until_empty(
        self,
        product_id: str,
        as_of: int,
        stock: float,
        *,
        out_since: int | None = None,
        within: int = STOCKOUT_HORIZON,
    ) -> float | None:
        """Days after ``as_of`` until ``stock`` units are sold at the forecast rate (the day it
        runs out plus the share of that day's units it lasts), or None when it lasts ``within``
        days. Every forecast repeats week after week, so one week is forecast and whole weeks
        are counted: a shop's "running out" list forecasts each product once, not for a year.
        """
        if stock <= 0:
            return 0.0
        key = (as_of, stock, out_since)
        known = self._until.get(product_id)
        if known is None or known[0] != key:
            known = self._until[product_id] = (key, self._runs_out(product_id, *key))
        found = known[1]
        return found[1] if found is not None and found[0] < within else None

    def _runs_out(
        self, product_id: str, as_of: int, stock: float, out_since: int | None
    ) -> tuple[int, float] | None:
        """(the day it runs out, counted from 0, and the days until then) within a year."""
        days, _ = self.forecast(product_id, as_of, 7, out_since=out_since)
        week = [units for units, _, _ in days]
        per_week = sum(week)
        if per_week <= 0:
            return None
        # skip whole weeks that leave more than a week's units, then walk day by day
        weeks = max(int(stock // per_week) - 1, 0)
        left = stock - weeks * per_week
        day = 7 * weeks
        rounding = EMPTY_SHARE * stock
        while day < STOCKOUT_HORIZON:
            units = week[day % 7]
            if units > 0 and units >= left - rounding:
                return day, day + min(left / units, 1.0)
            left -= units
            day += 1
        return None

    def _level_days(self, series: _Series, as_of: int, unavailable: set[int]) -> list[int]:
        """The last ``level_days`` days it could be bought (all of the last ``level_days`` days
        for a product never out of stock), back to its first sale or the window kept."""
        floor = max(series.first_day, as_of - self._keep + 1)
        chosen: list[int] = []
        day = as_of
        while day >= floor and len(chosen) < self.level_days:
            if day not in unavailable:
                chosen.append(day)
            day -= 1
        return chosen

    def _zero_weekdays(self, series: _Series, as_of: int, unavailable: set[int]) -> list[bool]:
        """Per weekday: were most of its last ``gate_weeks`` occurrences (that it could be
        bought, since its first sale) zero days? Occurrences are counted, and only the days
        it sold on are visited (most products sell on few of them)."""
        first = max(as_of - 7 * self.gate_weeks + 1, series.first_day)
        span = as_of - first + 1
        seen = [span // 7] * 7
        for i in range(span % 7):
            seen[(first + i) % 7] += 1
        for d in unavailable:
            if first <= d <= as_of:
                seen[d % 7] -= 1
        sold = [0] * 7
        for d, units in series.days.items():
            if units > 0 and first <= d <= as_of and d not in unavailable:
                sold[d % 7] += 1
        return [seen[w] > 0 and 2 * (seen[w] - sold[w]) > seen[w] for w in range(7)]

    def __len__(self) -> int:
        return len(self._series)

    def __repr__(self) -> str:
        return f"DemandForecaster(window_days={self.window_days}, products={len(self)})"


def day_name(day: int) -> str:
    """A date ordinal as ``YYYY-MM-DD``."""
    return date.fromordinal(day).isoformat()
