"""Issue 10: the effect of a mask shows on every generated token; generated CJK reads as characters."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, Qt
from strip_clicks import click_token

from attnlab.app.document import changed_a_lot

PROMPT = "the cat sat on the mat"


def _generated_chips(window):
    """What the generated tokens' chips show now."""
    prefix = len(window.document.prefix_tokens)
    return [window.token_strip.chip(prefix + i) for i in range(len(window.document.steps))]


def _selected(window, index: int) -> bool:
    return window.token_strip.chip(len(window.document.prefix_tokens) + index).selected


def _step(window, wait_idle, times: int) -> None:
    for _ in range(times):
        window.step()
        wait_idle(window)


def test_every_generated_token_shows_its_probability_now_and_when_generated(open_window, wait_idle):
    window = open_window("tiny-gpt", text=PROMPT)
    _step(window, wait_idle, 4)
    then = [s.prob for s in window.document.steps]
    assert all(0 < p <= 1 for p in then)
    for chip, p in zip(_generated_chips(window), then, strict=True):
        assert chip.prob_now == pytest.approx(p) and chip.prob_then == pytest.approx(p) and not chip.changed
        assert f"p = {p:.1%} now, {p:.1%} when generated" in chip.tooltip

    window.set_mark(2, "knockout")  # the generation is replayed under the knock-out
    wait_idle(window)
    steps = window.document.steps
    assert len(steps) == 4
    chips = _generated_chips(window)
    for chip, step, before in zip(chips, steps, then, strict=True):
        now = step.prob  # exact, even when the token fell out of the top-k
        assert chip.prob_now == pytest.approx(now) and chip.prob_then == pytest.approx(before)
        assert f"p = {now:.1%} now, {before:.1%} when generated" in chip.tooltip
        assert chip.changed == changed_a_lot(now, before)
    assert any(abs(s.prob - p) > 1e-4 for s, p in zip(steps, then, strict=True))  # the mask did something
    # Every step's now differs from its candidates only by the top-k cut: where it is listed, they agree.
    for step in steps:
        listed = {c.token_id: c.prob for c in step.candidates}
        if step.token_id in listed:
            assert listed[step.token_id] == pytest.approx(step.prob, abs=1e-5)


def test_clicking_a_generated_token_shows_its_candidates_then_and_now(open_window, qtbot, wait_idle):
    window = open_window("tiny-gpt", text=PROMPT)
    _step(window, wait_idle, 3)
    first_then = window.document.steps[0]
    window.set_mark(2, "knockout")
    wait_idle(window)
    chips = [chip.position for chip in _generated_chips(window)]
    strip = window.token_strip
    click_token(qtbot, strip, chips[0])
    wait_idle(window)
    table = window.candidates
    first_now = window.document.steps[0]
    listed = [c.token_id for c in first_now.candidates]
    assert table.token_ids()[: len(listed)] == listed  # that step's candidates, now …
    if first_now.token_id not in listed:  # … and the token taken, even when it fell out of the top-k
        assert table.token_ids()[len(listed) :] == [first_now.token_id]
    row = table.token_ids().index(first_now.token_id)
    assert table.item(row, 0).text().startswith("▶") and table.item(row, 1).text() == f"{first_now.prob:.1%}"
    assert _selected(window, 0) and not _selected(window, 2)
    assert not table.replaces_last
    assert not table.isColumnHidden(2)  # "when generated" beside "probability"
    then = {c.token_id: c.prob for c in first_then.candidates}
    for row, candidate in enumerate(first_now.candidates):
        assert table.item(row, 1).text() == f"{candidate.prob:.1%}"
        expected = f"{then[candidate.token_id]:.1%}" if candidate.token_id in then else "< "
        assert table.item(row, 2).text().startswith(expected)

    # A click between the chips goes back to the latest step.
    corner = strip.viewport().rect().bottomRight() - QPoint(3, 3)
    qtbot.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=corner)
    wait_idle(window)
    assert table.token_ids()[:10] == [c.token_id for c in window.document.steps[-1].candidates]
    assert table.replaces_last and not _selected(window, 0)

    # The last token, picked explicitly, is still the one a double-click replaces.
    click_token(qtbot, strip, chips[2])
    wait_idle(window)
    assert table.replaces_last and _selected(window, 2)

    # Stepping goes back to the latest step.
    click_token(qtbot, strip, chips[1])
    wait_idle(window)
    assert table.token_ids()[:10] == [c.token_id for c in window.document.steps[1].candidates]
    window.step()
    wait_idle(window)
    assert table.replaces_last and table.token_ids() == [c.token_id for c in window.document.steps[-1].candidates]


