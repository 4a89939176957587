"""What a new user hit in the second round (issue 24), each driven through the real window."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

from attnlab.engine.api.results import LensResult

PROMPT = "the cat sat on the mat"
BLOCK_S = 1.0  # what one block of a long text's lens forward costs, simulated on a tiny model


def _slow_full_forwards(window) -> int:
    """Make every forward of more than one token cost BLOCK_S per block (a long text's lens), leaving a
    one-token step fast; returns how many blocks the model has."""
    model = window.client._thread_engine.worker._handlers._session.model  # the suite runs the engine in a thread
    layers = list(model.transformer.h)

    def slow(module, args, kwargs):
        hidden = args[0] if args else kwargs["hidden_states"]
        if hidden.shape[1] > 1:
            time.sleep(BLOCK_S)

    for block in layers:
        block.register_forward_pre_hook(slow, with_kwargs=True)
    return len(layers)


# -- 1: Step never waits for the Explain-the-Prediction dock ----------------------------------------
def test_a_step_does_not_wait_for_the_lens(open_window, qtbot, tiny_folders, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    with qtbot.waitSignal(
        window.client.prediction_explained, timeout=20_000, check_params_cb=lambda r: isinstance(r, LensResult)
    ):
        window.prediction.toggleViewAction().trigger()
    wait_idle(window)
    blocks = _slow_full_forwards(window)
    view = window.prediction.view
    view.clear_lens()  # nothing to extend: the lens after the step is a forward of the whole text
    with qtbot.waitSignal(window.client.stepped, timeout=20_000):
        qtbot.mouseClick(window.generation.step_button, Qt.MouseButton.LeftButton)
    qtbot.wait(300)  # the lens forward is inside its first block now
    began = time.monotonic()
    with qtbot.waitSignal(window.client.stepped, timeout=20_000):
        qtbot.mouseClick(window.generation.step_button, Qt.MouseButton.LeftButton)
    waited = time.monotonic() - began
    assert blocks == 2 and waited < BLOCK_S * 1.5, f"the step waited {waited:.2f} s for a lens nobody asked for"
    assert len(window.document.steps) == 2
    qtbot.waitUntil(lambda: view.lens_progress.isVisibleTo(view), timeout=2_000)  # computing, said in the dock
    # and the lens still comes, of the input as it is now
    with qtbot.waitSignal(
        window.client.prediction_explained, timeout=20_000, check_params_cb=lambda r: isinstance(r, LensResult)
    ) as reply:
        pass
    wait_idle(window)
    assert len(reply.args[0].tokens) == len(window.document.prefix_tokens) + 2  # the prompt and both steps
    assert not view.lens_progress.isVisibleTo(view)


def test_a_new_text_clears_the_old_lens(open_window, qtbot, tiny_folders, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    with qtbot.waitSignal(
        window.client.prediction_explained, timeout=20_000, check_params_cb=lambda r: isinstance(r, LensResult)
    ):
        window.prediction.toggleViewAction().trigger()
    wait_idle(window)
    view = window.prediction.view
    assert view.lens_table.columnCount() == len(window.document.prefix_tokens)
    blocks = _slow_full_forwards(window)
    assert blocks
    with qtbot.waitSignal(window.client.analysed, timeout=20_000):
        window.set_text("the dog")
    assert view.lens_table.columnCount() == 0  # never the previous text's lens, while the new one is computed
    with qtbot.waitSignal(
        window.client.prediction_explained, timeout=20_000, check_params_cb=lambda r: isinstance(r, LensResult)
    ):
        pass
    wait_idle(window)
    assert view.lens_table.columnCount() == len(window.document.prefix_tokens) < 6


# -- 2: "when generated" survives a save and reopen ------------------------------------------------
def _what_the_generated_tokens_show(window) -> list[tuple]:
    """Per generated token: the chip's (now, then, changed) and the candidates' "when generated" column."""
    out = []
    prefix = len(window.document.prefix_tokens)
    for index in range(len(window.document.steps)):
        chip = window.token_strip.chip(prefix + index)
        window.document.select(index)
        view = window.document.candidates()
        out.append((chip.prob_now, chip.prob_then, chip.changed, [c.token_id for c in view.candidates], view.then))
    window.document.select(None)
    return out


def test_when_generated_survives_save_and_reopen(open_window, qtbot, wait_idle, tmp_path):
    from attnlab.engine.api.saved_session import read_session

    window = open_window("tiny-gpt", text=PROMPT)
    for _ in range(4):
        window.step()
        wait_idle(window)
    generated_under = [s.prob for s in window.document.steps]  # before any knock-out: what was generated
    window.set_mark(2, "knockout")
    wait_idle(window)
    before = _what_the_generated_tokens_show(window)
    assert [then for _, then, *_ in before] == pytest.approx(generated_under)
    assert any(abs(now - then) > 1e-3 for now, then, *_ in before)  # the knock-out changed something
    path = tmp_path / "run.attnlab"
    assert window.sessions.save(path)
    saved = read_session(path)
    assert [w.token_id for w in saved.when_generated] == list(saved.generated)
    assert [w.prob for w in saved.when_generated] == pytest.approx(generated_under)

    reopened = open_window("tiny-gpt", text="something else")
    reopened.sessions.open(path)
    qtbot.waitUntil(lambda: reopened.is_idle() and len(reopened.document.steps) == 4, timeout=20_000)
    after = _what_the_generated_tokens_show(reopened)
    for (now, then, changed, ids, column), (now2, then2, changed2, ids2, column2) in zip(before, after, strict=True):
        assert now2 == pytest.approx(now, abs=1e-4) and then2 == pytest.approx(then, abs=1e-6)
        assert changed2 == changed and ids2 == ids
        assert [c is None for c in column2] == [c is None for c in column]
        assert [c for c in column2 if c is not None] == pytest.approx([c for c in column if c is not None], abs=1e-6)
    shown = reopened.candidates  # the latest step's table shows its "when generated" column where it changed
    assert shown.isColumnHidden(2) == window.candidates.isColumnHidden(2)


# -- 3: double-click on a branch switches to it; F2 renames ----------------------------------------
def _two_branches(window, qtbot, wait_idle) -> list[int]:
    with qtbot.waitSignal(window.client.run_finished, timeout=20_000):
        window.run(3)
    wait_idle(window)
    main_ids = [s.token_id for s in window.document.steps]
    window.select_token(len(window.document.prefix_tokens) + 1)
    other = next(c.token_id for c in window.document.candidates().candidates if c.token_id != main_ids[1])
    window.choose(other, False)
    wait_idle(window)
    return main_ids


def test_double_click_on_a_branch_switches_to_it(open_window, qtbot, tiny_folders, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    main_ids = _two_branches(window, qtbot, wait_idle)
    panel = window.sessions.branches.panel
    assert panel.isVisible() and panel.current == 1
    outline = panel.list
    switched: list[int] = []
    panel.switch_requested.connect(switched.append)
    main_row = outline.visualItemRect(outline.item(0)).center()
    qtbot.mouseClick(outline.viewport(), Qt.MouseButton.LeftButton, pos=main_row)  # a real double-click: a
    qtbot.mouseDClick(outline.viewport(), Qt.MouseButton.LeftButton, pos=main_row)  # press, then the double
    qtbot.waitUntil(
        lambda: window.is_idle() and [s.token_id for s in window.document.steps] == main_ids, timeout=20_000
    )
    assert outline.state() != outline.State.EditingState  # no editor opened over the name
    assert panel.names() == ["main", "branch 2"] and panel.current == 0
    # F2 still renames
    outline.setCurrentRow(1)
    outline.setFocus()
    qtbot.keyClick(outline, Qt.Key.Key_F2)
    assert outline.state() == outline.State.EditingState
    assert switched == [0]  # one switch for the one double-click, none for F2


# -- 6: the candidates table drops its selection when it shows another choice ------------------------
def test_candidates_selection_does_not_outlive_its_step(open_window, qtbot, tiny_folders, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    table = window.candidates

    def click_row(row: int) -> None:
        qtbot.mouseClick(
            table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(row, 0)).center()
        )
        assert table.selectedItems()

    click_row(2)
    qtbot.mouseClick(window.generation.step_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    assert not table.selectedItems(), "a step left another token looking chosen"
    click_row(1)
    window.undo()
    wait_idle(window)
    assert not table.selectedItems(), "an undo left another token looking chosen"
    click_row(3)
    with qtbot.waitSignal(window.model_loaded, timeout=60_000):
        window.load("tiny-gpt")
    wait_idle(window)
    assert not table.selectedItems(), "a model switch left another token looking chosen"


# -- 4: the Lesson panel comes back with its lesson after a restart ---------------------------------
def test_the_lesson_panel_restores_its_lesson(qtbot, fresh_settings):
    from attnlab.app import i18n
    from attnlab.app.main_window import MainWindow

    i18n.set_current_language("en")
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    with qtbot.waitSignal(first.model_loaded, timeout=60_000):
        next(a for a in first.menus["lessonsMenu"].actions() if a.objectName() == "lesson_multi-head").trigger()
    qtbot.waitUntil(first.is_idle, timeout=20_000)
    first.close()

    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    panel = again.lessons.panel
    try:
        qtbot.waitUntil(panel.isVisible, timeout=5_000)
        lesson = again.lessons.lesson("multi-head")
        assert panel.title.text() == lesson.text_in("en").title
        assert panel.try_this.text() == lesson.text_in("en").try_this
        assert panel.action_button.text() or panel.action_button.isHidden()  # never a blank button
        assert again.lessons.current is lesson
        qtbot.mouseClick(panel.findChild(type(panel.action_button), "lessonNext"), Qt.MouseButton.LeftButton)
        assert again.lessons.current is again.lessons.lessons[lesson.number]  # Next goes on, to lesson 5
    finally:
        again.close()
        i18n.set_current_language("")


# -- 5: the lessons say what the window does ---------------------------------------------------------
def _open_lesson(window, qtbot, lesson_id: str):
    lesson = window.lessons.lesson(lesson_id)
    with qtbot.waitSignal(window.model_loaded, timeout=60_000):
        window.lessons.open(lesson)
    qtbot.waitUntil(lambda: window.is_idle() and window.document.analysis is not None, timeout=20_000)
    return lesson


def test_lesson_one_says_what_a_click_and_a_double_click_do(qtbot, fresh_settings, wait_idle):
    from attnlab.app.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        lesson = _open_lesson(window, qtbot, "next-token")
        for language in ("en", "zh_CN"):
            assert "click the second candidate" not in lesson.text_in(language).try_this
        assert "double-click" in lesson.text_in("en").try_this and "双击" in lesson.text_in("zh_CN").try_this
        window.step()
        wait_idle(window)
        table = window.candidates
        taken = window.document.steps[-1].token_id
        assert table.item(0, 0).text().startswith("▶")  # after a step: the choices of the step just taken
        rect = table.visualItemRect(table.item(1, 0))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        wait_idle(window)
        assert [s.token_id for s in window.document.steps][-1] == taken  # a click only selects
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        wait_idle(window)
        assert len(window.document.steps) == 1 and window.document.steps[-1].token_id != taken  # replaced
    finally:
        window.close()


def test_lesson_four_shows_the_induction_column_and_says_where_the_picker_is(qtbot, fresh_settings, wait_idle):
    from attnlab.app.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1500, 950)
    window.show()
    try:
        lesson = _open_lesson(window, qtbot, "multi-head")
        table = window.attention.heads_table
        qtbot.waitUntil(lambda: "induction" in table.columns, timeout=20_000)
        column = table.columns.index("induction")
        assert table.horizontalHeader().visualIndex(column) == 2  # next to "head"
        right = table.columnViewportPosition(column) + table.columnWidth(column)
        assert table.columnViewportPosition(column) >= 0 and right <= table.viewport().width()  # in sight
        bar, grid = window.attention.scores_bar, window.attention.grid
        below = bar.mapTo(window, bar.rect().topLeft()).y() > grid.mapTo(window, grid.rect().topLeft()).y()
        assert below and "below the grid" in " ".join(lesson.text_in("en").body)
        assert "网格下方" in " ".join(lesson.text_in("zh_CN").body)
    finally:
        window.close()


def test_lesson_five_says_which_word_a_row_looks_at():
    from attnlab.app.lessons import load_lessons

    lesson = next(lesson for lesson in load_lessons() if lesson.id == "encoder-decoder")
    assert "comes from" not in lesson.text_in("en").try_this
    assert "about to write" in lesson.text_in("en").try_this and "接下来要写出" in lesson.text_in("zh_CN").try_this


# -- 10: status messages go when they stop being true -------------------------------------------------
def test_work_messages_are_cleared_when_the_work_ends(open_window, qtbot, tiny_folders, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    bar = window.statusBar()
    for _ in range(2):
        window.step()
        wait_idle(window)
    with qtbot.waitSignal(window.client.analysed, timeout=20_000):
        window.set_mark(2, "knockout")
        assert "Re-running" in bar.currentMessage()  # true while the rerun runs
    wait_idle(window)
    assert "Re-running" not in bar.currentMessage()  # and gone once it is done
    # a long text's reading progress, then a short text replaces it
    window.client.analysis_progressed.emit("reading the text: 2,912 of 2,912 tokens", 1.0)
    assert "2,912" in bar.currentMessage()
    with qtbot.waitSignal(window.client.analysed, timeout=20_000):
        window.set_text("the dog")
    assert "2,912" not in bar.currentMessage()
    bar.showMessage("Saved run.attnlab")  # a message of something else is left alone
    window.set_mark(1, "knockout")
    wait_idle(window)
    assert bar.currentMessage() == "Saved run.attnlab"


# -- 11: Step/Run/Stop and the candidates stay under the pointer ------------------------------------
def test_buttons_and_candidates_do_not_move(open_window, qtbot, tiny_folders, wait_idle):
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    window.resize(900, 800)
    wait_idle(window)

    def top(widget) -> int:
        return widget.mapTo(window, widget.rect().topLeft()).y()

    buttons, table = window.generation.step_button, window.candidates
    where = (top(buttons), top(table))
    seen = []
    window.client.stepped.connect(lambda *_: seen.append((top(buttons), top(table))))
    window.generation.run_count.setValue(40)
    with qtbot.waitSignal(window.client.run_finished, timeout=60_000):
        qtbot.mouseClick(window.generation.run_button, Qt.MouseButton.LeftButton)
    wait_idle(window)
    rows = window.token_strip._wrap.row_count()
    assert rows >= 3, "the run should have added rows to the strip"
    assert set(seen) == {where}, "Step/Run/Stop or the candidates moved during the run"
    gap = top(table) - top(buttons)  # the strip above may grow or shrink after the run, the two move together
    _two_branches(window, qtbot, wait_idle)
    assert window.sessions.branches.panel.isVisible()
    assert top(table) - top(buttons) == gap, "the Branches box pushed the candidates down"


# -- 9: each bundled model opens on an example it was trained for ----------------------------------
@pytest.mark.parametrize(
    ("model", "unknown", "steps", "expected"),
    [("tiny-seq2seq", "<unk>", 5, "1245"), ("tiny-gpt", "<unk>", 2, " Paris."), ("tiny-bert", "[UNK]", 0, "")],
)
def test_bundled_models_open_on_what_they_know(open_window, wait_idle, model, unknown, steps, expected):
    from attnlab.app import i18n

    i18n.set_current_language("en")
    try:
        window = open_window(model)
        tokens = window.document.input_tokens
        assert tokens and unknown not in tokens, f"{model} opened on {tokens}"
        for _ in range(steps):
            window.step()
            wait_idle(window)
        assert "".join(window.document.generated).replace("</s>", "") == expected
    finally:
        i18n.set_current_language("")


# -- 15: polish ---------------------------------------------------------------------------------------
def test_the_title_names_attnlab_once(open_window, qtbot, tiny_folders, wait_idle, tmp_path):
    from PySide6.QtGui import QGuiApplication

    before = QGuiApplication.applicationDisplayName()
    QGuiApplication.setApplicationDisplayName("attnlab")  # as `attnlab` sets it: Qt adds " — attnlab" to titles
    try:
        window = open_window(tiny_folders["gpt2"], text=PROMPT)
        window.sessions._show_title()
        shown = f"{window.windowTitle()} — {QGuiApplication.applicationDisplayName()}"  # what the title bar reads
        assert shown.count("attnlab") == 1 and "gpt2" in shown
        assert window.sessions.save(tmp_path / "run.attnlab")
        assert window.windowTitle().endswith("run.attnlab")
    finally:
        QGuiApplication.setApplicationDisplayName(before)


def test_save_and_export_dialogs_start_in_documents_then_the_last_folder(
    open_window, qtbot, tiny_folders, wait_idle, tmp_path, monkeypatch
):
    from pathlib import Path

    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QFileDialog

    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr(QStandardPaths, "writableLocation", lambda _where: str(documents))
    asked: list[str] = []
    answers = iter([str(tmp_path / "runs" / "first.attnlab"), "", str(tmp_path / "runs" / "heatmap.png"), ""])

    def dialog(_parent, _title, start, _filters="", *rest):
        asked.append(start)
        return next(answers), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    (tmp_path / "runs").mkdir()
    window = open_window(tiny_folders["gpt2"], text=PROMPT)
    window.sessions.save_as()  # the first dialog: the documents folder
    assert asked[0] == str(documents)
    window.sessions.path = None
    window.sessions.save_as()  # then the folder last used
    assert asked[1] == str(tmp_path / "runs")
    window.figures.ask_and_export("heatmap")
    wait_idle(window)
    assert Path(asked[2]).parent == tmp_path / "runs"
    assert (tmp_path / "runs" / "heatmap.png").exists()
