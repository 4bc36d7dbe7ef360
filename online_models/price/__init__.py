"""Price suggestions from online elasticity estimates, within guardrails."""

from online_models.price.pricer import Pricer

__all__ = ["Pricer"]
