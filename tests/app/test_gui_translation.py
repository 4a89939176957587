"""The interface in Simplified Chinese: no English left in the window, its menus, panels and dialogs.

English words are allowed only where they are names or data: model names, token text, the
formula's symbols, file patterns. Everything else a user reads must come from the translation.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Set as AbstractSet
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTreeWidget,
    QWidget,
)

from attnlab.app.engine_messages import translate_engine_message
from attnlab.app.i18n import install_language, translation_file
from attnlab.app.plots.plot_title import TitledView
from attnlab.engine.api.messages import message as engine_message

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_TS = ROOT / "resources" / "i18n" / "attnlab_zh_CN.ts"
TOOLS = Path(sys.executable).parent  # pyside6-lupdate and pyside6-lrelease come with PySide6

# Names, units and symbols that stay as they are in Chinese text.
ALLOWED = {
    "attnlab",
    "English",
    "BERT",
    "GPT",
    "SmolLM",
    "tiny",
    "gpt",
    "bert",
    "seq2seq",
    "Instruct",
    "GGUF",
    "gguf",
    "GiB",
    "MiB",
    "KB",
    "MB",
    "GB",
    "pip",
    "txt",
    "top",
    "cuda",
    "mps",
    "bfloat",
    "float",
    "Hugging",
    "Face",
    "PageUp",
    "PageDown",
    "Tab",
    "PNG",
    "SVG",
    "PDF",
    "CSV",
    "npy",
    "NumPy",
    "dpi",
    "MASK",
    "CLS",
    "SEP",
    "softmax",
    "QK",
    "logit",
    "logsumexp",
    "exp",
    "tanh",
    "softcap",
    "Apache",
    "License",
    "hub",
    "cpu",
    "float32",
    "CPU",
    "GPU",
    "CUDA",
    "safetensors",
    "bin",
    "pickle",
    "Transformer",
    "Enter",
    "config",
    "json",
    "Ctrl",
    "Shift",
    "Return",
    "Esc",
    "Backspace",
    "UTF",
    "Unicode",
    "org",
    "id",
    "pt",
    "eos",
}
WORD = re.compile(r"[A-Za-z]{2,}")


def english(text: str, data: AbstractSet[str] = frozenset()) -> list[str]:
    return [w for w in WORD.findall(text) if w not in ALLOWED and w not in data]


@pytest.fixture
def chinese():
    application = QApplication.instance()
    assert translation_file("zh_CN") is not None, "run `make translations`"
    assert install_language(application, "zh_CN")
    yield
    install_language(application, "en")


def _menu_texts(menu: QMenu) -> list[str]:
    texts = [menu.title(), menu.toolTip() if menu.toolTip() != menu.title() else ""]
    for action in menu.actions():
        texts += [
            action.text(),
            action.toolTip() if action.toolTip() != action.text().replace("&", "") else "",
            action.statusTip(),
        ]
        if action.menu() is not None:
            texts += _menu_texts(action.menu())
    return texts


def _visible_texts(window: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every text a user can read in the window now (token text and model names aside)."""
    found: list[tuple[str, str]] = []

    def add(widget: QWidget, *texts: str) -> None:
        name = widget.objectName() or type(widget).__name__
        found.extend((name, text) for text in texts if text)

    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        add(widget, widget.toolTip(), widget.statusTip(), widget.whatsThis())
        if isinstance(widget, QLabel):
            add(widget, widget.text())
        elif isinstance(widget, QAbstractButton):
            add(widget, widget.text())
            if getattr(widget, "menu", None) and widget.menu() is not None:  # type: ignore[attr-defined]  # QPushButton, QToolButton
                add(widget, *_menu_texts(widget.menu()))  # type: ignore[attr-defined]  # as above
        elif isinstance(widget, (QLineEdit, QPlainTextEdit)):
            add(widget, widget.placeholderText())
        elif isinstance(widget, QGroupBox | QDockWidget):
            add(widget, widget.title() if isinstance(widget, QGroupBox) else widget.windowTitle())
        elif isinstance(widget, QSpinBox):
            add(widget, widget.prefix(), widget.suffix(), widget.specialValueText())
        elif isinstance(widget, QComboBox):
            items = [widget.itemText(i) for i in range(widget.count())]
            if widget.objectName() == "modelList":  # a model's name is data; its kind, size and source are not
                items = [text.partition("  ·  ")[2] for text in items]
            add(widget, *items)
        elif isinstance(widget, QTableWidget):
            add(
                widget,
                *(
                    widget.horizontalHeaderItem(i).text()
                    for i in range(widget.columnCount())
                    if widget.horizontalHeaderItem(i) is not None
                ),
            )
        elif isinstance(widget, QTreeWidget):
            header = widget.headerItem()
            add(widget, *(header.text(i) for i in range(widget.columnCount())))
        if isinstance(widget, TitledView):
            add(widget, widget.title)
            for side in ("left", "bottom"):
                add(widget, widget.plot.getAxis(side).labelText)
    for menu in window.menus.values():
        found.extend(("menu", text) for text in _menu_texts(menu) if text)
    found.extend(("tokenMenu", text) for text in _menu_texts(window.token_strip.menu_for(0)) if text)
    return found


