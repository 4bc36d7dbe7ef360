"""Customer segments from streaming RFM scores."""

from online_models.segment.rfm import SEGMENTS, Segmenter

__all__ = ["SEGMENTS", "Segmenter"]
