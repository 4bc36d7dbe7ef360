"""Demand forecasting per product per day."""

from online_models.forecast.demand import DemandForecaster, day_name

__all__ = ["DemandForecaster", "day_name"]