def _left_in_english(window, data: set[str]) -> list[tuple[str, str]]:
    return [(where, text) for where, text in _visible_texts(window) if english(text, data)]


@pytest.mark.parametrize(
    ("model", "text", "lesson"),
    [
        ("tiny-gpt", "法国的首都是", "next-token"),
        ("tiny-bert", "法国的首都是[MASK][MASK]。", "masked-lm"),
        ("tiny-seq2seq", "", "encoder-decoder"),
    ],
)
def test_no_english_is_left_in_the_window(chinese, open_window, qtbot, wait_idle, model, text, lesson):
    window = open_window(model, text=text or None, source="一千零二十三" if not text else None)
    with qtbot.waitSignal(window.view_updated, timeout=20_000):
        window.lessons.open(lesson)
    wait_idle(window)
    for dock in window.findChildren(QDockWidget):  # the prediction panel and the others, opened
        dock.show()
    qtbot.wait(50)
    wait_idle(window)
    info = window.document.info
    data = {
        info.name,
        *WORD.findall(info.name),
        *WORD.findall(info.architecture),
        *WORD.findall(info.device),
        *WORD.findall(info.dtype),
    }
    for token in window.document.plain_tokens + tuple(s.text for s in window.document.steps):
        data.update(WORD.findall(token))
    left = _left_in_english(window, data)
    assert not left, "\n".join(f"{where}: {text!r}" for where, text in left)


def test_the_model_list_says_kind_size_and_source_in_chinese(chinese, open_window):
    window = open_window("tiny-gpt")
    models = window.picker.models
    items = {models.itemData(i): models.itemText(i) for i in range(models.count())}
    megabytes = (ROOT / "resources" / "models" / "tiny-gpt" / "model.safetensors").stat().st_size / 2**20
    assert items["tiny-gpt"] == f"tiny-gpt  ·  解码器，{megabytes:.1f} MB，内置"
    assert items["tiny-bert"].split("  ·  ")[1].startswith("编码器，")
    assert items["tiny-seq2seq"].split("  ·  ")[1].startswith("编码器-解码器，")
    for text in items.values():
        assert not english(text.partition("  ·  ")[2]), text


def test_the_formula_inspector_labels_its_row_bars_in_chinese(chinese, open_window, qtbot, wait_idle):
    window = open_window("tiny-gpt", text="狗的叫声是汪汪。")
    window.lessons.open("formula")  # opens the inspector on a cell
    qtbot.waitUntil(lambda: window.attention.formula.bars.isVisible(), timeout=20_000)
    assert window.attention.formula.bars.names() == ("logit", "概率")


