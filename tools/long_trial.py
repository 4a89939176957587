"""Try a long document in the real window as a user would, with the real SmolLM2, and print what it cost.

    QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 .venv/bin/python tools/long_trial.py --tokens 4096 [--out DIR]

Loads SmolLM2-135M-Instruct, puts ~N tokens of English prose in the text box, waits for the analysis, then:
zooms the heatmap until its exact region is drawn, hovers, switches head and layer, shows all layers in
the grid, colours the heads by a score, finds a token, selects a range in the token strip, steps once,
undoes, knocks out one token (a replay of the whole document) and closes. Prints, for each action, the
seconds the user waited, the longest event-loop stall meanwhile (anything > 1 s means work on the GUI
thread), the process's RSS and peak RSS, and the load average; saves a screenshot after each action.
Not a test: it takes minutes and its figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from PySide6.QtCore import QElapsedTimer, QPointF, QSettings, QTimer  # noqa: E402 - after the environment is set
from PySide6.QtWidgets import QApplication  # noqa: E402 - after the environment is set

from attnlab.app.main_window import MainWindow  # noqa: E402 - after the environment is set

MODEL = "SmolLM2-135M-Instruct"
PARAGRAPHS = (
    "The old lighthouse keeper climbed the narrow stairs every evening to light the lamp. From the top he "
    "could see the harbour, the fishing boats returning with their nets, and the long road that wound along "
    "the cliffs towards the village.",
    "In the spring the orchards behind the village turned white with blossom, and the children ran between "
    "the rows of trees while their parents mended the fences that the winter storms had broken.",
    "Every market day the square filled with stalls selling bread, cheese, apples and rope. Merchants from "
    "the towns inland argued over prices with the fishermen, who always claimed that the sea had been cruel.",
    "The schoolteacher kept a map of the coast on the wall of her classroom. She marked each shipwreck with "
    "a small red pin, and by the end of her career the map was covered in them like a rash.",
    "When the railway finally reached the valley, the village changed faster than anyone had expected. "
    "Visitors came in summer to walk on the cliffs, and the inn added a second floor with a view of the sea.",
    "On quiet nights the keeper wrote letters to his sister in the city, describing the weather, the ships, "
    "and the birds that nested on the rocks below the tower, though she rarely wrote back.",
)
NAMES = ("Martha", "Thomas", "the miller", "the doctor", "old Peter", "the priest", "Anna", "the blacksmith")


def prose(words: int) -> str:
    """About `words` words of English prose: the paragraphs again and again, each time told of someone else."""
    parts: list[str] = []
    count = 0
    index = 0
    while count < words:
        name = NAMES[index % len(NAMES)]
        paragraph = PARAGRAPHS[index % len(PARAGRAPHS)]
        text = f"Chapter {index + 1}. {name.capitalize()} remembered it well. {paragraph}"
        parts.append(text)
        count += len(text.split())
        index += 1
    return "\n\n".join(parts)


def rss_mib() -> tuple[float, float]:
    """(RSS, peak RSS) of this process in MiB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(value.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


class StallMeter:
    """The longest gap between ticks of a 20 ms timer: how long the GUI thread did not run its event loop."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.clock.start()
        self.last = 0
        self.longest = 0
        self.timer = QTimer(interval=20)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.elapsed()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def reset(self) -> None:
        self.last = self.clock.elapsed()
        self.longest = 0


class Trial:
    def __init__(self, out: Path):
        self.out = out
        self.stalls = StallMeter()
        self.window = MainWindow()
        self.window.resize(1500, 900)
        self.window.show()
        self.errors: list[str] = []
        self.window.client.errored.connect(self.errors.append)
        self.status_seen: list[str] = []
        self.window.statusBar().messageChanged.connect(self._on_status)

    def _on_status(self, message: str) -> None:
        if message and (not self.status_seen or self.status_seen[-1] != message):
            self.status_seen.append(message)

    def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QApplication.processEvents()
            time.sleep(0.005)

    def wait(self, done: Callable[[], bool], timeout: float, name: str = "") -> bool:
        """Run the event loop until `done`; a screenshot of what the user sees 5 s into a long wait."""
        started = time.monotonic()
        deadline = started + timeout
        during = False
        while time.monotonic() < deadline:
            QApplication.processEvents()
            if name and not during and time.monotonic() - started > 5:
                during = True
                self.shot(f"{name.split()[0]}-during")
                print(f"    after 5 s: status {self.window.statusBar().currentMessage()!r}", flush=True)
            if done():
                self.pump(0.1)  # let the last paint land
                if done():
                    return True
            time.sleep(0.005)
        return False

    def idle(self) -> bool:
        return self.window.is_idle()

    def action(
        self, name: str, act: Callable[[], None], done: Callable[[], bool] | None = None, timeout: float = 600.0
    ) -> float:
        """Do `act`, wait until `done` (default: the window is idle), print the wait, stall and memory."""
        self.stalls.reset()
        self.status_seen.clear()
        errors = len(self.errors)
        started = time.monotonic()
        act()
        ok = self.wait(done or self.idle, timeout, name)
        waited = time.monotonic() - started
        rss, peak = rss_mib()
        load = os.getloadavg()[0]
        banner = self.window.banner.text if self.window.banner.level else ""
        print(
            f"{name:<34} wait {waited:7.2f} s  stall {self.stalls.longest / 1000:5.2f} s  "
            f"RSS {rss:6.0f} MiB  peak {peak:6.0f} MiB  load {load:4.1f}" + ("" if ok else "  TIMED OUT"),
            flush=True,
        )
        if self.status_seen:
            print(f"    status: {' | '.join(self.status_seen[:6])}", flush=True)
        if banner:
            print(f"    banner: {banner}", flush=True)
        for message in self.errors[errors:]:
            print(f"    error: {message}", flush=True)
        self.shot(name)
        return waited

    def shot(self, name: str) -> None:
        path = self.out / f"{name.split()[0]}.png"
        self.window.grab().save(str(path))

    def title(self) -> str:
        return self.window.attention.heatmap.plot.titleLabel.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=4096, help="about how many tokens of text")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "long_trial")
    parser.add_argument("--steps", type=int, default=1, help="Step clicks (then as many undos)")
    parser.add_argument("--skip-scores", action="store_true", help="leave out the head-score colouring")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    settings = tempfile.mkdtemp(prefix="attnlab-trial-")  # the user's settings and recent list stay alone
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings)
    os.environ["ATTNLAB_CONFIG"] = f"{settings}/config"
    os.environ["ATTNLAB_DATA"] = f"{settings}/data"
    application = QApplication.instance() or QApplication(sys.argv)
    del application
    print(f"load average at start: {os.getloadavg()}", flush=True)

    trial = Trial(args.out)
    window = trial.window
    window.text_input.setPlainText("Hello.")
    trial.action("load model", lambda: window.start(MODEL), lambda: window.document.info is not None and trial.idle())

    text = prose(int(args.tokens / 1.3))
    trial.action(
        "analyse the text", lambda: window.set_text(text), lambda: trial.idle() and window.document.analysis is not None
    )
    long = window.document.long
    tokens = len(window.token_strip.tokens())
    print(f"    tokens: {tokens}, long mode: {long is not None}, title: {trial.title()!r}", flush=True)
    if long is None:
        print("    the window keeps exact rows (they fit the memory budget): no overview, no regions", flush=True)
    heatmap = window.attention.heatmap

    def zoom() -> None:
        heatmap.plot.getViewBox().setRange(
            xRange=(tokens // 2 - 200, tokens // 2 + 200), yRange=(tokens // 2 - 200, tokens // 2 + 200), padding=0
        )

    trial.action("zoom to 400 tokens", zoom, lambda: trial.idle() and (long is None or heatmap.region is not None))
    print(f"    exact region: {heatmap.region and heatmap.region.bounds}, title: {trial.title()!r}", flush=True)
    centre = heatmap.plot.getViewBox().mapViewToScene(QPointF(tokens // 2 - 10, tokens // 2))
    trial.action("hover", lambda: heatmap._show_hover(centre))
    print(f"    hover: {heatmap.hover_text!r}", flush=True)
    trial.action("head 5", lambda: window.show_attention(head=5))
    print(f"    title: {trial.title()!r}, exact: {heatmap.region and heatmap.region.bounds}", flush=True)
    trial.action("layer 20", lambda: window.show_attention(layer=20))
    print(f"    title: {trial.title()!r}, exact: {heatmap.region and heatmap.region.bounds}", flush=True)
    trial.action("all layers in the grid", lambda: window.show_attention(all_layers=True))
    if not args.skip_scores:
        bar = window.attention.scores_bar
        trial.action(
            "colour heads by previous token",
            lambda: bar.picker.setCurrentIndex(1),
            lambda: trial.idle() and window.attention.grid.metric_value(0, 0) is not None,
            timeout=900,
        )
        print(
            f"    metric: {bar.picker.currentText()!r}, layer 0 head 0 = {window.attention.grid.metric_value(0, 0)}",
            flush=True,
        )
    finder = window.token_finder  # View ▸ Find Token's, without its dialog

    def find() -> None:
        finder.find("lighthouse")

    trial.action(
        "find token 'lighthouse'",
        find,
        lambda: trial.idle() and (long is None or heatmap.region is not None),
    )
    print(f"    found #{finder.position}, exact: {heatmap.region and heatmap.region.bounds}", flush=True)
    trial.action("select tokens 1000-1040 in the strip", lambda: window.token_strip.range_selected.emit(1000, 1040))
    print(
        f"    view: {heatmap.plot.getViewBox().viewRange()}, exact: {heatmap.region and heatmap.region.bounds}",
        flush=True,
    )
    for index in range(args.steps):
        trial.action(f"step {index + 1}", window.step)
    for index in range(args.steps):
        trial.action(f"undo {index + 1}", window.undo)
    trial.action("knock out token 100", lambda: window.set_mark(100, "knockout"))
    trial.action("close", lambda: None if window.close() else None, lambda: not window.client.busy)
    print(f"errors: {trial.errors}", flush=True)
    print(f"screenshots in {args.out}", flush=True)


if __name__ == "__main__":
    main()
