"""View ▸ Find Token…: the next token containing a text; the heatmap jumps to its row, the strip to its chip."""

from __future__ import annotations

from attnlab.app.token_find import find_token


def test_find_token_wraps_around_and_ignores_case_and_spaces():
    tokens = ["<s>", "The", "cat", "sat", "on", "the", "mat"]
    assert find_token(tokens, " the ") == 1
    assert find_token(tokens, "the", after=1) == 5
    assert find_token(tokens, "the", after=5) == 1  # wraps around
    assert find_token(tokens, "at", after=2) == 3
    assert find_token(tokens, "dog") is None and find_token(tokens, "  ") is None and find_token([], "a") is None


def test_find_moves_the_heatmap_cursor_and_view_to_the_token(open_window, tiny_folders):
    window = open_window(tiny_folders["gpt2"], text=" ".join(["the cat sat on the mat"] * 12))
    action = next(a for a in window.menus["viewMenu"].actions() if a.objectName() == "findTokenAction")
    assert action.shortcut().toString() == "Ctrl+F" and action.toolTip()
    finder = window.token_finder
    first = finder.find("mat")
    assert first == 6  # "<s>" then the words
    assert window.attention.heatmap.cursor_cell == (6, 6)
    again = finder.find("mat")
    assert again == 12 and window.attention.heatmap.cursor_cell == (12, 12)  # the same text: the next match
    (x_low, x_high), (y_low, y_high) = window.attention.heatmap.plot.getViewBox().viewRange()
    assert x_low <= 12 <= x_high and y_low <= 12 <= y_high and x_high - x_low < 70  # zoomed around it
    assert "Token #12" in window.statusBar().currentMessage()
    strip = window.token_strip
    assert strip.selection() == (12, 12) and strip.viewport().rect().contains(strip.chip_rect(12))  # shown there too
    assert finder.find("zebra") is None and "No token contains 'zebra'" in window.statusBar().currentMessage()
