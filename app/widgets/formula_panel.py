"""The formula inspector: how one attention weight was computed, with the model's own numbers.

Shows a `CellExplanation` (engine/results.py): q·k, scaling, softcap, the bias and its parts, the
logit, the row's logsumexp and the probability, ‖p·v‖ and its share of the head's output, the
first dimensions of q and k, and the query's whole row as bars before and after the softmax.
Plain Qt: no pyqtgraph.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from attnlab.app.i18n import translate
from attnlab.app.token_text import display_text
from attnlab.engine.api.results import CellExplanation

VECTOR_DIMS = 8  # dimensions of q and k shown
LABEL_WIDTH = 20  # characters before the numbers of the formula
HIDDEN_BELOW = -1e4  # a logit this low is a mask (the dtype's min), not a score


def number(value: float) -> str:
    """Every number of the panel: 4 significant digits."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "−∞" if value < 0 else "∞"
    text = f"{value:.4g}"
    return "0" if text in ("-0", "0") else text.replace("-", "−")


def parse_number(text: str) -> float:
    """The value a `number` string shows (tests read the panel back with it)."""
    return float(text.replace("−", "-").replace("∞", "inf"))


def _vector(values: NDArray[np.float64]) -> str:
    shown = ", ".join(number(float(v)) for v in values[:VECTOR_DIMS])
    more = translate("formula_panel", ", … ({0} dims)").format(len(values)) if len(values) > VECTOR_DIMS else ""
    return f"[{shown}{more}]"


class RowBars(QWidget):
    """The query's row as two strips of bars: logits (before the softmax) and probabilities (after);
    the explained key is outlined, hidden keys are grey ticks."""

    STRIP = 34
    LABEL = 64

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("formulaRowBars")
        self.setMinimumHeight(2 * self.STRIP + 14)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._logits: NDArray[np.float64] = np.zeros(0)
        self._probs: NDArray[np.float64] = np.zeros(0)
        self._key = -1

    def set_row(self, logits: NDArray[np.float64], probs: NDArray[np.float64], key: int) -> None:
        self._logits, self._probs, self._key = np.asarray(logits), np.asarray(probs), key
        self.update()

    def names(self) -> tuple[str, str]:
        """The strips' labels, as painted at their left: the logits', the probabilities'."""
        return self.tr("logits"), self.tr("probs")

    def key_at(self, x: float) -> int | None:
        """The key whose bars are at `x` (widget pixels), if any."""
        count = len(self._logits)
        width = max(1.0, self.width() - self.LABEL - 4.0)
        index = int((x - self.LABEL) // (width / count)) if count else -1
        return index if 0 <= index < count and x >= self.LABEL else None

    def text_at(self, key: int) -> str:
        """The tooltip of one key's bars."""
        logit = float(self._logits[key])
        shown = self.tr("hidden (masked)") if logit < HIDDEN_BELOW else number(logit)
        return self.tr("key #{0}: logit {1}, prob {2}").format(key, shown, number(float(self._probs[key])))

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            key = self.key_at(event.pos().x())
            if key is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.text_at(key), self)
            return True
        return super().event(event)

    def heights(self) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
        """(logit bar heights, probability bar heights) in [0, 1], and which keys are hidden."""
        logits, probs = self._logits, self._probs
        hidden = ~np.isfinite(logits) | (logits < HIDDEN_BELOW)
        shown = logits[~hidden]
        low, high = (float(shown.min()), float(shown.max())) if shown.size else (0.0, 0.0)
        span = high - low
        logit_heights = np.where(hidden, 0.0, (logits - low) / span if span > 0 else 1.0)
        peak = float(probs.max()) if probs.size else 0.0
        prob_heights = probs / peak if peak > 0 else np.zeros_like(probs)
        return np.clip(logit_heights, 0, 1), np.clip(prob_heights, 0, 1), hidden

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        count = len(self._logits)
        if count == 0:
            return
        logit_heights, prob_heights, hidden = self.heights()
        width = max(1.0, self.width() - self.LABEL - 4.0)
        step = width / count
        strips = (
            (self.names()[0], logit_heights, QColor("#8a8f98"), 2.0),
            (self.names()[1], prob_heights, QColor("#2f6fb3"), 6.0 + self.STRIP),
        )
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for name, heights, colour, top in strips:
            painter.setPen(QColor("#444"))
            painter.drawText(QRectF(0, top, self.LABEL - 4, self.STRIP), right, name)
            base = top + self.STRIP
            painter.setPen(QPen(QColor("#ccc")))
            painter.drawLine(self.LABEL, int(base), self.LABEL + int(width), int(base))
            for index in range(count):
                x = self.LABEL + index * step
                if hidden[index]:
                    painter.fillRect(QRectF(x, base - 2, max(1.0, step - 1), 2), QColor("#d0d0d0"))
                    continue
                height = max(1.0, float(heights[index]) * (self.STRIP - 2))
                fill = QColor("#d9822b") if index == self._key else colour
                painter.fillRect(QRectF(x, base - height, max(1.0, step - 1), height), fill)
            if 0 <= self._key < count:
                painter.setPen(QPen(QColor("#d9822b"), 1))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(QRectF(self.LABEL + self._key * step, top, max(1.0, step - 1), self.STRIP))