def test_branches_are_named_and_refused_in_chinese(chinese, open_window, qtbot, wait_idle):
    window = open_window("tiny-gpt", text="法国的首都是")
    with qtbot.waitSignal(window.client.run_finished, timeout=20_000):
        window.run(3)
    wait_idle(window)
    taken = window.document.steps[1].token_id
    window.select_token(len(window.document.prefix_tokens) + 1)
    window.choose(next(c.token_id for c in window.document.candidates().candidates if c.token_id != taken), False)
    wait_idle(window)
    branches = window.sessions.branches
    assert branches.panel.names() == ["主分支", "分支 2"]
    branches.delete(branches.tree.current)  # the branch shown: refused, in Chinese
    assert window.banner.text == "这是正在显示的分支：请先切换到另一个分支，再删除它"
    assert branches.panel.names() == ["主分支", "分支 2"]


def test_dialogs_are_chinese(chinese, open_window, monkeypatch):
    window = open_window("tiny-gpt", text="狗有")
    shown: list[str] = []

    def open_file(_parent, title="", _folder="", filter="", *_args, **_kwargs):
        shown.extend([title, filter])
        return "", ""

    def open_folder(_parent, title="", *_args, **_kwargs):
        shown.append(title)
        return ""

    monkeypatch.setattr(QMessageBox, "about", lambda _parent, title, text: shown.extend([title, text]))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", open_file)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", open_file)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", open_folder)
    names = (
        "aboutAction",
        "openTextAction",
        "openSessionAction",
        "saveSessionAsAction",
        "exportFigureAction",
        "shortcutsAction",
    )
    for name in names:
        next(a for m in window.menus.values() for a in m.actions() if a.objectName() == name).trigger()
    for menu_action in window.picker.open_button.menu().actions():
        menu_action.trigger()
    shortcuts = window.findChild(QMessageBox, "shortcutsDialog")
    assert shortcuts is not None
    shown += [shortcuts.windowTitle(), shortcuts.text(), *(b.text() for b in shortcuts.buttons())]
    shortcuts.close()
    assert len(shown) >= 14
    keys = {
        "Ctrl",
        "Shift",
        "Return",
        "Esc",
        "Backspace",
        "PgUp",
        "PgDown",
        "Home",
        "End",
        "Enter",
        "Tab",
        "Del",
        "Alt",
        "Ins",
        "F1",
        "Up",
        "Down",
        "Left",
        "Right",
        "nbsp",
    }
    left = [text for text in shown if english(re.sub(r"<[^>]+>|\(\*\.\w+\)|\*", " ", text), keys)]
    assert not left, left


def test_engine_messages_are_translated_in_the_window_only(chinese):
    from attnlab.engine.api.config import SamplingConfig

    with pytest.raises(ValueError) as caught:
        SamplingConfig(greedy=False, temperature=0.0)  # the engine's own words
    message = str(caught.value)
    translated = translate_engine_message(caught.value.message)  # by its code, not by its English
    assert translated != message and not english(translated.replace("greedy", ""), {"temperature"})
    assert "0.0" in translated  # the value is kept
    assert translate_engine_message(engine_message("source_empty")) == "源文本是空的：请先输入要转换的文本"
    assert translate_engine_message(engine_message("text_empty", what="text")) == "文本是空的：请先输入一些文字"
    assert translate_engine_message("something new") == "something new"  # unknown: shown as the engine wrote it


