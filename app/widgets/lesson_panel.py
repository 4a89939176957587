"""The lesson side panel: a few paragraphs, one thing to try, the lesson's button, previous/next."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from attnlab.app.lessons import Lesson

PANEL_WIDTH = 300  # as it opens
MIN_WIDTH = 220  # on a small screen: the window beside it keeps room for its heatmap


def _wrapped(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class LessonPanel(QDockWidget):
    """Shows one lesson; emits action_requested for its button and move_requested(±1) to go on."""

    action_requested = Signal()
    move_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lessonPanel")
        self.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.lesson: Lesson | None = None
        self.counter = _wrapped("lessonCounter")
        self.counter.setStyleSheet("color: #666;")
        self.title = _wrapped("lessonTitle")
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.body = _wrapped("lessonBody")
        self.try_heading = QLabel()
        self.try_heading.setObjectName("lessonTryHeading")
        self.try_heading.setStyleSheet("font-weight: bold;")
        self.try_this = _wrapped("lessonTry")
        self.try_this.setStyleSheet("background: #eef6ff; border-left: 3px solid #1e88e5; padding: 4px;")
        self.action_button = QPushButton()
        self.action_button.setObjectName("lessonAction")
        self.action_button.clicked.connect(self.action_requested)
        self.result = _wrapped("lessonResult")
        self.result.setStyleSheet("font-family: monospace;")
        self.previous_button = QPushButton()
        self.previous_button.setObjectName("lessonPrevious")
        self.previous_button.clicked.connect(lambda: self.move_requested.emit(-1))
        self.next_button = QPushButton()
        self.next_button.setObjectName("lessonNext")
        self.next_button.clicked.connect(lambda: self.move_requested.emit(1))

        content = QWidget()
        column = QVBoxLayout(content)
        for widget in (
            self.counter,
            self.title,
            self.body,
            self.try_heading,
            self.try_this,
            self.action_button,
            self.result,
        ):
            column.addWidget(widget)
        column.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.previous_button)
        row.addWidget(self.next_button)
        column.addLayout(row)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(scroll)
        self.setMinimumWidth(MIN_WIDTH)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Lesson"))
        self.try_heading.setText(self.tr("Try this"))
        self.previous_button.setText(self.tr("← Previous"))
        self.previous_button.setToolTip(self.tr("The previous lesson"))
        self.next_button.setText(self.tr("Next →"))
        self.next_button.setToolTip(self.tr("The next lesson"))
        self.action_button.setToolTip(self.tr("Do this lesson's step in the window; the result shows below"))

    def show_lesson(self, lesson: Lesson, language: str, total: int) -> None:
        changed = lesson is not self.lesson
        self.lesson = lesson
        text = lesson.text_in(language)
        self.counter.setText(self.tr("Lesson %1 of %2").replace("%1", str(lesson.number)).replace("%2", str(total)))
        self.title.setText(text.title)
        self.body.setText("\n\n".join(text.body))
        self.try_this.setText(text.try_this)
        self.action_button.setText(text.action)
        self.action_button.setToolTip(text.try_this)
        self.action_button.setVisible(bool(lesson.action and text.action))
        if changed:
            self.show_result("")
        self.previous_button.setEnabled(lesson.number > 1)
        self.next_button.setEnabled(lesson.number < total)

    def show_result(self, text: str) -> None:
        self.result.setText(text)
        self.result.setVisible(bool(text))
