"""Issue 24, item 1: Step with View ▸ Explain the Prediction open on a long text.

The dock asks for the logit lens after every step. Before, the lens (a forward of the whole text) ran
to its end before the next step could start: a Step clicked while it ran waited for all of it (15 s
on SmolLM2 at 1,846 tokens). Now the lens gives way. Measured on the real window over the real
engine: the click on Step (sent while the previous step's lens is computing) -> the step's result on
the GUI thread, against the lens's own time (what the step used to wait for, at most).

Then how soon the dock is up to date after a step: the click on Step -> the dock shows the lens of every
position, the step's included. Before, the dock asked for the lens of the whole text again (a forward of
it, timed here by clearing the dock's lens before the click); now it asks for the step's position only,
which the engine reads from what the step's own forward kept.
"""

from __future__ import annotations

from benchmarks.common import Figure, Size, clock, median
from benchmarks.qt_support import spin, wait_until

TEXT_TOKENS = {"full": 1846, "tiny": 100}


def _text(window, tokens: int) -> str:
    """Plain words, about one token each."""
    words = "the cat sat on the mat and looked at the dog in the garden".split()
    return " ".join(words[i % len(words)] for i in range(tokens))


def _settle(window, view) -> None:
    """Until the engine is free and the dock shows the lens of the last step (idle can flicker while the
    dock's refresh timer is about to ask again, so look twice)."""
    for _ in range(3):
        wait_until(lambda: window.is_idle() and not view.lens_progress.isVisibleTo(view), timeout=600)
        spin(0.3)
        if window.is_idle() and not view.lens_progress.isVisibleTo(view):
            return


def _click_to_up_to_date(window, view, whole: bool) -> float:
    """Seconds from a Step to the dock showing the lens up to the new token (`whole`: asked whole, as before)."""
    from attnlab.engine.api.results import LensResult

    done: list[float] = []

    def shown(result) -> None:  # connected after the dock: runs once the dock has shown `result`
        lens = view.lens
        if isinstance(result, LensResult) and lens is not None and lens.end == len(window.document.sequence()):
            done.append(clock())

    window.client.prediction_explained.connect(shown)
    if whole:
        view.clear_lens()  # no lens to extend: the dock asks for the whole one, as it always did before
    clicked = clock()
    window.step()
    wait_until(lambda: bool(done), timeout=600)
    window.client.prediction_explained.disconnect(shown)
    _settle(window, view)
    return done[0] - clicked


def step_with_dock(size: Size) -> list[Figure]:
    from attnlab.engine.api.results import LensResult
    from benchmarks.gui_bench import _close, _real_window

    key = size.models[0]
    window = _real_window(key)
    tokens = TEXT_TOKENS.get(size.name, 100)
    window.set_text(_text(window, tokens))
    wait_until(window.is_idle, timeout=600)
    lenses: list[float] = []
    window.client.prediction_explained.connect(lambda r: lenses.append(clock()) if isinstance(r, LensResult) else None)
    started = clock()
    window.prediction.toggleViewAction().trigger()  # the dock opens: its lens of the whole text
    wait_until(lambda: bool(lenses), timeout=600)
    lens_s = lenses[-1] - started
    waits = []
    stepped: list[float] = []
    window.client.stepped.connect(lambda *_: stepped.append(clock()))
    view = window.prediction.view
    for _ in range(max(size.repeats, 3)):
        stepped.clear()
        window.step()
        wait_until(lambda: bool(stepped), timeout=600)
        wait_until(lambda: view.lens_progress.isVisibleTo(view), timeout=60)  # the dock's lens of that step is sent
        spin(0.3)  # and under way (a tiny model's may be done already)
        stepped.clear()
        clicked = clock()
        window.step()
        wait_until(lambda: bool(stepped), timeout=600)
        waits.append(stepped[0] - clicked)
        _settle(window, view)
    repeats = max(size.repeats, 3)
    whole = [_click_to_up_to_date(window, view, whole=True) for _ in range(repeats)]
    added = [_click_to_up_to_date(window, view, whole=False) for _ in range(repeats)]
    n = len(window.document.prefix_tokens)
    _close(window)
    value = median(waits)
    return [
        Figure(
            "dock-step",
            f"{key} @ {n} tokens: Step -> the dock's lens up to date",
            median(added),
            "s",
            baseline=median(whole),
            baseline_name="the lens of the whole text asked again (before)",
            ratio=median(added) / median(whole) if median(whole) else None,
            target="< 1 s",
            met=median(added) < 1.0,
            note="the step's position only, read from what its forward kept",
            samples=added,
        ),
        Figure(
            "dock-step",
            f"{key} @ {n} tokens, Explain the Prediction open",
            value,
            "s",
            baseline=lens_s,
            baseline_name="the dock's lens of the whole text (what a step waited for before)",
            ratio=value / lens_s if lens_s else None,
            target="< 1 s",
            met=value < 1.0,
        ),
    ]
