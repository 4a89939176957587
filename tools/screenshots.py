"""Save a screenshot of each mode of the app into docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [--out docs/screenshots]

Modes: decoder stepping, masked LM, encoder-decoder cross-attention, head grid (all layers ×
heads), the effect of a knock-out on a generation, the formula inspector and the head scores
with the induction probe (SmolLM2 when installed), and the window at 1024×640; `--only head-scores`
makes just that one. Uses the bundled tiny models (resources/models); settings and the
recent-models list go to a temporary folder, so the user's are left alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from PySide6.QtCore import QPointF, QSettings  # noqa: E402 - after the environment is set
from PySide6.QtWidgets import QApplication  # noqa: E402 - after the environment is set

from attnlab.app.fonts import install_cjk_fallback  # noqa: E402 - after the environment is set
from attnlab.app.main_window import MainWindow  # noqa: E402 - after the environment is set

SIZE = (1500, 900)
DECODER_PROMPT = "Rose and Lily played in the garden. In the garden, Rose"
MLM_TEXT = "The capital of France is Paris ."
SEQ2SEQ_SOURCE = "three hundred and forty two"
MASK_EFFECT_PROMPT = "The capital of France is"
REPEATED_TEXT = (
    "The old lighthouse keeper climbed the narrow stairs to light the lamp. "
    "The old lighthouse keeper climbed the narrow stairs to light the lamp."
)


def wait(window: MainWindow, timeout: float = 120.0) -> None:
    """Run the event loop until the window has nothing in flight and nothing left to draw."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        QApplication.processEvents()
        if window.is_idle() and window.document.info is not None:
            for _ in range(5):  # let the last paint land
                QApplication.processEvents()
                time.sleep(0.01)
            if window.is_idle():
                return
        time.sleep(0.005)
    raise TimeoutError(f"the window did not settle in {timeout:.0f} s: {window.banner.text}")


def open_window(model: str, text: str = "", source: str = "") -> MainWindow:
    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    window.text_input.setPlainText(text)
    window.source_input.setPlainText(source)
    window.start(model)
    wait(window)
    if window.document.info is None or window.banner.level == "error":
        raise RuntimeError(f"could not open {model}: {window.banner.text}")
    return window


def step(window: MainWindow, count: int) -> None:
    for _ in range(count):
        window.step()
        wait(window)


def save(window: MainWindow, out: Path, name: str) -> Path:
    window._render()  # draw everything at once for the picture
    wait(window)
    path = out / f"{name}.png"
    window.grab().save(str(path))
    print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return path


def shoot(out: Path) -> list[Path]:
    saved = []

    window = open_window("tiny-gpt", text=DECODER_PROMPT)
    step(window, 6)
    window.attention.picker.select(layer=1, head=0)
    saved.append(save(window, out, "decoder-stepping"))
    window.attention.picker.all_layers_box.setChecked(True)
    window.attention.splitter.setSizes([500, 600])
    saved.append(save(window, out, "head-grid"))
    window.attention.picker.all_layers_box.setChecked(False)
    step(window, 2)
    # Knock out what Rose lost (" lost her drum ..."): the story is re-run with it hidden, and
    # the model no longer knows what was found.
    window.set_mark(len(window.document.prefix_tokens) + 2, "knockout")
    wait(window)
    saved.append(save(window, out, "knock-out"))
    window.close()

    saved.append(shoot_mask_effect(out))
    saved.append(shoot_formula(out))
    saved.append(shoot_head_scores(out))
    saved.append(shoot_small_window(out))

    window = open_window("tiny-bert", text=MLM_TEXT)
    tokens = [token.strip().lower() for token in window.document.plain_tokens]
    window.set_mark(tokens.index("paris") if "paris" in tokens else len(tokens) - 3, "mask")
    wait(window)
    window.attention.picker.select(layer=window.attention.picker.layer_box.maximum(), head=0)
    saved.append(save(window, out, "masked-lm"))
    window.close()

    window = open_window("tiny-seq2seq", source=SEQ2SEQ_SOURCE)
    step(window, 3)
    window.attention.picker.select(stack="cross", layer=window.attention.picker.layer_box.maximum(), head=0)
    window.attention.picker.mean_box.setChecked(True)
    saved.append(save(window, out, "seq2seq-cross-attention"))
    window.close()
    saved.append(shoot_lesson_zh(out))
    return saved


