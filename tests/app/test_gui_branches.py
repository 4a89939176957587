"""Branches in the window: an alternative keeps what was there as a branch; switching replays the
other branch (same tokens and attention as when it was shown); undo/redo follow the branch;
rename, delete; the tree is saved with the session and comes back when it is opened."""

from __future__ import annotations

import numpy as np
from conftest import LOAD_TIMEOUT_MS

from attnlab.app.main_window import MainWindow


def _state(window: MainWindow) -> tuple[list[int], np.ndarray]:
    return [s.token_id for s in window.document.steps], window.document.snapshot.full("decoder")


def test_alternative_makes_a_branch_and_switching_replays_it(open_window, tiny_folders, qtbot, wait_idle, tmp_path):
    window = open_window(tiny_folders["gpt2"], text="the cat sat")
    branches = window.sessions.branches
    with qtbot.waitSignal(window.client.run_finished, timeout=LOAD_TIMEOUT_MS):
        window.run(4)
    wait_idle(window)
    main_ids, main_attention = _state(window)
    assert not branches.panel.isVisible()  # one branch: nothing to show

    # An alternative for the second generated token: a new branch, main is kept.
    window.select_token(len(window.document.prefix_tokens) + 1)
    alternative = next(c.token_id for c in window.document.candidates().candidates if c.token_id != main_ids[1])
    window.choose(alternative, False)
    wait_idle(window)
    assert [s.token_id for s in window.document.steps] == [main_ids[0], alternative]
    assert [b.tokens for b in branches.tree.branches] == [main_ids, [main_ids[0], alternative]]
    assert branches.panel.isVisible() and branches.panel.names() == ["main", "branch 2"]
    window.step()
    wait_idle(window)
    side_ids, side_attention = _state(window)
    assert len(side_ids) == 3 and branches.tree.branches[1].tokens == side_ids

    branches.switch(0)
    qtbot.waitUntil(lambda: window.is_idle() and _state(window)[0] == main_ids, timeout=LOAD_TIMEOUT_MS)
    np.testing.assert_allclose(_state(window)[1], main_attention, atol=1e-3)
    assert branches.tree.current == 0 and len(branches.tree.branches) == 2  # switching made no branch
    branches.switch(1)
    qtbot.waitUntil(lambda: window.is_idle() and _state(window)[0] == side_ids, timeout=LOAD_TIMEOUT_MS)
    np.testing.assert_allclose(_state(window)[1], side_attention, atol=1e-3)

    # Undo then redo follows the branch.
    window.undo()
    wait_idle(window)
    assert branches.panel.redo_button.isEnabled()
    branches.redo()
    qtbot.waitUntil(lambda: window.is_idle() and _state(window)[0] == side_ids, timeout=LOAD_TIMEOUT_MS)
    assert not branches.panel.redo_button.isEnabled()

    branches.rename(1, "detour")
    branches.delete(1)  # the branch shown: refused, with a message
    assert "switch to another branch" in window.banner.text and branches.panel.names() == ["main", "detour"]

    # Saved with the session, back when it is opened.
    assert window.sessions.save(tmp_path / "tree.attnlab")
    opened = MainWindow()
    qtbot.addWidget(opened)
    opened.show()
    with qtbot.waitSignal(opened.model_loaded, timeout=LOAD_TIMEOUT_MS):
        opened.sessions.open(tmp_path / "tree.attnlab", start=True)
    qtbot.waitUntil(lambda: opened.is_idle() and _state(opened)[0] == side_ids, timeout=LOAD_TIMEOUT_MS)
    tree = opened.sessions.branches.tree
    assert [(b.name, b.tokens) for b in tree.branches] == [("main", main_ids), ("detour", side_ids)]
    assert tree.current == 1 and opened.sessions.branches.panel.isVisible()
    opened.sessions.branches.switch(0)
    qtbot.waitUntil(lambda: opened.is_idle() and _state(opened)[0] == main_ids, timeout=LOAD_TIMEOUT_MS)
    np.testing.assert_allclose(_state(opened)[1], main_attention, atol=1e-3)
    opened.sessions.branches.delete(1)
    assert opened.sessions.branches.panel.names() == ["main"] and not opened.sessions.branches.panel.isVisible()
    opened.close()
