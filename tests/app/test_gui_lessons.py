"""The Learn menu's lessons: each opens from the menu and sets the window up as its text says."""

from __future__ import annotations

import gzip
import random
import re
from collections import Counter
from importlib.resources import files

import numpy as np
import pytest
from tokenizers import Tokenizer

from attnlab.app import i18n
from attnlab.app.lessons import load_lessons
from attnlab.app.main_window import MainWindow
from attnlab.engine.models.available_models import bundled_dir

LOAD_TIMEOUT_MS = 60_000
REPLY_TIMEOUT_MS = 20_000
ORDER = ["next-token", "masked-lm", "next-sentence", "multi-head", "encoder-decoder", "formula", "head-forms"]


@pytest.fixture
def window(qtbot, fresh_settings):
    i18n.set_current_language("en")
    created = MainWindow()
    qtbot.addWidget(created)
    created.show()
    yield created
    created.close()
    i18n.set_current_language("")


def _open(window: MainWindow, qtbot, lesson_id: str) -> None:
    """Open a lesson as the user does (its menu entry) and wait until the window shows it."""
    action = next(a for a in window.menus["lessonsMenu"].actions() if a.objectName() == f"lesson_{lesson_id}")
    lesson = window.lessons.lesson(lesson_id)
    if window.document.info is None or window.document.info.name != lesson.model:
        with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
            action.trigger()
    else:
        action.trigger()
    qtbot.waitUntil(lambda: window.is_idle() and window.document.analysis is not None, timeout=REPLY_TIMEOUT_MS)
    panel = window.lessons.panel
    assert panel.isVisible()
    assert panel.title.text() == lesson.text_in("en").title
    assert panel.try_this.text() == lesson.text_in("en").try_this
    assert window.document.info is not None and window.document.info.name == lesson.model


def _view(window: MainWindow) -> tuple:
    picker = window.attention.picker
    return picker.stack, picker.layer, picker.head, picker.mean, picker.all_layers


def test_the_learn_menu_lists_the_lessons_in_the_tutorial_order(window):
    names = [a.objectName() for a in window.menus["lessonsMenu"].actions() if a.objectName().startswith("lesson_")]
    assert names == [f"lesson_{lesson_id}" for lesson_id in ORDER]
    for lesson in load_lessons():  # each in both languages, with one thing to try
        for language in ("en", "zh_CN"):
            text = lesson.texts[language]
            assert text.title and len(text.body) >= 2 and text.try_this
            assert lesson.pick(lesson.text, language) or lesson.pick(lesson.source, language)
    i18n.set_current_language("zh_CN")
    window.lessons.retranslate()
    assert window.menus["lessonsMenu"].actions()[0].text() == "&1. 预测下一个词元"


def test_next_token_lesson_steps_the_tiny_gpt(window, qtbot):
    _open(window, qtbot, "next-token")
    assert window.text_input.toPlainText() == "The capital of France is"
    assert _view(window) == ("decoder", 3, 0, False, False)
    assert window.candidates.rowCount() > 0 and window.generation.isVisible()
    matrix = window.attention.heatmap.matrix
    assert np.allclose(np.triu(matrix, 1), 0)  # as the lesson says: no token looks ahead
    assert window.lessons.panel.action_button.isVisible()  # "Load SmolLM2" (not pressed: a big model)
    with qtbot.waitSignal(window.client.stepped, timeout=REPLY_TIMEOUT_MS):
        window.generation.step_button.click()
    qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
    assert [step.text for step in window.document.steps] == [" Paris"]  # the held-out fact (examples.json)


def test_masked_lm_lesson_fills_the_blank_and_samples_a_training_example(window, qtbot):
    _open(window, qtbot, "masked-lm")
    assert window.text_input.toPlainText() == "The capital of France is [MASK]."
    assert _view(window) == ("encoder", 3, 0, False, False)
    slots = window.mask_predictions.slots()
    assert slots and slots[0][1][0][0] == "paris"  # the held-out fact (examples.json)

    sentence = "The dog says woof and the cat goes meow in the garden."
    _type_and_wait(window, qtbot, sentence)
    original = window.document.analysis.tokens
    window.lessons.rng = random.Random(3)
    window.lessons.panel.action_button.click()
    qtbot.waitUntil(lambda: window.is_idle() and window.document.analysis.tokens != original, timeout=REPLY_TIMEOUT_MS)
    corrupted = window.document.analysis.tokens
    changed = [i for i, (a, b) in enumerate(zip(original, corrupted, strict=False)) if a != b]
    words = len(re.findall(r"\w+", sentence))
    assert 1 <= len(changed) <= round(0.15 * words)
    result = window.lessons.panel.result.text()
    assert result.count("\n") == round(0.15 * words) + 2  # a line per chosen word, and the footer
    masked = [i for i in changed if corrupted[i] == "[MASK]"]
    assert [slot for slot, _ in window.mask_predictions.slots()] == [f"#{i} [MASK] (typed)" for i in masked]
    assert window.lessons.original_sentence() == sentence

    window.lessons.panel.action_button.click()  # again: a new example of the same sentence, not of the corrupted one
    qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
    assert window.lessons.original_sentence() == sentence


