"""The heatmap's and grid's colour mode: attention weights, or what each key moves (contributions).

A weight says where a head looks; ‖f_ij‖ = α_ij ‖v_j W_Oʰ‖ says how much it moves (Kobayashi et al.
2020). The engine measures ‖v_j W_Oʰ‖ once per input (`MeasureValues`, a `ValueNorms`); this object
keeps the last answer with the snapshot it was asked for, asks again when the views show another one
(a step, a mask, an ablation), and turns the weights the views already hold into contributions
(`engine.analyses.contributions`), so they follow steps, masks and ablations without another forward
per redraw.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QComboBox

from attnlab.engine.analyses.contributions import contribution_norms, row_share
from attnlab.engine.api.attention_store import AttentionSnapshot
from attnlab.engine.api.results import ValueNorms

WEIGHTS, NORM, SHARE = "weights", "contribution", "share"


class ContributionMode(QObject):
    wanted = Signal(
        str, int
    )  # stack, ticket: measure its value norms for the current input (the reply echoes the ticket)
    changed = Signal()  # the mode or the norms changed: redraw

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.box = QComboBox()
        self.box.setObjectName("colourMode")
        # as narrow as a short word: the picker's row must not set the window's minimum width (small screens)
        self.box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.box.setMinimumContentsLength(5)
        self.box.addItem(self.tr("weights α"), WEIGHTS)
        self.box.addItem(self.tr("contribution ‖f‖"), NORM)
        self.box.addItem(self.tr("row share of ‖f‖"), SHARE)
        self.box.setToolTip(
            self.tr(
                "What the colours show: the attention weight α_ij (where the head looks), or what key j moves "
                "into query i, ‖f_ij‖ = α_ij·‖v_j W_Oʰ‖ (scaled to the largest shown), or its share of the row. "
                "A first token with much weight but a tiny value fades in the contribution views."
            )
        )
        self.box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.norms: ValueNorms | None = None
        self._of: AttentionSnapshot | None = None  # the snapshot `norms` were measured for
        self._asked: dict[int, AttentionSnapshot] = {}  # ticket -> snapshot, of requests sent (the last few)
        self._waiting = False  # a request is in flight: ask no other (see norms_for)
        self._failed: AttentionSnapshot | None = None  # measuring it failed: not asked again
        self._tickets = 0

    @property
    def mode(self) -> str:
        return str(self.box.currentData())

    def reset(self) -> None:
        """Another model: nothing measured applies."""
        self.norms, self._of, self._waiting = None, None, False
        self._asked.clear()

    def norms_for(self, snapshot: AttentionSnapshot, stack: str) -> ValueNorms | None:
        """The norms of this snapshot's stack, or None while they are measured. One request at a time: during a
        run the views move on faster than the engine measures; the next redraw after a reply asks again."""
        if self.norms is not None and self._of is snapshot and self.norms.stack == stack:
            return self.norms
        if not self._waiting and snapshot is not self._failed:
            self._tickets += 1
            self._asked[self._tickets] = snapshot
            for old in [t for t in self._asked if t <= self._tickets - 4]:  # replies dropped as stale never come
                del self._asked[old]
            self._waiting = True
            self.wanted.emit(stack, self._tickets)
        return None

    def received(self, ticket: int, norms: ValueNorms) -> None:
        self._waiting = False
        snapshot = self._asked.pop(ticket, None)
        if snapshot is not None:
            self.norms, self._of = norms, snapshot
        self.changed.emit()

    def given_up(self) -> None:
        """A newer analysis may have made the request in flight stale (never answered): ask again."""
        if self._waiting:
            self._waiting = False
            self.changed.emit()

    def failed(self) -> None:
        """A request failed (the engine said why): not asked again for the snapshot it was for."""
        if self._waiting and self._asked:
            self._failed = self._asked[max(self._asked)]
        self._waiting = False

    def apply(self, weights: NDArray[np.float32], projected: NDArray[np.float32]) -> tuple[NDArray[np.float32], float]:
        """weights [..., query, key] and ‖v_j W_Oʰ‖ [..., key] -> (what to draw in [0, 1], the scale: the largest
        ‖f‖ for the norm mode, 1 for shares)."""
        keys = weights.shape[-1]
        contributions = contribution_norms(weights, projected[..., :keys])
        if self.mode == SHARE:
            return row_share(contributions), 1.0
        top = float(contributions.max(initial=0.0))
        return (contributions / top if top > 0 else contributions).astype(np.float32), top
