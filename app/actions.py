"""Actions as data: a menu item, its shortcut, its tooltip and when it is enabled, in one record.

Feature modules declare `ActionSpec`s and add them to the window's `ActionRegistry`, which makes
the QAction, puts it in its menu and keeps its enabled state following `ActionState` (a Qt-free
summary of what the window holds). The keyboard-shortcut help reads its rows from the same
registry, so a shortcut cannot be in a menu and missing from the help, or the other way round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

Shortcut = str | QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionState:
    """What decides whether an action can be used now."""

    probe_ready: bool = False  # the induction probe can run (a decoder-only model, no probe running)
    reference_pinned: bool = False  # a reference run is pinned in the prediction dock


@dataclass(frozen=True)
class ActionSpec:
    id: str  # the QAction's objectName (tests and accessibility tools find it by this)
    title: str  # translated menu text, with its & mnemonic
    menu: str  # objectName of the menu it goes in: fileMenu, viewMenu, lessonsMenu, helpMenu
    callback: Callable[..., object]  # triggered (a checkable action's gets the new checked state)
    tip: str = ""  # tooltip and status tip
    shortcut: Shortcut | None = None
    enabled_when: Callable[[ActionState], bool] | None = None  # None: always enabled
    checkable: bool = False
    before: str | None = None  # the id of the action it goes before (None: at the end of its menu)
    separator_before: bool = False


class ActionRegistry(QObject):
    """The window's actions, in the order they were added, and the menus they are in."""

    def __init__(self, parent: QObject, menus: dict[str, QMenu]):
        super().__init__(parent)
        self.menus = menus
        self.state = ActionState()
        self.specs: list[ActionSpec] = []
        self._actions: dict[str, QAction] = {}

    def add(self, spec: ActionSpec, action: QAction | None = None) -> QAction:
        """Make (or, for a QAction Qt made, such as a dock's toggle, adopt) the action of `spec` and
        put it in its menu."""
        if spec.id in self._actions:
            raise ValueError(f"action {spec.id} is declared twice")
        action = action or QAction(self.parent())
        action.setObjectName(spec.id)
        action.setText(spec.title)
        action.setToolTip(spec.tip)
        action.setStatusTip(spec.tip)
        if spec.shortcut is not None:
            action.setShortcut(QKeySequence(spec.shortcut))
        if spec.checkable:
            action.setCheckable(True)
            action.toggled.connect(spec.callback)
        else:
            action.triggered.connect(lambda _checked=False: spec.callback())
        menu = self.menus[spec.menu]
        anchor = self._actions.get(spec.before) if spec.before else None
        if spec.separator_before:
            menu.insertSeparator(anchor) if anchor is not None else menu.addSeparator()
        if anchor is not None:
            menu.insertAction(anchor, action)
        else:
            menu.addAction(action)
        self.specs.append(spec)
        self._actions[spec.id] = action
        self._enable(spec)
        return action

    def action(self, id: str) -> QAction:
        return self._actions[id]

    def set_state(self, **changes: bool) -> None:
        """Change what the window holds; every action's enabled state follows."""
        self.state = replace(self.state, **changes)
        for spec in self.specs:
            self._enable(spec)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, the action's title) for each action with a shortcut, in the order the menus show them."""
        native = QKeySequence.SequenceFormat.NativeText
        where = {
            a.objectName(): (m, i) for m, menu in enumerate(self.menus.values()) for i, a in enumerate(menu.actions())
        }
        rows = []
        for spec in sorted(self.specs, key=lambda spec: where.get(spec.id, (len(self.menus), 0))):
            keys = self._actions[spec.id].shortcut()
            if not keys.isEmpty():
                rows.append((keys.toString(native), spec.title.replace("&", "").rstrip("…")))
        return rows

    def _enable(self, spec: ActionSpec) -> None:
        if spec.enabled_when is not None:
            self._actions[spec.id].setEnabled(spec.enabled_when(self.state))