def _bert_tokens(text: str) -> tuple[str, ...]:
    """`text` as tiny-bert's tokenizer reads it, computed here, not by the window."""
    tokenizer = Tokenizer.from_file(str(bundled_dir() / "tiny-bert" / "tokenizer.json"))
    return tuple(tokenizer.encode(text).tokens)


def _shown(window: MainWindow, text: str) -> bool:
    """The window has analysed `text` (tiny-bert loaded)."""
    analysis = window.document.analysis
    return window.is_idle() and analysis is not None and analysis.tokens == _bert_tokens(text)


def _type_and_wait(window: MainWindow, qtbot, text: str) -> None:
    window.set_text(text)
    qtbot.waitUntil(lambda: _shown(window, text), timeout=REPLY_TIMEOUT_MS)


def test_masked_lm_lesson_samples_whole_words_and_corpus_words(window, qtbot):
    """The recipe on whole words: a word the tokenizer splits is masked as a whole (a [MASK] per
    piece), a random replacement is a word of the corpus tiny-bert learnt from, 15% / 80-10-10."""
    _open(window, qtbot, "masked-lm")
    sentence = "I walked the dog before lunch and the cat sat in the garden."
    _type_and_wait(window, qtbot, sentence)
    tokens = window.document.analysis.tokens
    assert "##a" in tokens  # "walked", "before", "lunch", "sat" are split into pieces
    pieces = {w: len(_bert_tokens(w)) - 2 for w in re.findall(r"\w+", sentence.lower())}  # less [CLS], [SEP]
    corpus_text = gzip.decompress((files("attnlab.resources") / "corpus" / "train.txt.gz").read_bytes()).decode()
    corpus = set(re.findall(r"[a-z]+", corpus_text.lower()))
    actions: Counter[str] = Counter()
    walked_masked = None
    for seed in range(300):
        window.lessons.rng = random.Random(seed)
        window.lessons.panel.action_button.click()
        example = window.lessons.example
        assert window.text_input.toPlainText() == example.text
        assert len(example.chosen) == round(0.15 * len(pieces)) == 2  # of the 13 words
        shown = example.text.replace("[MASK]", "MASK").replace(".", " ").split()
        originals = sentence.lower().replace(".", " ").split()
        assert len(shown) == len(originals) + sum(pieces[c.word.text] - 1 for c in example.chosen if c.action == "mask")
        for c in example.chosen:
            assert c.word.text in pieces  # a whole word of the sentence
            if c.action == "mask":
                assert c.shown == " ".join(["[MASK]"] * pieces[c.word.text])
            elif c.action == "random":
                assert c.shown in corpus
            actions[c.action] += 1
        if walked_masked is None and any(c.word.text == "walked" and c.action == "mask" for c in example.chosen):
            walked_masked = seed
    total = sum(actions.values())
    assert abs(actions["mask"] / total - 0.8) < 0.05
    assert abs(actions["random"] / total - 0.1) < 0.04
    assert abs(actions["keep"] / total - 0.1) < 0.04

    assert walked_masked is not None
    window.lessons.rng = random.Random(walked_masked)
    window.lessons.panel.action_button.click()
    qtbot.waitUntil(lambda: _shown(window, window.lessons.example.text), timeout=REPLY_TIMEOUT_MS)
    corrupted = window.document.analysis.tokens
    start = tokens.index("w")
    assert tokens[start : start + 6] == ("w", "##a", "##l", "##k", "##e", "##d")
    assert tuple(corrupted[start : start + 6]) == ("[MASK]",) * 6  # the whole word, every piece of it
    assert "“walked” → 6 × [MASK], one for each of its tokens" in window.lessons.panel.result.text()


def test_masked_lm_lesson_samples_chinese_words_whole(window, qtbot):
    """The Chinese lesson's sentence: words by the corpus's lexicon (法国, 首都), masked a [MASK] a
    character; the typed masks stay together with the Chinese around them."""
    i18n.set_current_language("zh_CN")
    with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
        window.lessons.open("masked-lm")
    qtbot.waitUntil(lambda: _shown(window, "法国的首都是[MASK][MASK]。"), timeout=REPLY_TIMEOUT_MS)
    chosen = set()
    for seed in range(60):
        window.lessons.rng = random.Random(seed)
        window.lessons.panel.action_button.click()
        example = window.lessons.example
        (c,) = example.chosen  # 15% of four words (法国 的 首都 是): one
        assert c.word.text in {"法国", "的", "首都", "是"}
        chosen.add(c.word.text)
        if c.action == "mask":
            restored = example.text.replace("[MASK]" * len(c.word.text), c.word.text, 1)
            assert restored == "法国的首都是[MASK][MASK]。"
        assert " " not in example.text
    assert chosen == {"法国", "的", "首都", "是"}
    qtbot.waitUntil(lambda: _shown(window, window.lessons.example.text), timeout=REPLY_TIMEOUT_MS)


