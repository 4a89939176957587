"""Learn ▸ Train a Tiny Model… in the real window: training runs in its own process and its curves are
plotted live; the timeline loads a checkpoint into every view (the heatmap equals a plain eager forward
of that checkpoint folder); closing the window while training asks, and stopping keeps what was trained."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest
import torch
from PySide6.QtWidgets import QMessageBox
from transformers import AutoModelForCausalLM, AutoTokenizer

from attnlab.engine.api.train_run import CURVES_FILE
from attnlab.engine.api.train_spec import DEFAULTS
from attnlab.engine.train.trainer import train

PROCESS_MS = 180_000  # a training process imports torch first
TEXT = "ba de fi go ba de fi go"
QUICK = ["--kind", "induction", "--steps", "6", "--eval-every", "2", "--checkpoint-every", "3"]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    spec = replace(DEFAULTS["induction"], context=24, lr=1e-2, steps=120, eval_every=20, checkpoint_every=60)
    return train(spec, tmp_path_factory.mktemp("runs") / "induction")


def test_an_opened_run_plots_its_curves_and_a_checkpoint_shows_in_the_heatmap(
    open_window, qtbot, wait_idle, finished_run
):
    window = open_window("tiny-gpt")
    dock = window.training.dock
    window.training.open_folder(finished_run.folder)
    assert dock.isVisible()
    steps, heldout = dock.heldout_curve.getData()
    assert list(steps) == [r.step for r in finished_run.records]
    np.testing.assert_allclose(heldout, [r.heldout_loss for r in finished_run.records])
    assert len(dock.head_curves) == 2 * 4
    _, best_head = dock.head_curves[int(np.argmax(finished_run.records[-1].induction))].getData()
    assert best_head[-1] == pytest.approx(float(np.max(finished_run.records[-1].induction)), abs=1e-6)
    # The fixed-offset head scores low on the probe's other period: no step is marked (lesson 7).
    assert finished_run.phase_step is None and not dock.phase_lines[0].isVisible()
    assert dock.slider.maximum() == len(finished_run.checkpoints) - 1

    qtbot.waitUntil(lambda: "step-000120" in window.windowTitle(), timeout=60_000)  # opening shows the last
    window.set_text(TEXT)
    wait_idle(window)
    window.show_attention("decoder", 1, 0)
    wait_idle(window)
    shown = window.attention.heatmap.matrix
    folder = finished_run.checkpoints[-1][1]
    model = AutoModelForCausalLM.from_pretrained(folder, attn_implementation="eager")
    ids = AutoTokenizer.from_pretrained(folder)(TEXT, return_tensors="pt")["input_ids"]
    with torch.no_grad():
        eager = model(ids, output_attentions=True).attentions[1][0, 0].numpy()
    assert shown.shape == eager.shape
    np.testing.assert_allclose(shown, eager, atol=2e-3)  # the store keeps float16

    with qtbot.waitSignal(window.model_loaded, timeout=60_000):
        dock.choose_checkpoint(0)  # scrub back to the untrained model: the views follow
    wait_idle(window)
    assert "step-000000" in window.windowTitle() and window.text_input.toPlainText() == TEXT
    assert (window.attention.picker.layer, window.attention.picker.head) == (1, 0)  # the view is kept
    first = AutoModelForCausalLM.from_pretrained(finished_run.checkpoints[0][1], attn_implementation="eager")
    with torch.no_grad():
        untrained = first(ids, output_attentions=True).attentions[1][0, 0].numpy()
    np.testing.assert_allclose(window.attention.heatmap.matrix, untrained, atol=2e-3)


def test_the_first_step_a_head_passes_the_phase_score_is_marked(open_window, finished_run, tmp_path):
    folder = tmp_path / "marked"
    shutil.copytree(finished_run.folder, folder)
    records = [json.loads(line) for line in (folder / CURVES_FILE).read_text().splitlines()]
    for record in records:
        if record["step"] >= 60:
            record["induction"][1][2] = 0.9  # as a real induction head would score
    (folder / CURVES_FILE).write_text("".join(json.dumps(r) + "\n" for r in records))
    window = open_window("tiny-gpt")
    dock = window.training.dock
    window.training.open_folder(folder)
    loss, _, heads = dock.phase_lines  # the middle one is BERT's accuracy plot
    assert all(line.isVisible() and line.value() == 60 for line in (loss, heads))


def test_training_runs_in_its_own_process_and_is_plotted_as_it_goes(open_window, qtbot, tmp_path):
    window = open_window("tiny-gpt")
    controller = window.training
    folder = tmp_path / "run"
    with qtbot.waitSignal(controller.process.finished, timeout=PROCESS_MS) as finished:
        controller.start(QUICK, folder, "induction")
        assert controller.process.running and window.isVisible()
    assert finished.args[0] == "finished"
    records = [json.loads(line) for line in (folder / "curves.jsonl").read_text().splitlines()]
    assert [r.step for r in controller.dock.records] == [r["step"] for r in records] == [0, 2, 4, 6]
    _, shown = controller.dock.heldout_curve.getData()
    np.testing.assert_allclose(shown, [r["heldout_loss"] for r in records], rtol=1e-6)
    assert [s for s, _ in controller.dock.checkpoint_list] == [0, 3, 6]
    assert controller.dock.new_button.isEnabled() and not controller.dock.stop_button.isEnabled()


def test_closing_while_training_asks_and_stopping_keeps_the_checkpoints(open_window, qtbot, tmp_path, monkeypatch):
    window = open_window("tiny-gpt")
    controller = window.training
    folder = tmp_path / "run"
    controller.start(
        ["--kind", "induction", "--steps", "100000", "--eval-every", "5", "--checkpoint-every", "1000"],
        folder,
        "induction",
    )
    qtbot.waitUntil(lambda: len(controller.dock.records) >= 2, timeout=PROCESS_MS)
    controller.dock.pause_button.click()
    assert controller.dock.pause_button.text() == "Resume"
    qtbot.waitUntil(lambda: json.loads((folder / "run.json").read_text())["status"] == "paused", timeout=30_000)
    controller.dock.pause_button.click()
    qtbot.waitUntil(lambda: json.loads((folder / "run.json").read_text())["status"] == "running", timeout=30_000)

    asked: list[str] = []

    def answer(button):
        def question(*args, **kwargs):
            asked.append(args[1])
            return button

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    window.close()
    assert asked and window.isVisible() and controller.process.running  # nothing stopped
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    window.close()
    assert not window.isVisible() and not controller.process.running
    status = json.loads((folder / "run.json").read_text())["status"]
    assert status == "stopped"
    kept = sorted(p.name for p in (folder / "checkpoints").iterdir())
    assert kept[0] == "step-000000" and len(kept) == 2  # the start and the last step trained


def test_the_dialogs_defaults_are_the_specs(open_window, monkeypatch):
    """Learn ▸ Train a Tiny Model… opens on each kind's TrainSpec defaults: the arguments it would pass,
    read by `attnlab train`'s own parser, give exactly DEFAULTS[kind]."""
    from attnlab.app.train_dialog import TrainDialog
    from attnlab.engine.cli.train import parser, spec_from

    window = open_window("tiny-gpt")
    shown: dict[str, list[str]] = {}

    def look(dialog):
        for index in range(dialog.kind.count()):
            dialog.kind.setCurrentIndex(index)
            shown[dialog.chosen_kind] = dialog.arguments()
        return TrainDialog.DialogCode.Rejected  # nothing trained

    monkeypatch.setattr(TrainDialog, "exec", look)
    window.training.new_run()
    assert set(shown) == set(DEFAULTS)
    for kind, arguments in shown.items():
        assert spec_from(parser().parse_args([*arguments, "--out", "unused"])) == DEFAULTS[kind], kind
    assert not window.training.process.running
