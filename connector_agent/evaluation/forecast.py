"""The forecast part of the protocol: daily net-unit series, rolling origins, baselines, errors.

The series come from a first streaming pass over the file; the brain's forecasts are collected
during the replay (at each origin, with data up to and including that day) and scored here
against the same series as the baselines.
"""

from __future__ import annotations

from collections.abc import Iterable

from connector_agent.evaluation.protocol import skip_reason, utc_day
from connector_agent.orders_csv import ImportedOrder

__all__ = ["ForecastSeries", "ForecastScores", "HORIZON", "FIRST_ORIGIN", "TOP_PRODUCTS"]

HORIZON = 7
FIRST_ORIGIN = 60
TOP_PRODUCTS = 50
WINDOW = 28


class ForecastSeries:
    """Net units per product per UTC day, every day from the first to the last date, 0-filled.

    The dates span every order of the file; units come from the orders the replay learns (the
    skipped ones teach no model, so they are no target either)."""

    def __init__(self, orders: Iterable[ImportedOrder]) -> None:
        units: dict[str, dict[int, float]] = {}
        first = last = None
        self.orders = 0
        for order in orders:
            self.orders += 1
            payload = order.payload
            day = utc_day(payload["created_at"])
            first = day if first is None else min(first, day)
            last = day if last is None else max(last, day)
            if skip_reason(payload) is not None:
                continue
            sign = 1 if payload["status"] == "completed" else -1
            for item in payload["line_items"]:
                if item["category"] == "non_product":
                    continue
                row = units.setdefault(item["product_id"], {})
                row[day] = row.get(day, 0.0) + sign * abs(item["quantity"])
        self.first = first or 0
        self.days = (last - first + 1) if first is not None and last is not None else 0
        totals = {p: sum(row.values()) for p, row in units.items()}
        self.products = sorted(totals, key=lambda p: (-totals[p], p))[:TOP_PRODUCTS]
        self.values = {
            p: [units[p].get(self.first + d, 0.0) for d in range(self.days)] for p in self.products
        }

    def origins(self) -> range:
        """Origins d = 60 … the second-to-last day (day numbers from 0)."""
        return range(FIRST_ORIGIN, self.days - 1)

    def baselines(self, product: str, d: int) -> dict[str, list[float]]:
        y = self.values[product]
        history = y[: d + 1]
        window = y[max(0, d - WINDOW + 1) : d + 1]
        level = sum(window) / len(window)
        overall = sum(history) / len(history)
        weekday_means = []
        for w in range(7):
            same = history[w::7] if w < len(history) else []
            weekday_means.append(sum(same) / len(same) if same else 0.0)
        out: dict[str, list[float]] = {"seasonal_naive": [], "moving_average_28": [],
                                       "weekday_profile": []}
        for h in range(1, HORIZON + 1):
            t = d + h
            out["seasonal_naive"].append(y[t - 7 * ((h + 6) // 7)])
            out["moving_average_28"].append(level)
            share = weekday_means[t % 7] / overall if overall else 0.0
            out["weekday_profile"].append(level * share if overall else 0.0)
        return out


class ForecastScores:
    """MAE and sMAPE over every (product, origin, horizon) whose target day exists."""

    def __init__(self, series: ForecastSeries) -> None:
        self.series = series
        self.sums: dict[str, list[float]] = {}

    def add(self, model: str, product: str, d: int, forecasts: list[float]) -> None:
        y = self.series.values[product]
        sums = self.sums.setdefault(model, [0.0] * 7)  # abs, smape, n, abs1, n1, abs7, n7
        for h, f in enumerate(forecasts, start=1):
            t = d + h
            if t >= len(y):
                break
            err = abs(y[t] - f)
            denom = abs(y[t]) + abs(f)
            sums[0] += err
            sums[1] += 2 * err / denom if denom else 0.0
            sums[2] += 1
            if h == 1:
                sums[3] += err
                sums[4] += 1
            if h == HORIZON:
                sums[5] += err
                sums[6] += 1

    def add_baselines(self, product: str, d: int) -> None:
        for model, values in self.series.baselines(product, d).items():
            self.add(model, product, d, values)

    def result(self) -> dict[str, dict[str, float]]:
        """Every model (zeros when no origin could be evaluated, e.g. under 60 days of data)."""
        out = {}
        for model in ("luxebrain", "seasonal_naive", "moving_average_28", "weekday_profile"):
            s = self.sums.get(model, [0.0] * 7)
            out[model] = {
                "mae": round(s[0] / s[2], 4) if s[2] else 0.0,
                "smape": round(s[1] / s[2], 4) if s[2] else 0.0,
                "mae_h1": round(s[3] / s[4], 4) if s[4] else 0.0,
                "mae_h7": round(s[5] / s[6], 4) if s[6] else 0.0,
                "evaluated": int(s[2]),
            }
        return out