def shoot_lesson_zh(out: Path) -> Path:
    """The interface in Simplified Chinese with the first lesson open: tiny-gpt, "法国的首都是",
    three tokens stepped; Noto Sans CJK (the bundled font, installed by main) draws the Chinese."""
    from attnlab.app.i18n import install_language

    application = QApplication.instance()
    assert isinstance(application, QApplication)
    install_language(application, "zh_CN")
    try:
        window = MainWindow()
        window.resize(*SIZE)
        window.show()
        window.lessons.open("next-token")
        wait(window)
        step(window, 3)
        path = save(window, out, "lesson-zh_CN")
        window.close()
    finally:
        install_language(application, "en")
    return path


def shoot_mask_effect(out: Path) -> Path:
    """SmolLM2 when it is installed (a trained model shows real effects), else tiny-gpt: three
    tokens after "The capital of France is", then "France" knocked out and " Paris" clicked."""
    from attnlab.engine.models.catalog import list_models

    smollm = "SmolLM2-135M-Instruct"
    model = smollm if any(entry.name == smollm for entry in list_models()) else "tiny-gpt"
    window = open_window(model, text=MASK_EFFECT_PROMPT)
    step(window, 3)
    prefix = window.document.prefix_tokens
    window.set_mark([token.strip() for token in prefix].index("France"), "knockout")
    wait(window)
    window.select_token(len(prefix))  # the first generated token: its candidates now and then
    wait(window)
    path = save(window, out, "mask-effect")
    window.close()
    return path


def shoot_formula(out: Path) -> Path:
    """The formula inspector: SmolLM2 when installed (else tiny-gpt), "The capital of France is",
    the head of layer 5 that attends most from the last token to "France", and that cell clicked."""
    from attnlab.engine.models.catalog import list_models

    smollm = "SmolLM2-135M-Instruct"
    model = smollm if any(entry.name == smollm for entry in list_models()) else "tiny-gpt"
    window = open_window(model, text=MASK_EFFECT_PROMPT)
    picker = window.attention.picker
    tokens = [token.strip() for token in window.document.plain_tokens]
    key = tokens.index("France") if "France" in tokens else 1
    layer = min(5, picker.layer_box.maximum())
    snapshot = window.document.snapshot
    assert snapshot is not None
    heads = range(picker.head_box.maximum() + 1)  # the head of that layer that looks at "France" most
    head = max(heads, key=lambda h: float(snapshot.matrix("decoder", layer, h)[len(tokens) - 1, key]))
    picker.select(layer=layer, head=head)
    wait(window)
    heatmap = window.attention.heatmap
    heatmap.click_at(heatmap.plot.getViewBox().mapViewToScene(QPointF(key, len(tokens) - 1)))
    wait(window)
    path = save(window, out, "formula-inspector")
    window.close()
    return path


def shoot_head_scores(out: Path) -> Path:
    """Head scores: SmolLM2 when installed (else tiny-gpt), a sentence said twice, the induction probe
    run, every layer's heads coloured by their probe induction score, the table sorted by it, and
    the top induction head shown large on the text (each token of the repeat looks at the token
    after its first occurrence)."""
    from attnlab.engine.models.catalog import list_models

    smollm = "SmolLM2-135M-Instruct"
    model = smollm if any(entry.name == smollm for entry in list_models()) else "tiny-gpt"
    window = open_window(model, text=REPEATED_TEXT)
    attention = window.attention
    attention.picker.all_layers_box.setChecked(True)
    attention.scores_bar.probe_button.click()
    wait(window, timeout=300)
    table = attention.heads_table
    table.selectRow(0)  # the top induction head on the probe: shown large
    wait(window)
    attention.splitter.setSizes([700, 560])
    path = save(window, out, "head-scores")
    window.close()
    return path


def shoot_small_window(out: Path) -> Path:
    """tiny-gpt at 1024×640: six tokens stepped, the fourth prompt token knocked out, a cell clicked."""
    window = open_window("tiny-gpt", text=DECODER_PROMPT)
    window.resize(1024, 640)
    step(window, 6)
    window.set_mark(3, "knockout")
    wait(window)
    heatmap = window.attention.heatmap
    rows = heatmap.matrix.shape[0]
    heatmap.click_at(heatmap.plot.getViewBox().mapViewToScene(QPointF(1, rows - 1)))
    wait(window)
    path = save(window, out, "window-1024x640")
    window.close()
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", choices=["head-scores", "lesson-zh_CN"], help="make only this screenshot")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["ATTNLAB_CONFIG"] = scratch
        os.environ["ATTNLAB_DATA"] = scratch  # no autosaved session of the user's offers itself for restoring
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, scratch)
        existing = QApplication.instance()
        application = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
        application.setStyle("Fusion")
        install_cjk_fallback(application)  # as the app does at start: Chinese tokens draw without a system CJK font
        if args.only == "head-scores":
            shoot_head_scores(args.out)
        elif args.only == "lesson-zh_CN":
            shoot_lesson_zh(args.out)
        else:
            shoot(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
