"""``luxebrain-agent evaluate``: the prequential evaluation of EVALUATION.md, in memory."""

from connector_agent.evaluation.replay import EvaluationError, evaluate

__all__ = ["EvaluationError", "evaluate"]
