"""Guided lessons (the Learn menu): each sets up the window and explains one idea in a side panel.

The lessons follow the order in which the ideas build on each other: next-token prediction,
masked LM, next-sentence prediction, multi-head attention, encoder-decoder cross-attention,
the attention formula. Their texts (English and Simplified Chinese) and set-ups are data in
resources/lessons/*.json; this module turns a set-up into calls of MainWindow's public methods.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction

from attnlab.app.i18n import current_language
from attnlab.app.mlm_recipe import Corruption, TrainingExample, corpus_words, sample_training_example
from attnlab.app.widgets.lesson_panel import PANEL_WIDTH, LessonPanel

if TYPE_CHECKING:
    from attnlab.app.main_window import MainWindow
    from attnlab.engine.api.results import ModelInfo

SMOLLM2 = "SmolLM2-135M-Instruct"
LESSON_KEY = "lessons/current"  # the lesson last opened: its panel comes back with it after a restart


@dataclass(frozen=True)
class LessonText:
    title: str
    body: tuple[str, ...]  # paragraphs
    try_this: str  # one thing to try
    action: str  # the lesson button's label ("" when it has none)


@dataclass(frozen=True)
class Lesson:
    id: str
    number: int  # 1-based, the menu order
    model: str  # catalog name
    texts: dict[str, LessonText]  # by language
    text: dict[str, str]  # the text box, by language
    source: dict[str, str]  # encoder-decoders' source box, by language (empty: none)
    view: dict[str, Any]  # stack, layer, head, mean, all_layers
    action: str | None  # "smollm2" | "sample" | "random_second" | "train_induction" | None
    explain: tuple[int, int] | None = None  # (query, key) to open the formula inspector on; -1: the last
    extra: dict[str, Any] = field(default_factory=dict)

    def text_in(self, language: str) -> LessonText:
        return self.texts.get(language) or self.texts["en"]

    def pick(self, values: dict[str, str], language: str) -> str:
        return values.get(language, values.get("en", ""))


def load_lessons() -> list[Lesson]:
    """The lessons shipped in resources/lessons, in menu order (the file names start with the number)."""
    folder = files("attnlab.resources") / "lessons"
    paths = sorted((p for p in folder.iterdir() if p.name.endswith(".json")), key=lambda p: p.name)
    lessons = []
    for number, path in enumerate(paths, 1):
        data = json.loads(path.read_text(encoding="utf-8"))
        texts = {
            language: LessonText(d["title"], tuple(d["body"]), d["try"], d.get("action", ""))
            for language, d in data.items()
            if language in ("en", "zh_CN")
        }
        explain = data.get("explain")
        lessons.append(
            Lesson(
                id=data["id"],
                number=number,
                model=data["model"],
                texts=texts,
                text=data["text"],
                source=data.get("source", {}),
                view=data.get("view", {}),
                action=data.get("action"),
                explain=(int(explain[0]), int(explain[1])) if explain else None,
                extra={"random_second": data.get("random_second", {})},
            )
        )
    return lessons


class LessonController(QObject):
    """Opens lessons on a window: loads the lesson's model if needed, then sets text and view."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.lessons = load_lessons()
        self.current: Lesson | None = None
        self.example: TrainingExample | None = None  # the last sampled training example (lesson 2)
        self.example_text = ""  # its text, as put in the text box
        self._original: tuple[str, tuple[str, ...]] = ("", ())  # the user's sentence and its tokens
        self._pending: Lesson | None = None  # waits for its model to load
        self._explain_pending = False
        self.rng = random.Random()
        self.panel = LessonPanel(window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.panel)
        self.panel.hide()
        self.panel.action_requested.connect(self.run_action)
        self.panel.move_requested.connect(self._move)
        self.panel.visibilityChanged.connect(self._on_panel_shown)
        window.model_loaded.connect(self._on_model_loaded)
        window.view_updated.connect(self._on_view_updated)
        self.actions: list[QAction] = []
        menu = window.menus["lessonsMenu"]
        for lesson in self.lessons:
            action = QAction(window)
            action.setObjectName(f"lesson_{lesson.id}")
            action.triggered.connect(lambda _checked=False, chosen=lesson: self.open(chosen))
            menu.addAction(action)
            self.actions.append(action)
        self.retranslate()

    @property
    def language(self) -> str:
        return current_language()

    def retranslate(self) -> None:
        """Menu entries and the open lesson in the current language."""
        for lesson, action in zip(self.lessons, self.actions, strict=True):
            text = lesson.text_in(self.language)
            action.setText(f"&{lesson.number}. {text.title}")
            action.setStatusTip(text.body[0])
        if self.current is not None:
            self.panel.show_lesson(self.current, self.language, len(self.lessons))

    def lesson(self, lesson_id: str) -> Lesson:
        return next(lesson for lesson in self.lessons if lesson.id == lesson_id)

    def open(self, lesson: Lesson | str) -> None:
        """Show the lesson's panel and set the window up for it (after loading its model, if needed)."""
        if isinstance(lesson, str):
            lesson = self.lesson(lesson)
        self.current = lesson
        self.window.settings.setValue(LESSON_KEY, lesson.id)
        self.example_text = ""
        self.panel.show_lesson(lesson, self.language, len(self.lessons))
        if self.panel.isHidden():
            self._show_panel()
        self.panel.raise_()
        info = self.window.document.info
        if info is not None and info.name == lesson.model and not self.window.client.loading:
            self._pending = None
            self._arrange(lesson)
        else:
            self._pending = lesson
            self.window.load(lesson.model)

    def _show_panel(self) -> None:
        """The panel beside the window's views, PANEL_WIDTH wide (its paragraphs would ask for more), within the
        window's width: Qt widens the window for a dock, past the screen's edge on a small screen."""
        window = self.window
        width = window.width()
        self.panel.show()
        window.resizeDocks([self.panel], [PANEL_WIDTH], Qt.Orientation.Horizontal)

        def keep_width() -> None:
            if window.width() > width and not (window.isMaximized() or window.isFullScreen()):
                window.resize(max(width, window.minimumSizeHint().width()), window.height())

        QTimer.singleShot(0, window, keep_width)

    def _on_panel_shown(self, shown: bool) -> None:
        """The panel came back with the window's saved layout: with the lesson it showed, not empty. Its text
        only: the window restores its own model and text, which the user may have changed since."""
        if not shown or self.current is not None:
            return
        saved = self.window.settings.value(LESSON_KEY)
        lesson = next((lesson for lesson in self.lessons if lesson.id == saved), None)
        if lesson is None:
            self.panel.hide()  # nothing to show: no empty panel
            return
        self.current = lesson
        self.panel.show_lesson(lesson, self.language, len(self.lessons))

    def _on_model_loaded(self, info: ModelInfo) -> None:
        lesson, self._pending = self._pending, None
        if lesson is not None and info.name == lesson.model:
            self._arrange(lesson)

    def _arrange(self, lesson: Lesson) -> None:
        language = self.language
        source = lesson.pick(lesson.source, language) if lesson.source else None
        self.window.set_text(lesson.pick(lesson.text, language), source)
        view = lesson.view
        self.window.show_attention(
            view.get("stack"),
            view.get("layer"),
            view.get("head"),
            mean=view.get("mean", False),
            all_layers=view.get("all_layers", False),
        )
        scores = getattr(self.window.attention, "scores_bar", None)  # head scores, where the window has them
        if scores is not None:
            scores.set_metric(view.get("metric", ""))  # "": plain attention
        self._explain_pending = lesson.explain is not None
        if lesson.explain is None:  # an inspector left open by the lesson before explains a cell of its text
            self.window.attention.formula.close_panel()

    def _on_view_updated(self) -> None:
        lesson = self.current
        analysis = self.window.document.analysis
        if not self._explain_pending or lesson is None or lesson.explain is None or analysis is None:
            return
        if self.window.is_idle():
            self._explain_pending = False
            rows, cols = self.window.attention.heatmap.shape
            query, key = lesson.explain
            self.window.attention.explain(query % rows, key % cols)

    def _move(self, step: int) -> None:
        if self.current is None:
            return
        index = self.lessons.index(self.current) + step
        if 0 <= index < len(self.lessons):
            self.open(self.lessons[index])

    # -- the lessons' buttons ----------------------------------------------------------------

    def run_action(self) -> None:
        lesson = self.current
        if lesson is None or lesson.action is None:
            return
        if lesson.action == "smollm2":
            self.window.load(SMOLLM2)
        elif lesson.action == "sample":
            self.sample_training_example()
        elif lesson.action == "random_second":
            self._random_second(lesson)
        elif lesson.action == "train_induction":
            self.window.training.train_lesson_run()

    def sample_training_example(self) -> None:
        """Corrupt the sentence in the text box by BERT's recipe, a whole word at a time, and analyse
        the corrupted one."""
        window = self.window
        info, analysis = window.document.info, window.document.analysis
        if info is None or analysis is None or not info.has_mlm_head:
            self.panel.show_result(self.tr("Load a masked language model (tiny-bert) and type a sentence first."))
            return
        text = window.text_input.toPlainText()
        if text != self.example_text or not self._original[1]:  # a new sentence of the user's
            self._original = (text, tuple(analysis.tokens))
        example = sample_training_example(self._original[1], corpus_words(), self.rng, info.mask_token or "[MASK]")
        self.example = example
        self.example_text = example.text
        window.set_text(example.text)
        header = self.tr("Chose %1 of the %2 words; the model must recover each original:")
        lines = [header.replace("%1", str(len(example.chosen))).replace("%2", str(example.words))]
        lines += [self._corruption_line(c) for c in example.chosen]
        footer = self.tr("The text box now holds this example; press again for another one of your sentence.")
        self.panel.show_result("\n".join([*lines, "", footer]))

    def _corruption_line(self, corruption: Corruption) -> str:
        pieces = len(corruption.word.pieces)
        if corruption.action == "random":
            line = self.tr("“%1” → the random corpus word “%2”").replace("%2", corruption.shown)
        elif corruption.action == "keep":
            line = self.tr("“%1” → left unchanged")
        elif pieces > 1:
            line = self.tr("“%1” → %2 × [MASK], one for each of its tokens").replace("%2", str(pieces))
        else:
            line = self.tr("“%1” → [MASK]")
        return line.replace("%1", corruption.word.text)

    def original_sentence(self) -> str:
        return self._original[0]

    def _random_second(self, lesson: Lesson) -> None:
        """Swap sentence B for an unrelated one, or back for the real continuation."""
        first, _, second = self.window.text_input.toPlainText().partition("\n")
        random_second = lesson.pick(lesson.extra.get("random_second", {}), self.language)
        real_second = lesson.pick(lesson.text, self.language).partition("\n")[2]
        self.window.set_text(f"{first}\n{real_second if second == random_second else random_second}")


def install_lessons(window: MainWindow) -> LessonController:
    """The Learn menu's lessons and their side panel, on `window`."""
    return LessonController(window)
