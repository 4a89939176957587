"""Pure numpy analyses over captured attention: functions from arrays to arrays.

Each module holds one analysis with its exact definition in the docstring. None imports torch
or Qt, so the GUI, the CLI (`attnlab export --analyses ...`) and tests without a model share them.
"""

from engine.analyses.attention_rollout import rollout, rollout_of_means
from engine.analyses.fingerprints import (
    HeadFingerprints,
    distance,
    entropy,
    head_fingerprints,
    induction,
    prev_token,
    self_weight,
    sink,
)
from engine.analyses.probes import induction_probe
from engine.analyses.run_difference import js_divergence

__all__ = [
    "HeadFingerprints",
    "distance",
    "entropy",
    "head_fingerprints",
    "induction",
    "induction_probe",
    "js_divergence",
    "prev_token",
    "rollout",
    "rollout_of_means",
    "self_weight",
    "sink",
]
