"""What a design buys: time to train a model and a decode bound, from the evaluated totals.

* Training compute ≈ 6·N·D FLOPs for N parameters and D tokens (Kaplan et al. 2020,
  "Scaling Laws for Neural Language Models"; hardware.md §7).
* Time to train = 6·N·D ÷ (effective PFLOPS at the precision × 10¹⁵ × MFU) ÷ 86,400 s.
  MFU (model FLOPs utilisation) defaults to 0.4: Meta reports 38–43 % for Llama 3 405B
  (Meta, "The Llama 3 Herd of Models", 2024; hardware.md §7).
* Decode bound: generating one token reads every weight once, so a fleet's tokens/s ≤
  effective HBM bandwidth ÷ (parameters × bytes per parameter) (single-stream,
  memory-bound decode; batching raises tokens/s per weight read, so this is the floor
  a planner compares designs by), reported per facility MW too.

Only effective (not stranded) compute and bandwidth count. A compute type without a
figure for the chosen precision (e.g. Trn2's FP4) adds nothing; ``not_counted`` names it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

SECONDS_PER_DAY = 86_400.0
#: Kaplan et al. 2020: C ≈ 6·N·D (forward 2·N·D + backward 4·N·D FLOPs).
FLOPS_PER_PARAM_TOKEN = 6.0
#: Meta, Llama 3 (2024): 38–43 % MFU training Llama 3 405B (hardware.md §7); 0.4 sits in that range.
DEFAULT_MFU = 0.4
MFU_SOURCE = "Meta, The Llama 3 Herd of Models (2024): 38-43 % MFU (hardware.md §7)"
TRAIN_FLOPS_SOURCE = "Kaplan et al. 2020, Scaling Laws for Neural Language Models: C = 6·N·D (hardware.md §7)"
#: Precision → (throughput report key, bytes per parameter of the weights at that precision).
PRECISIONS: dict[str, tuple[str, float]] = {
    "fp4": ("fp4_pflops", 0.5),
    "mxfp8": ("mxfp8_pflops", 1.0),
    "bf16": ("bf16_pflops", 2.0),
    "fp32": ("fp32_pflops", 4.0),
}
DEFAULT_PRECISION = "bf16"
#: Largest model and token count accepted (a typo guard: 10^16 parameters, 10^18 tokens).
MAX_PARAMS = 1e16
MAX_TOKENS = 1e18

_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "g": 1e9, "t": 1e12}


class WorkloadError(ValueError):
    """An input of the workload figures is out of range; the message names it."""


@dataclass(frozen=True)
class Workload:
    """A training run and its precision: ``params`` N, ``tokens`` D, ``mfu``."""

    params: float
    tokens: float
    mfu: float = DEFAULT_MFU
    precision: str = DEFAULT_PRECISION

    def __post_init__(self) -> None:
        check("parameters", self.params, 1.0, MAX_PARAMS)
        check("tokens", self.tokens, 1.0, MAX_TOKENS)
        if not (isinstance(self.mfu, (int, float)) and math.isfinite(self.mfu) and 0 < self.mfu <= 1):
            raise WorkloadError(f"MFU must be a fraction above 0 and at most 1, got {self.mfu!r}")
        if self.precision not in PRECISIONS:
            raise WorkloadError(f"unknown precision {self.precision!r} (one of {', '.join(PRECISIONS)})")


def check(name: str, value: float, lo: float, hi: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise WorkloadError(f"{name}: expected a number, got {value!r}")
    if not lo <= value <= hi:
        raise WorkloadError(f"{name}: {value:g} is outside {lo:g}–{hi:g}")


def parse_count(text: str, name: str) -> float:
    """A count as a planner types it: ``70e9``, ``70000000000``, ``70B``, ``15.6T``, ``405 b``."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([kKmMbBgGtT]?)\s*", str(text).replace(",", "").replace("_", ""))
    if not m:
        raise WorkloadError(f"{name}: expected a number such as 70e9 or 70B, got {text!r}")
    return float(m.group(1)) * _SUFFIX[m.group(2).lower()]


def train_flops(params: float, tokens: float) -> float:
    """Training compute in FLOPs: 6·N·D (Kaplan et al. 2020)."""
    return FLOPS_PER_PARAM_TOKEN * params * tokens


def workload_figures(totals: dict, work: Workload) -> dict:
    """The report's ``workload`` section from a report's totals (``throughput``, ``power``)."""
    th = totals["throughput"]
    key, bytes_per_param = PRECISIONS[work.precision]
    eff_pflops = float(th["effective"].get(key, 0.0))
    flops = train_flops(work.params, work.tokens)
    rate = eff_pflops * 1e15 * work.mfu  # FLOP/s sustained
    days = flops / rate / SECONDS_PER_DAY if rate > 0 else None
    weight_bytes = work.params * bytes_per_param
    hbm_tbps = float(th["effective"].get("hbm_tbps", 0.0))
    tokens_s = hbm_tbps * 1e12 / weight_bytes
    facility_mw = float(totals["power"]["facility_kw"]) / 1000.0
    return {
        "params": work.params,
        "tokens": work.tokens,
        "precision": work.precision,
        "mfu": work.mfu,
        "mfu_source": MFU_SOURCE,
        "train_flops": flops,
        "train_flops_source": TRAIN_FLOPS_SOURCE,
        "effective_pflops": round(eff_pflops, 6),
        # null when nothing effective runs at this precision (no finite time)
        "train_days": days,
        "not_counted": list(th.get("missing", {}).get(key, [])),
        "decode": {
            "bytes_per_param": bytes_per_param,
            "weights_gib": weight_bytes / 2**30,
            "hbm_tbps": round(hbm_tbps, 6),
            "tokens_per_s": tokens_s,
            "tokens_per_s_per_mw": tokens_s / facility_mw if facility_mw > 0 else None,
        },
    }
