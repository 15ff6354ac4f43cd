"""The engine: design → Evaluation (numpy + shapely, no Qt)."""

from designer.engine.evaluation import SEVERITY, Evaluation, Violation
from designer.engine.evaluator import Evaluator, evaluate

__all__ = ["SEVERITY", "Evaluation", "Evaluator", "Violation", "evaluate"]
