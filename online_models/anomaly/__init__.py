"""Order anomaly detection."""

from online_models.anomaly.detector import AnomalyDetector, order_features

__all__ = ["AnomalyDetector", "order_features"]
