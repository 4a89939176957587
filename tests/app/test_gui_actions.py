"""Actions as data (app/actions.py): each declared action is in the menus once and in the shortcut
help once, no two share a shortcut, and enabled-when follows the state."""

from __future__ import annotations

from collections import Counter

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

NATIVE = QKeySequence.SequenceFormat.NativeText


def _window(qtbot):
    from attnlab.app.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    return window


def _menu_actions(menu: QMenu) -> list[QAction]:
    found = []
    for action in menu.actions():
        found.append(action)
        if action.menu() is not None:
            found += _menu_actions(action.menu())  # type: ignore[arg-type]
    return found


def test_every_declared_action_is_in_its_menu_once_and_in_the_help_once(qtbot, fresh_settings):
    from attnlab.app.keyboard_help import shortcut_rows

    window = _window(qtbot)
    registry = window.action_registry
    ids = [spec.id for spec in registry.specs]
    assert len(ids) >= 14 and len(set(ids)) == len(ids)
    everywhere = Counter(a.objectName() for menu in registry.menus.values() for a in _menu_actions(menu))
    for spec in registry.specs:
        assert everywhere[spec.id] == 1, spec.id
        in_menu = [a.objectName() for a in registry.menus[spec.menu].actions()]
        assert spec.id in in_menu, f"{spec.id} is not in {spec.menu}"
        action = registry.action(spec.id)
        assert action.toolTip() == action.statusTip() == spec.tip
    rows = shortcut_rows(window)
    for spec in registry.specs:
        keys = registry.action(spec.id).shortcut()
        if keys.isEmpty():
            continue
        title = spec.title.replace("&", "").rstrip("…")
        assert rows.count((keys.toString(NATIVE), title)) == 1, spec.id
    with_keys = [s for s in registry.specs if s.shortcut is not None]
    assert {"quitAction", "shortcutsAction", "saveSessionAction", "exportFigureAction", "findTokenAction"} <= {
        s.id for s in with_keys
    }

    window.show()
    registry.action("shortcutsAction").trigger()  # the dialog the user sees has them too
    dialog = window.findChild(QMessageBox, "shortcutsDialog")
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    for spec in with_keys:
        assert registry.action(spec.id).shortcut().toString(NATIVE) in dialog.text()
    dialog.close()


def test_no_two_actions_or_keys_share_a_shortcut(qtbot, fresh_settings):
    from attnlab.app.widgets.generation_bar import SHORTCUTS

    window = _window(qtbot)
    registry = window.action_registry
    keys = [registry.action(s.id).shortcut().toString() for s in registry.specs if s.shortcut is not None]
    keys = [k for k in keys if k]  # a standard key this platform binds to nothing (Quit, offscreen)
    keys += [QKeySequence(k).toString() for k in SHORTCUTS.values()]
    assert len(keys) >= 12
    assert [k for k, n in Counter(keys).items() if n > 1] == []


def test_enabled_when_follows_the_state(qtbot, fresh_settings):
    window = _window(qtbot)
    registry = window.action_registry
    probe, difference = registry.action("inductionProbeAction"), registry.action("referenceDifferenceAction")
    button = window.attention.scores_bar.probe_button
    assert probe.isEnabled() == button.isEnabled() and not difference.isEnabled()  # nothing pinned yet
    window.attention.scores_bar.probe_enabled.emit(False)  # what the scores bar says while a probe runs
    assert not probe.isEnabled() and not registry.state.probe_ready
    window.attention.scores_bar.probe_enabled.emit(True)
    assert probe.isEnabled() and registry.state.probe_ready
    registry.set_state(reference_pinned=True)
    assert difference.isEnabled() and probe.isEnabled()
    registry.set_state(reference_pinned=False)
    assert not difference.isEnabled() and probe.isEnabled()
    always = [s for s in registry.specs if s.enabled_when is None]
    assert always and all(registry.action(s.id).isEnabled() for s in always)


def test_an_action_is_declared_once(qtbot, fresh_settings):
    import pytest

    from attnlab.app.actions import ActionSpec

    window = _window(qtbot)
    with pytest.raises(ValueError, match="quitAction"):
        window.action_registry.add(ActionSpec("quitAction", "Quit", "fileMenu", lambda: None))
