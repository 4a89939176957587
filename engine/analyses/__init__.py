"""Pure numpy analyses over captured attention: functions from arrays to arrays.

Each module holds one analysis with its exact definition in the docstring. None imports torch
or Qt, so the GUI, the CLI (`attnlab export --analyses ...`) and tests without a model share them.

Two modules here need the model and import torch, so this package does not import them: `lens`
(the logit lens) and `importance` (head importance); sessions reach them through `logit_lens` and
`head_importance`.
"""

from attnlab.engine.analyses.attention_rollout import rollout, rollout_of_means
from attnlab.engine.analyses.fingerprints import (
    HeadFingerprints,
    distance,
    entropy,
    head_fingerprints,
    induction,
    packed_fingerprints,
    prev_token,
    self_weight,
    sink,
)
from attnlab.engine.analyses.probes import induction_probe
from attnlab.engine.analyses.run_difference import js_divergence

__all__ = [
    "HeadFingerprints",
    "distance",
    "entropy",
    "head_fingerprints",
    "induction",
    "induction_probe",
    "js_divergence",
    "packed_fingerprints",
    "prev_token",
    "rollout",
    "rollout_of_means",
    "self_weight",
    "sink",
]
