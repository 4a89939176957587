"""Start the app in a fresh process and print, as JSON, seconds since the parent launched it until
the main window was first painted ("shown"), until its token strip first held tokens ("tokens": from the
tokenizer alone while the model loads, or from the first analysis) and until its heatmap first painted an image.

python -m benchmarks.startup_probe --model SPEC --settings DIR   the app, loading SPEC
python -m benchmarks.startup_probe --bare --settings DIR         a bare QMainWindow (the baseline)
python -m benchmarks.startup_probe --synthetic --settings DIR    the app over a stand-in engine (smoke test:
                                                                 no torch import, no model)

With --model the JSON also holds "phases": each start-up phase's [start, end] in the same seconds
(import torch, import transformers, import model code, import engine: engine/startup.py; load), "loaded"
and "analysed" (when the window got the model and the first analysis) and "forward" (that analysis's
own seconds). --early-imports starts the engine's imports in a thread at process start instead of in
the load (an experiment: on a 2-core machine it delayed the window by seconds and the heatmap not less).

ATTNLAB_BENCH_T0 (time.time() in the parent just before launching) marks process start.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow
    from attnlab.engine.session.sessions import Session

LAUNCHED = float(os.environ.get("ATTNLAB_BENCH_T0", time.time()))


def _synthetic_window() -> MainWindow:
    from attnlab.app.main_window import MainWindow
    from benchmarks.synthetic import SyntheticSession, synthetic_info

    session = SyntheticSession(synthetic_info(2, 4))
    stand_in = cast("Session", session)  # a stand-in with the members the window's requests use
    window = MainWindow(loader=lambda spec, options, progress: (session.info, stand_in), catalog=lambda: ([], None))
    window.start("synthetic")
    return window


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    parser.add_argument("--bare", action="store_true")
    parser.add_argument("--synthetic", action="store_true")
    parser.add_argument("--early-imports", action="store_true", help="import the engine from process start on")
    parser.add_argument("--settings", required=True, help="folder for QSettings and the recent list")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ["ATTNLAB_CONFIG"] = os.path.join(args.settings, "attnlab")
    if not args.bare:
        import attnlab.app as app  # noqa: F401 - sets PYQTGRAPH_QT_LIB first
    if args.model and args.early_imports:
        import threading

        from attnlab.engine.models.startup import import_engine

        sys.setswitchinterval(0.0005)  # as the engine client sets it
        threading.Thread(target=import_engine, args=(args.model,), daemon=True).start()
    from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, args.settings)
    application = QApplication(sys.argv[:1])
    times: dict[str, float] = {}

    def finish() -> None:
        if "shown" in times and (args.bare or "heatmap" in times):
            QTimer.singleShot(0, application.quit)

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint and "shown" not in times:
                times["shown"] = time.time() - LAUNCHED
                finish()
            return False

    window: QMainWindow
    if args.bare:
        window = QMainWindow()
    else:
        import pyqtgraph as pg

        from attnlab.app import create_main_window

        original = pg.ImageItem.paint

        def paint(item: pg.ImageItem, *paint_args: object) -> None:
            original(item, *paint_args)
            if item is main_window.attention.heatmap.image and item.image is not None and "heatmap" not in times:
                times["heatmap"] = time.time() - LAUNCHED
                finish()

        pg.ImageItem.paint = paint
        main_window = _synthetic_window() if args.synthetic else create_main_window(args.model)
        window = main_window

        def look_for_tokens() -> None:
            if "tokens" not in times and main_window.token_strip.count():
                times["tokens"] = time.time() - LAUNCHED
                poll.stop()  # each tick takes the GIL from the engine thread's imports: none once found

        def on_analysed(result: object) -> None:
            times.setdefault("analysed", time.time() - LAUNCHED)
            times.setdefault("forward", float(getattr(result, "seconds", float("nan"))))

        main_window.client.model_loaded.connect(lambda info: times.setdefault("loaded", time.time() - LAUNCHED))
        main_window.client.analysed.connect(on_analysed)
        poll = QTimer(interval=5)  # the engine thread holds the GIL for long stretches: a poll is as precise
        poll.timeout.connect(look_for_tokens)
        poll.start()
    watcher = FirstPaint()
    window.installEventFilter(watcher)
    window.resize(1400, 860)
    window.show()
    QTimer.singleShot(600_000, application.quit)
    application.exec()
    window.close()
    # imported by the engine, never here (the synthetic run has none)
    clock = sys.modules.get("attnlab.engine.models.startup")
    phases = {name: [start - LAUNCHED, end - LAUNCHED] for name, (start, end) in getattr(clock, "PHASES", {}).items()}
    print(json.dumps({**times, "phases": phases}))
    return 0 if "shown" in times else 1


if __name__ == "__main__":
    sys.exit(main())
