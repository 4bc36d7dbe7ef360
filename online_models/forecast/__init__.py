"""Demand forecasting per product per day."""

from online_models.forecast.demand import STOCKOUT_HORIZON, DemandForecaster, day_name

__all__ = ["STOCKOUT_HORIZON", "DemandForecaster", "day_name"]
