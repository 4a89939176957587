"""The branch tree in the window: an outline beside the token strip (shown once there are two
branches), switching by undoing to the shared prefix and taking the other branch's tokens (the KV
cache keeps the prefix), rename, delete, and redo along the current branch."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QVBoxLayout

from attnlab.app.branches import Branch, BranchTree, common_length
from attnlab.app.widgets.branch_list import BranchList
from attnlab.engine.api.results import ModelInfo

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow

SHOWN_TOKENS = 8  # the last tokens of a branch, in its tooltip


class Branches(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.tree = BranchTree(self.tr("main"), self.tr("branch {0}"))
        self.panel = BranchList()
        column = cast(QVBoxLayout, window.generation.parentWidget().layout())  # type: ignore[union-attr]  # the panel sits in a column
        column.insertWidget(column.indexOf(window.candidates) + 1, self.panel)  # below: the candidates stay put
        self.panel.hide()
        self._target: list[int] | None = None  # a switch on its way: the generation it ends at
        self._pending: tuple[list[Branch], int] | None = None  # an opened session's tree, for its analysis
        self._texts: dict[int, str] = {}  # token id -> display text, for the tooltips
        c = window.client
        for signal in (c.analysed, c.stepped, c.undone):
            signal.connect(self._observe)  # after the window's own handlers: the document is up to date
        c.errored.connect(self._on_error)
        window.model_loaded.connect(self._on_model_loaded)
        self.panel.switch_requested.connect(self.switch)
        self.panel.rename_requested.connect(self.rename)
        self.panel.delete_requested.connect(self.delete)
        self.panel.redo_requested.connect(self.redo)
        self.panel.compare_requested.connect(self.compare)

    def generated(self) -> list[int]:
        return [step.token_id for step in self.window.document.steps]

    def _prompt(self) -> tuple:
        analysis = self.window.document.analysis
        if analysis is None:
            return ()
        return tuple(analysis.token_ids.tolist()), tuple(analysis.decoder_token_ids.tolist())

    def expect(self, branches: list[Branch], current: int) -> None:
        """An opened session's branches: the tree for the analysis that replays it."""
        self._pending = (branches, current) if branches else None

    def saved(self) -> tuple[list[Branch], int]:
        """The branches to save with the session (none when the text has none)."""
        if self.tree.prompt != self._prompt() or not self.tree.branches:
            return [], 0
        return self.tree.branches, self.tree.current

    # -- following the generation ------------------------------------------------------------

    def _observe(self, *_: object) -> None:
        doc = self.window.document
        for step, text in zip(doc.steps, doc.generated, strict=False):
            self._texts[step.token_id] = text
        generated = self.generated()
        if self._target is not None:
            if generated != self._target:
                return  # the undos and choices of a switch: not branches of their own
            self._target = None
        prompt = self._prompt()
        if self._pending is not None and doc.analysis is not None:
            branches, current = self._pending
            self._pending = None
            self.tree.load(prompt, branches, current)
        self.tree.observe(prompt, generated)
        self._show()

    def _on_error(self, _message: str) -> None:
        self._target = None
        self._pending = None
        self._show()

    def _on_model_loaded(self, _info: ModelInfo) -> None:
        self.reset()

    def reset(self) -> None:
        """No branches (another model, a new session)."""
        self.tree.reset()
        self._target = None
        self._show()

    def _show(self) -> None:
        info = self.window.document.info
        rows = []
        for branch in self.tree.branches:
            tail = "".join(self._texts.get(t, f"#{t}") for t in branch.tokens[-SHOWN_TOKENS:])
            more = "…" if len(branch.tokens) > SHOWN_TOKENS else ""
            rows.append((branch.name, self.tr("{0} tokens: {1}{2}").format(len(branch.tokens), more, tail)))
        can_redo = self.tree.redo_token(self.generated()) is not None
        self.panel.show_branches(rows, self.tree.current, can_redo)
        self.panel.setVisible(bool(info and info.can_generate) and len(rows) > 1)

    # -- user actions ------------------------------------------------------------------------

    def switch(self, index: int) -> None:
        """Show branch `index`: undo back to what it shares with the tokens shown, then take its own."""
        w = self.window
        if not 0 <= index < len(self.tree.branches) or w.client.running or self._target is not None:
            return
        w._flush_analysis()
        generated = self.generated()
        tokens = list(self.tree.branches[index].tokens)
        shared = common_length(generated, tokens)
        self.tree.current = index
        w.document.select(None)
        if generated != tokens:
            self._target = tokens
            for _ in range(len(generated) - shared):
                w.client.undo()
            for token in tokens[shared:]:
                w.client.choose(token, False)
        w.statusBar().showMessage(self.tr("Switched to {0}").format(self.tree.branches[index].name), 3000)
        self._show()

    def compare(self, index: int) -> None:
        """Pin the branch shown as the reference, switch to branch `index` and show the difference."""
        w = self.window
        if index == self.tree.current or not 0 <= index < len(self.tree.branches) or w.client.running:
            return
        dock = w.prediction
        dock.pin_current(True)
        dock.show()
        dock.view.tabs.setCurrentWidget(dock.reference)
        if dock.pinned is not None:  # else too long to pin: the dock says why
            dock.difference_action.setChecked(True)
        self.switch(index)

    def redo(self) -> None:
        token = self.tree.redo_token(self.generated())
        if token is not None and not self.window.client.running and self._target is None:
            self.window.client.choose(token, False)

    def rename(self, index: int, name: str) -> None:
        if 0 <= index < len(self.tree.branches):
            self.tree.rename(index, name)
        self._show()

    def delete(self, index: int) -> None:
        if index == self.tree.current:
            refusal = self.tr("This is the branch shown: switch to another branch before deleting it")
            self.window._show_message(refusal, "info", origin="input")
        else:
            self.tree.delete(index)
        self._show()