def test_regenerate_from_here_undoes_back_and_steps_again_under_the_masks(open_window, wait_idle):
    window = open_window("tiny-gpt", text=PROMPT)
    _step(window, wait_idle, 4)
    window.set_mark(3, "knockout")
    wait_idle(window)
    second = window.document.steps[1]
    best_now = second.candidates[0].token_id  # greedy takes this once the mask applies
    prefix = len(window.document.prefix_tokens)
    menu = window.token_strip.menu_for(prefix + 1)
    action = next(a for a in menu.actions() if a.objectName() == "action_regenerate")
    assert "one token" in action.toolTip()
    action.trigger()
    wait_idle(window)
    steps = window.document.steps
    assert len(steps) == 2 and steps[1].token_id == best_now
    assert window.document.masks.knocked("decoder") == frozenset({3})
    chip = window.token_strip.chip(prefix + 1)
    assert chip.prob_then == pytest.approx(steps[1].prob) and not chip.changed  # generated under the mask
    assert len(window.token_strip.tokens()) == prefix + 2


def test_generated_chinese_reads_like_the_prompt(open_window, wait_idle):
    """A character split over generated tokens shows as 猫…, …猫…, …猫, like readable_tokens of the
    whole sequence, not as ‹e7 8c›…; the candidates after a split character read in context too."""
    from transformers import AutoTokenizer

    from attnlab.engine.api.tokens import readable_tokens
    from attnlab.engine.models.available_models import bundled_dir

    window = open_window("tiny-gpt", text="猫")
    folder = bundled_dir()
    assert folder is not None
    tokenizer = AutoTokenizer.from_pretrained(folder / "tiny-gpt")
    alphabet = {b: ch for ch, b in _byte_alphabet().items()}
    pieces = [alphabet[b] for b in "猫".encode()]  # e7 8c ab: one token per byte
    ids = tokenizer.convert_tokens_to_ids(pieces)
    assert all(isinstance(i, int) and i != tokenizer.unk_token_id for i in ids)
    window.choose(ids[0], False)
    wait_idle(window)
    window.choose(ids[1], False)
    wait_idle(window)
    table = window.candidates
    window.choose(ids[2], False)
    wait_idle(window)
    window.choose(ids[0], False)  # a fourth token: the start of another 猫, still open
    wait_idle(window)
    sequence = [*window.document.analysis.token_ids.tolist(), *[s.token_id for s in window.document.steps]]
    expected = readable_tokens(tokenizer, sequence)
    assert window.token_strip.tokens() == expected
    assert window.token_strip.tokens()[-4:] == ["猫…", "…猫…", "…猫", "‹e7›…"]
    # Candidates of the step that took the third byte, read after the first two: "…猫".
    window.select_token(len(window.document.prefix_tokens) + 2)
    wait_idle(window)
    texts = dict(zip(table.token_ids(), [table.item(r, 0).text() for r in range(table.rowCount())], strict=True))
    if ids[2] in texts:
        assert texts[ids[2]].lstrip("▶ ") == "…猫"
    for c in window.document.candidates().candidates:
        assert not math.isnan(c.prob)
        single = readable_tokens(tokenizer, [*sequence[-4:-2], c.token_id])[-1]
        assert c.text == single


def _byte_alphabet() -> dict[str, int]:
    from attnlab.engine.api.tokens import _byte_level_alphabet

    return _byte_level_alphabet()
