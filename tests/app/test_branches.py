"""The branch tree as data: steps grow a branch, an alternative starts one, undo keeps it for redo."""

from __future__ import annotations

import pytest

from attnlab.app.branches import Branch, BranchTree, common_length

PROMPT = ((5, 7, 9), ())


def test_steps_alternatives_and_undo():
    tree = BranchTree()
    assert not tree.observe(PROMPT, [])
    assert tree.observe(PROMPT, [1]) and tree.observe(PROMPT, [1, 2, 3])
    assert [(b.name, b.tokens) for b in tree.branches] == [("main", [1, 2, 3])]
    assert not tree.observe(PROMPT, [1])  # undone twice: still main, and redo follows it
    assert tree.redo_token([1]) == 2 and tree.redo_token([1, 2, 3]) is None
    assert tree.observe(PROMPT, [1, 4])  # an alternative after the undo: a branch, main is kept
    assert [b.tokens for b in tree.branches] == [[1, 2, 3], [1, 4]] and tree.current == 1
    assert tree.branches[1].name == "branch 2"
    assert tree.observe(PROMPT, [1, 2]) and tree.current == 0  # back on main's path
    assert tree.observe(PROMPT, [1, 4, 8]) and tree.current == 1 and tree.branches[1].tokens == [1, 4, 8]
    tree.rename(1, "  four  ")
    assert tree.branches[1].name == "four"
    with pytest.raises(ValueError, match="switch to another branch"):
        tree.delete(1)
    tree.delete(0)
    assert [b.name for b in tree.branches] == ["four"] and tree.current == 0
    assert tree.observe(((1,), ()), [3]) and [b.tokens for b in tree.branches] == [[3]]  # another prompt


def test_load_and_common_length():
    tree = BranchTree()
    tree.load(PROMPT, [Branch("a", [1, 2]), Branch("b", [1, 3])], 1)
    assert not tree.observe(PROMPT, [1, 3]) and tree.current == 1
    assert common_length([1, 2, 3], [1, 2, 4, 5]) == 2 and common_length([], [1]) == 0