class FormulaPanel(QFrame):
    """Hidden until the first click on a heatmap cell; the close button hides it again."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("formulaPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.explanation: CellExplanation | None = None
        self.values: dict[str, str] = {}  # quantity -> the number shown for it
        self.pending: tuple[str, int, int, int, int] | None = None  # the cell asked for, awaiting its reply
        self.title = QLabel("")
        self.title.setObjectName("formulaTitle")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.close_button = QToolButton()
        self.close_button.setObjectName("formulaClose")
        self.close_button.setText("✕")
        self.close_button.setToolTip(self.tr("Close the formula inspector"))
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.close_panel)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title, 1)
        header.addWidget(self.close_button)

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.note = QLabel("")
        self.note.setObjectName("formulaNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #7a5b00;")
        self.formula = QLabel("")
        self.formula.setObjectName("formulaText")
        self.formula.setFont(mono)
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.vectors = QLabel("")
        self.vectors.setObjectName("formulaVectors")
        self.vectors.setFont(mono)
        self.vectors.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bars = RowBars()
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(2, 2, 2, 2)
        column.addWidget(self.note)
        column.addWidget(self.formula)
        column.addWidget(self.bars)
        column.addWidget(self.vectors)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)
        self.hide()

    # -- what the window calls ---------------------------------------------------------------

    def show_pending(self, stack: str, layer: int, head: int, query: int, key: int, title: str) -> None:
        """A cell was clicked and its explanation asked for."""
        self.pending = (stack, layer, head, query, key)
        self.title.setText(title)
        self._show_note(self.tr("Computing…"))
        self.show()

    def show_message(self, title: str, message: str) -> None:
        """Nothing to explain (the mean of heads): say why instead."""
        self.pending = None
        self.explanation = None
        self.values = {}
        self.title.setText(title)
        self.formula.setText("")
        self.vectors.setText("")
        self.bars.set_row(np.zeros(0), np.zeros(0), -1)
        self._show_note(message)
        self.show()

    def input_changed(self) -> None:
        """A new analysis: a pending reply is dropped (the engine client makes it stale), and what is
        shown explains the previous input."""
        if self.pending is not None:
            self.pending = None
            self._show_note(self.tr("The input changed before the explanation came: click a cell again."))
        elif self.explanation is not None:
            self._show_note(self.tr("The input changed since: this explains the previous one. Click a cell again."))

    def show_explanation(self, e: CellExplanation) -> None:
        """The engine's reply; one for another cell than the last clicked is ignored."""
        if self.pending != (e.stack, e.layer, e.head, e.query, e.key):
            return
        self.pending = None
        self.explanation = e
        v = self.values = {
            "dot": number(e.dot),
            "scaling": number(e.scaling),
            "scaled": number(e.dot * e.scaling),
            "softcap": number(e.softcap) if e.softcap is not None else "",
            "capped": number(e.capped),
            "bias": number(e.bias),
            "mask": number(e.mask),
            "position_bias": number(e.position_bias),
            "knockout": number(e.knockout),
            "logit": number(e.logit),
            "logsumexp": number(e.row_logsumexp),
            "prob": number(e.prob),
            "value_norm": number(e.value_norm),
            "output_share": number(e.output_share),
            "q_norm": number(float(np.linalg.norm(e.q))),
            "k_norm": number(float(np.linalg.norm(e.k))),
        }
        self.title.setText(self._title(e))
        parts = [self.tr("mask {0}").format(v["mask"])]
        if e.position_bias:
            parts.append(self.tr("position bias {0}").format(v["position_bias"]))
        if e.knockout:
            parts.append(self.tr("knock-out {0}").format(v["knockout"]))
        rows = [
            ("q·k", v["dot"], f"(‖q‖ {v['q_norm']}, ‖k‖ {v['k_norm']})"),
            (self.tr("× scaling {0}").format(v["scaling"]), v["scaled"], ""),
        ]
        if e.softcap is not None:
            cap = v["softcap"]
            rows.append(
                (self.tr("softcap {0}").format(cap), v["capped"], self.tr("({0}·tanh(above / {1}))").format(cap, cap))
            )
        rows += [
            (self.tr("+ bias"), v["bias"], f"({', '.join(parts)})"),
            (self.tr("= logit"), v["logit"], ""),
            (self.tr("− logsumexp(row)"), v["logsumexp"], ""),
            (self.tr("exp(…) = prob"), v["prob"], ""),
            ("‖p·v‖", v["value_norm"], self.tr("share of the head's output {0}").format(v["output_share"])),
        ]
        if math.isfinite(e.projected_norm):  # what the key moves: ‖f‖ = p·‖v W_Oʰ‖
            rows += [
                ("‖v_j‖", number(e.v_norm), ""),
                (
                    "‖v_j W_Oʰ‖",
                    number(e.projected_norm),
                    self.tr("(through the head's slice of the output projection)"),
                ),
                ("‖f_ij‖", number(e.contribution), self.tr("= prob · ‖v_j W_Oʰ‖: what this key moves")),
            ]
        lines = [f"{label:<{LABEL_WIDTH}}{value:<12}{comment}".rstrip() for label, value, comment in rows]
        self.formula.setText("\n".join(lines))
        kv = self.tr("   (kv head {0}: grouped-query)").format(e.kv_head) if e.kv_head != e.head else ""
        self.vectors.setText(
            f"q_{e.query} = {_vector(e.q)}   ‖q‖ = {v['q_norm']}{kv}\nk_{e.key} = {_vector(e.k)}   ‖k‖ = {v['k_norm']}"
        )
        self.bars.set_row(e.row_logits, e.row_probs, e.key)
        notes = []
        if e.knocked_out:
            notes.append(self.tr("The key is knocked out: no query attends to it."))
        elif e.masked:
            notes.append(self.tr("The mask hides this key from this query: its weight is 0."))
        if e.ablated:
            notes.append(self.tr("This head is ablated: its output is zeroed downstream (its attention is unchanged)."))
        self._show_note(" ".join(notes))
        self.show()

    def close_panel(self) -> None:
        self.pending = None
        self.hide()
        self.closed.emit()

    # -- helpers -----------------------------------------------------------------------------

    def _title(self, e: CellExplanation) -> str:
        query, key = display_text(e.query_token, 20), display_text(e.key_token, 20)
        stack = translate("EngineMessage", e.stack)
        return self.tr("{0!r} #{1} → {2!r} #{3} · {4} layer {5} · head {6}").format(
            query, e.query, key, e.key, stack, e.layer, e.head
        )

    def _show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))