@pytest.mark.parametrize("on_gpu, spread", [(False, False), (True, False), (True, True)])
def test_the_memory_refusal_before_loading_is_translated(chinese, tmp_path, on_gpu, spread):
    """The load estimate's refusal, as loading words it, reads as Chinese with its sizes kept."""
    from types import SimpleNamespace

    from attnlab.engine.api.errors import ModelLoadError
    from attnlab.engine.models.load_estimate import Estimate
    from attnlab.engine.models.loading import _check_fits

    needed = Estimate(weights=70 * 2**30, attention=2**30, tokens=1024)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("attnlab.engine.models.loading.estimate", lambda *args: needed)
        patch.setattr("attnlab.engine.models.loading.available_memory", lambda: 8 * 2**30)
        patch.setattr("attnlab.engine.models.loading._gpu_free", lambda device, spread: 4 * 2**30 if on_gpu else 0)
        with pytest.raises(ModelLoadError) as caught:
            options = SimpleNamespace(device_map="auto" if spread else None, tokens=1024, allow_pickle=False)
            _check_fits("SmolLM2", tmp_path, {}, "float32", SimpleNamespace(type="cuda" if on_gpu else "cpu"), options)
    message = str(caught.value)
    translated = translate_engine_message(caught.value.message)
    assert translated != message and not english(
        translated, {"SmolLM2", "float16", "bfloat16", "device", "map", "auto", "GPU", "GiB", "MiB"}
    )
    for size in ("70.00 GiB", "1.00 GiB", "6.40 GiB"):  # the sizes the engine named are kept
        assert size in message and size in translated


def _messages(ts: Path) -> dict[tuple[str, str], str]:
    """(context, source) -> translation ("" when unfinished) of a .ts file."""
    found = {}
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            done = translation is not None and translation.get("type") not in ("unfinished", "vanished", "obsolete")
            found[(name, message.findtext("source") or "")] = (translation.text or "") if done else ""
    return found


@pytest.mark.skipif(not (TOOLS / "pyside6-lupdate").exists(), reason="needs PySide6's lupdate")
def test_every_string_of_the_app_is_translated_and_compiled(tmp_path):
    fresh = tmp_path / "fresh.ts"
    sources = sorted(str(p) for p in (ROOT / "app").rglob("*.py"))
    subprocess.run([str(TOOLS / "pyside6-lupdate"), *sources, "-ts", str(fresh)], check=True, capture_output=True)
    wanted = set(_messages(fresh))
    shipped = _messages(SHIPPED_TS)
    missing = sorted(key for key in wanted if not shipped.get(key))
    assert len(wanted) > 200 and not missing, f"untranslated (run `make translations`): {missing}"
    compiled = tmp_path / "fresh.qm"
    subprocess.run(
        [str(TOOLS / "pyside6-lrelease"), str(SHIPPED_TS), "-qm", str(compiled)], check=True, capture_output=True
    )
    assert compiled.read_bytes() == translation_file("zh_CN").read_bytes(), "the .qm is older than the .ts"


def test_the_language_is_chosen_in_the_settings_and_applies_at_the_next_start(qtbot, fresh_settings):
    from attnlab.app.i18n import LANGUAGE_KEY, chosen_language, current_language
    from attnlab.app.main_window import MainWindow

    application = QApplication.instance()
    window = MainWindow(settings=fresh_settings)
    qtbot.addWidget(window)
    assert chosen_language(fresh_settings) == ""  # never chosen: the system's language
    menu = window.findChild(QMenu, "languageMenu")
    assert menu is not None and menu.menuAction().isVisible()
    next(a for a in menu.actions() if a.objectName() == "language_zh_CN").trigger()
    assert fresh_settings.value(LANGUAGE_KEY) == "zh_CN"
    assert "restart" in window.statusBar().currentMessage()  # said in the language shown now
    assert window.menus["fileMenu"].title() == "&File"  # this window keeps its language
    window.close()
    try:
        assert install_language(application, chosen_language(fresh_settings))  # what the next start does
        assert current_language() == "zh_CN"
        again = MainWindow(settings=fresh_settings)
        qtbot.addWidget(again)
        assert again.menus["fileMenu"].title() == "文件(&F)"
        again.close()
    finally:
        install_language(application, "en")


def test_every_translation_keeps_its_placeholders_and_accelerator():
    """{0}, {name}, %1 and &X of each source string are in its translation (a lost one crashes .format)."""
    marks = re.compile(r"\{[^}]*\}|%\d|%v|%m|&\w")
    wrong = [
        (source, text)
        for (_context, source), text in _messages(SHIPPED_TS).items()
        if sorted(marks.findall(source)) != sorted(marks.findall(text))
    ]
    assert not wrong, wrong
