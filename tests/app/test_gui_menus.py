"""The menu bar: four named menus, opening a text file, and what a bad file does."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu


def test_menus_exist_with_their_actions(qtbot, fresh_settings):
    from attnlab.app.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    names = [menu.objectName() for menu in window.menuBar().findChildren(QMenu)]
    for name in ("fileMenu", "viewMenu", "lessonsMenu", "helpMenu"):
        assert name in names
    file_actions = [action.objectName() for action in window.menus["fileMenu"].actions()]
    assert "openTextAction" in file_actions and "quitAction" in file_actions
    help_actions = [action.objectName() for action in window.menus["helpMenu"].actions()]
    assert "aboutAction" in help_actions and "shortcutsAction" in help_actions


def test_open_text_file_fills_the_box(qtbot, fresh_settings, tmp_path):
    from attnlab.app.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    good = tmp_path / "story.txt"
    good.write_text("\ufeffOnce upon a time 我喜欢猫", encoding="utf-8")
    window.open_text_file(good)
    assert window.text_input.toPlainText() == "Once upon a time 我喜欢猫"  # the BOM is not text

    bad = tmp_path / "binary.txt"
    bad.write_bytes(b"abc\xff\xfe\x00")
    window.open_text_file(bad)
    assert "not UTF-8" in window.banner.text
    assert window.text_input.toPlainText() == "Once upon a time 我喜欢猫"  # nothing lost