def test_next_sentence_lesson_shows_the_probability_and_a_random_b(window, qtbot):
    _open(window, qtbot, "next-sentence")
    assert window.text_input.toPlainText() == "Rose and Lily played in the garden.\nIn the garden, Rose lost her hat."
    tokens = window.document.analysis.tokens
    assert tokens[0] == "[CLS]" and tokens.count("[SEP]") == 2

    def follows() -> float:
        return window.document.analysis.next_sentence_prob

    assert follows() > 0.5
    assert any(title == "sentence B follows A" for title, _ in window.mask_predictions.slots())
    window.lessons.panel.action_button.click()
    qtbot.waitUntil(lambda: window.is_idle() and "cup" in window.document.analysis.tokens, timeout=REPLY_TIMEOUT_MS)
    assert window.text_input.toPlainText().endswith("\nHe liked the cup very much.")
    assert follows() < 0.5
    window.lessons.panel.action_button.click()  # and back
    qtbot.waitUntil(lambda: window.is_idle() and "hat" in window.document.analysis.tokens, timeout=REPLY_TIMEOUT_MS)
    assert follows() > 0.5


def test_multi_head_lesson_shows_the_heads_of_one_layer(window, qtbot):
    _open(window, qtbot, "multi-head")
    assert _view(window) == ("decoder", 1, 0, False, False)
    text = window.text_input.toPlainText()
    half = len(text) // 2
    assert text[:half].strip() == text[half:].strip()  # a repeated text, for induction heads
    snapshot = window.document.snapshot
    heads = snapshot.shape("decoder")[1]
    image = window.attention.grid.image.image
    assert image is not None
    # One layer's heads, each its own thumbnail: the grid is as wide or tall as `heads` tiles of the layer.
    assert heads > 1 and window.attention.grid._heads == heads and not window.attention.grid._all_layers
    # The head grid is coloured by each head's induction score, as the lesson says.
    assert window.attention.scores_bar.chosen == "induction"
    qtbot.waitUntil(
        lambda: window.is_idle() and window.attention.grid.metric_value(1, 0) is not None, timeout=REPLY_TIMEOUT_MS
    )
    assert "induction" in window.attention.grid.metric_text(1, 0)


def test_encoder_decoder_lesson_walks_the_source(window, qtbot):
    _open(window, qtbot, "encoder-decoder")
    assert window.source_input.toPlainText() == "one thousand two hundred and forty-five"
    assert _view(window) == ("cross", 1, 0, True, False)
    for _ in range(4):
        with qtbot.waitSignal(window.client.stepped, timeout=REPLY_TIMEOUT_MS):
            window.generation.step_button.click()
        qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
    assert "".join(step.text for step in window.document.steps) == "1245"
    # As the lesson says: each digit's row peaks on the source word it comes from (examples.json's alignment).
    cross = window.attention.heatmap.matrix  # [decoder query, source key], the mean of the last layer's heads
    assert [int(np.argmax(cross[row])) for row in range(4)] == [0, 2, 5, 7]


def test_formula_lesson_opens_the_inspector_on_one_cell(window, qtbot):
    _open(window, qtbot, "formula")
    assert _view(window) == ("decoder", 0, 1, False, False)
    formula = window.attention.formula
    qtbot.waitUntil(lambda: formula.explanation is not None and formula.pending is None, timeout=REPLY_TIMEOUT_MS)
    e = formula.explanation
    rows = window.attention.heatmap.matrix.shape[0]
    assert (e.stack, e.layer, e.head, e.query, e.key) == ("decoder", 0, 1, rows - 1, 1)
    assert e.prob == pytest.approx(float(window.attention.heatmap.matrix[rows - 1, 1]), abs=1e-3)

    window.lessons.panel.next_button.click()  # the next lesson, on its own text: no inspector of this one's
    qtbot.waitUntil(lambda: window.is_idle() and window.lessons.current.id == "head-forms", timeout=REPLY_TIMEOUT_MS)
    assert formula.isHidden()


def test_lessons_follow_the_language_and_move_on(window, qtbot):
    i18n.set_current_language("zh_CN")
    _open_zh = window.lessons.lesson("next-token")
    with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
        window.lessons.open(_open_zh)
    qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
    assert window.text_input.toPlainText() == "法国的首都是"
    assert window.lessons.panel.title.text() == "预测下一个词元"
    assert not window.lessons.panel.previous_button.isEnabled()
    with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
        window.lessons.panel.next_button.click()
    assert window.lessons.current is not None and window.lessons.current.id == "masked-lm"


def test_watching_a_head_learn_starts_the_induction_run(window, qtbot, monkeypatch, tmp_path):
    started: list[tuple[list[str], str]] = []
    monkeypatch.setattr(window.training, "start", lambda args, folder, kind: started.append((args, kind)))
    _open(window, qtbot, "head-forms")
    assert _view(window)[:3] == ("decoder", 0, 0)  # the head that looks 15 back
    window.lessons.panel.action_button.click()
    assert started == [(["--kind", "induction"], "induction")]
