"""Long documents open on the log colour scale.

In a 400-token window of a long text each weight is ~0.001 and the mass sits on the first token,
so linear colours are one dark field; log colours show the structure. The switch happens once, on
entering long mode, and only from linear: a scale the user then picks (linear included) stays.
Leaving long mode puts linear back if the log scale is still the one this chose."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSignalBlocker

from attnlab.app.widgets.attention_picker import AttentionPicker


class LongColours:
    def __init__(self, picker: AttentionPicker):
        self._picker = picker
        self._long = False
        self.chosen = False  # the log scale was chosen here, for the long document shown

    def follow(self, long: bool) -> None:
        """Call before each draw with whether a long document is drawn."""
        picker = self._picker
        if long and not self._long and picker.scale == "linear":
            with QSignalBlocker(picker):  # the draw under way uses the new scale; no second draw
                picker.set_colours("log", picker.hide_first)
            self.chosen = True
        elif not long and self._long and self.chosen and picker.scale == "log":
            with QSignalBlocker(picker):
                picker.set_colours("linear", picker.hide_first)
        if self.chosen and (not long or picker.scale != "log"):
            self.chosen = False  # the user picked another scale, or the long document is gone
        self._long = long

    def title_note(self) -> str:
        """Said in the heatmap's title while the log scale is the one chosen here."""
        if not self.chosen:
            return ""
        return QCoreApplication.translate(
            "LongColours", " · log scale for a long document (linear colours would be nearly uniform)"
        )
