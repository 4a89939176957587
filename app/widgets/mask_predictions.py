"""Fill-mask results for masked LMs: the top-k fillers of every [MASK] slot."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from attnlab.app.token_text import display_text
from attnlab.app.word_pieces import split_share
from attnlab.engine.api.results import MaskPrediction


class MaskPredictions(QTreeWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("maskPredictions")
        self.setHeaderLabels([self.tr("slot / filler"), self.tr("probability")])
        self.setRootIsDecorated(True)
        self.setColumnWidth(0, 220)
        self._placeholder()

    def _placeholder(self) -> None:
        self.clear()
        hint = QTreeWidgetItem([self.tr("Click a token to mask it and see what fills the slot")])
        hint.setDisabled(True)
        self.addTopLevelItem(hint)

    def show_predictions(
        self, predictions: Sequence[MaskPrediction], tokens: Sequence[str], nsp: float | None = None
    ) -> None:
        if not predictions and nsp is None:
            self._placeholder()
            return
        self.clear()
        for prediction in predictions:
            original = tokens[prediction.position] if prediction.position < len(tokens) else "?"
            was = self.tr("typed") if original == "[MASK]" else self.tr("was {0}").format(display_text(original, 20))
            slot = QTreeWidgetItem([self.tr("#{0} [MASK] ({1})").format(prediction.position, was), ""])
            for candidate in prediction.candidates:
                slot.addChild(QTreeWidgetItem([display_text(candidate.text, 30), f"{candidate.prob:.1%}"]))
            self.addTopLevelItem(slot)
            slot.setExpanded(True)
        if nsp is not None:
            row = QTreeWidgetItem([self.tr("sentence B follows A"), f"{nsp:.1%}"])
            self.addTopLevelItem(row)
            share = split_share(tokens)
            if share:  # the probability is only as good as the model's reading of the words
                caution = self.tr(
                    "{0:.0%} of the words are unknown or split into pieces the model rarely saw: "
                    "treat this probability with care"
                ).format(share)
                note = QTreeWidgetItem([caution, ""])
                note.setToolTip(0, caution)
                row.addChild(note)
                row.setExpanded(True)
                note.setFirstColumnSpanned(True)

    def slots(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """What is shown: [(slot title, [(filler, probability)])] (for tests)."""
        out = []
        for item in (self.topLevelItem(i) for i in range(self.topLevelItemCount())):
            if item is None:  # never: Qt returns None only for an index out of range
                continue
            children = [c for c in (item.child(j) for j in range(item.childCount())) if c is not None]
            out.append((item.text(0), [(child.text(0), child.text(1)) for child in children]))
        return out
