"""The main window: inputs and generation on the left, attention on the right, the engine behind.

Every engine call goes through `EngineClient` (a worker in its own thread); this class only
turns user actions into requests and results into views. Views are redrawn a part at a time
and paced (redraw_pump), so a fast run never floods the event loop.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QGraphicsOpacityEffect,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from attnlab.app import settings as saved
from attnlab.app.analysis_menu import add_analysis_actions
from attnlab.app.attention_panel import AttentionPanel
from attnlab.app.cause_dock import install_cause_dock
from attnlab.app.consent import ConsentBook
from attnlab.app.document import Document
from attnlab.app.engine_messages import translate_engine_message
from attnlab.app.engine_recovery import install_recovery
from attnlab.app.engine_worker import EngineClient, Loader
from attnlab.app.error_log import open_log
from attnlab.app.figure_actions import install_figures
from attnlab.app.generation_guard import is_not_analysed, refuse_to_continue
from attnlab.app.i18n import current_language, translate
from attnlab.app.info_flow_dock import install_info_flow_dock
from attnlab.app.keyboard_help import add_keyboard_help
from attnlab.app.language_menu import add_language_menu
from attnlab.app.lessons import install_lessons
from attnlab.app.menus import build_menus, read_text_file
from attnlab.app.prediction_dock import install_prediction_dock
from attnlab.app.redraw_pump import RedrawPump
from attnlab.app.requests import TokenPreview
from attnlab.app.session_actions import install_sessions
from attnlab.app.text_box import MAX_CHARS, TextBox
from attnlab.app.token_find import AROUND, add_token_find
from attnlab.app.training import install_training
from attnlab.app.widgets.candidates import CandidatesTable
from attnlab.app.widgets.generation_bar import GenerationBar
from attnlab.app.widgets.mask_predictions import MaskPredictions
from attnlab.app.widgets.message_banner import MessageBanner
from attnlab.app.widgets.model_picker import ModelPicker
from attnlab.app.widgets.no_head_note import NoHeadNote, no_head_reason
from attnlab.app.widgets.sampling_panel import SamplingPanel
from attnlab.app.widgets.token_strip import TokenStrip
from attnlab.app.work_message import WorkMessage
from attnlab.engine.api.config import LoadOptions, SamplingConfig
from attnlab.engine.api.results import AnalysisResult, Masks, ModelInfo, StackName, StepResult

ANALYSE_DELAY_MS = 350  # typing pause before the text is re-analysed
RENDER_MS = 30  # a redraw starts at least this long after the previous one ended
RUN_RENDER_MS = 100  # the same during a run: tokens stream in faster than the eye follows
EXAMPLES = {  # what the bundled model of each kind was trained on (resources/models/examples.json)
    "encoder": "The capital of France is Paris.",
    "decoder": "The capital of France is",
    "encoder-decoder": "one thousand two hundred and forty-five",
}
EXAMPLES_ZH = {  # the first text when the interface is in Chinese
    "encoder": "法国的首都是巴黎。",
    "decoder": "法国的首都是",
    "encoder-decoder": "一千零二十三",
}


def _text_box(name: str, placeholder: str, height: int, tip: str) -> TextBox:
    box = TextBox()
    box.setObjectName(name)
    box.setPlaceholderText(placeholder)
    box.setToolTip(tip)
    box.setMaximumHeight(height)
    box.setTabChangesFocus(True)  # Tab moves on to the next control instead of typing a tab
    return box


class MainWindow(QMainWindow):
    model_loaded = Signal(object)  # ModelInfo, once the window shows it
    view_updated = Signal()  # after the views were redrawn
    errored = Signal(str)  # a message was shown

    def __init__(self, loader: Loader | None = None, catalog=None, settings: QSettings | None = None):
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("attnlab")
        self.settings = settings or saved.open_settings()
        open_log()  # unexpected engine errors are logged with their tracebacks
        self.document = Document()
        self.client = EngineClient(loader, catalog, self)
        self._masks = Masks()  # what the user asked for (the last result says what was applied)
        self._spec = ""  # the model being loaded
        self._banner_origin = ""  # what showed the banner: "load", "engine" or "input"
        self._load_default = False  # load the catalog's default once it is listed
        self._timing = ""  # for the status bar, shown at the next redraw
        self._run_start = 0  # steps taken before the current run
        self._text_kind: str | None = None  # the kind of model the text boxes hold text for (None: any)
        self._explain_rid = 0  # the last formula-inspector request
        self._early_tokens: tuple[str, ...] = ()  # the loading model's tokenizer's tokens, until its analysis
        self._texts_at_load: tuple[str, str] | None = None  # the boxes as a load began: typed in since, if they differ
        self.pending_replay: tuple[int, ...] = ()  # generated ids the next analysis feeds again (an opened session)
        self._build()
        self._connect()
        self._restore()
        self.sessions = install_sessions(self)
        self.recovery = install_recovery(self)  # a dead engine process: a new one replays the session

    # -- construction ------------------------------------------------------------------------

    def _build(self) -> None:
        self.picker = ModelPicker()
        self.banner = MessageBanner()
        self.source_label = QLabel(self.tr("Source"))
        self.source_input = _text_box(
            "sourceInput",
            self.tr("The encoder's input"),
            80,
            self.tr("The text the encoder reads; analysed as you type"),
        )
        self.text_label = QLabel(self.tr("Text"))
        self.text_input = _text_box(
            "textInput",
            self.tr("Type some text…"),
            100,
            self.tr("The text to analyse, as you type (Tab moves on to the next control)"),
        )
        self.token_strip = TokenStrip()
        self.token_strip.setMinimumHeight(70)
        self.decoder_label = QLabel(self.tr("Decoder tokens"))
        self.decoder_strip = TokenStrip(name="decoderTokens")
        self.decoder_strip.setMinimumHeight(50)
        self.generation = GenerationBar()
        self.sampling = SamplingPanel()
        self.generation.set_limit_box(self.sampling.max_new_tokens)  # next to Run: the two counts read together
        self.candidates = CandidatesTable()
        self.mask_predictions = MaskPredictions()
        self.no_head_note = NoHeadNote()
        self.attention = AttentionPanel()
        self.stale_notice = QLabel(self.tr("Not current — shows the previous text (the last analysis failed)"))
        self.stale_notice.setObjectName("staleNotice")
        self.stale_notice.setStyleSheet("color: #7a5b00; background: #fff4ce; padding: 2px 6px;")
        self.stale_notice.hide()

        left = QWidget()
        left.setObjectName("inputPanel")
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 4, 0)
        widget: QWidget
        for widget in (self.source_label, self.source_input, self.text_label, self.text_input, self.stale_notice):
            column.addWidget(widget)
        column.addWidget(self.token_strip)
        for widget in (self.decoder_label, self.decoder_strip, self.generation):
            column.addWidget(widget)
        column.addWidget(self.candidates, 2)
        column.addWidget(self.mask_predictions, 2)
        column.addWidget(self.no_head_note, 2)
        column.addWidget(self.sampling)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.attention)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([420, 980])

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.addWidget(self.picker)
        outer.addWidget(self.banner)
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.status_model = QLabel(self.tr("no model"))
        self.status_model.setObjectName("statusModel")
        self.status_device = QLabel("")
        self.status_device.setObjectName("statusDevice")
        self.status_timing = QLabel("")
        self.status_timing.setObjectName("statusTiming")
        self.status_timing.setMinimumWidth(130)  # changing numbers must not re-lay out the bar
        for label in (self.status_model, self.status_device, self.status_timing):
            self.statusBar().addPermanentWidget(label)
        self._analyse_timer = QTimer(self, singleShot=True, interval=ANALYSE_DELAY_MS)
        self.attention.set_document(self.document)
        self._redraw = RedrawPump(  # one part per event-loop turn: see redraw_pump
            {
                "heatmap": self.attention.render_heatmap,  # first: what the user watches while stepping
                "tokens": self._draw_tokens,
                "side": self._draw_side,  # the candidates, before the grid: the grid costs most, and waits most
                "grid": self.attention.render_grid,
            },
            self,
        )
        self.action_registry = build_menus(self)  # every menu action, its shortcut and when it is enabled
        self.menus = self.action_registry.menus
        self.lessons = install_lessons(self)
        add_language_menu(self)
        self.analysis_actions = add_analysis_actions(self)
        add_keyboard_help(self)
        self.token_finder = add_token_find(self)  # tests and other actions reach it here
        self.figures = install_figures(self)
        self.prediction = install_prediction_dock(self)
        self.consents = ConsentBook(self)  # per-model consent to a model's code, pickles, unmatched weights
        self.info_flow = install_info_flow_dock(self)
        self.training = install_training(self)
        self.cause = install_cause_dock(self)
        self._show_kind(None)
        self.resize(1400, 860)

    def _connect(self) -> None:
        c = self.client
        c.catalog_listed.connect(self._on_catalog)
        c.load_progressed.connect(lambda message, fraction: self.picker.set_loading(True, message, fraction))
        c.model_loaded.connect(self._on_model_loaded)
        c.tokens_previewed.connect(self._on_tokens_previewed)
        c.load_failed.connect(self._on_load_failed)
        c.analysed.connect(self._on_analysed)
        c.stepped.connect(self._on_stepped)
        c.undone.connect(self._on_undone)
        c.run_finished.connect(self._on_run_finished)
        c.sampling_applied.connect(self._on_sampling_applied)
        c.cell_explained.connect(self.attention.formula.show_explanation)
        self.attention.cell_requested.connect(self._on_cell_requested)
        c.heads_scored.connect(self.attention.show_scores)  # head scores, rollout, probe: asked by the panel
        c.rollout_computed.connect(self.attention.show_rollout)
        c.induction_probed.connect(self.attention.show_probe)
        c.scoring_failed.connect(self.attention.scoring_failed)
        c.scoring_progressed.connect(lambda message, _fraction: self.statusBar().showMessage(message, 3000))
        self.work_message = WorkMessage(self.statusBar())  # an analysis's messages go when it ends
        c.analysis_progressed.connect(lambda message, _fraction: self.work_message.show(message, 60_000))
        c.analysis_failed.connect(self.work_message.end)
        self.attention.scores_wanted.connect(c.score_heads)
        self.attention.rollout_wanted.connect(c.rollout)
        self.attention.colour_mode.wanted.connect(c.measure_values)  # the contribution colour mode
        c.values_measured.connect(self.attention.colour_mode.received)
        c.analysed.connect(lambda _result: self.attention.colour_mode.given_up())  # a measurement may be dropped
        c.errored.connect(lambda _message: self.attention.colour_mode.failed())
        self.attention.probe_requested.connect(c.probe_induction)
        self.attention.region_wanted.connect(c.region)  # a long document's exact weights where the user zoomed
        c.region_computed.connect(self.attention.show_region)
        c.analysis_failed.connect(self.attention.heatmap.region_failed)  # a region asked before it was dropped
        c.errored.connect(self._on_engine_error)
        c.analysis_failed.connect(lambda message: self._set_stale(self.document.analysis is not None))
        c.state_changed.connect(self._update_actions)
        self.picker.load_requested.connect(self.load)
        self.text_input.refused.connect(self._on_paste_refused)
        self.source_input.refused.connect(self._on_paste_refused)
        self.text_input.textChanged.connect(self._on_text_changed)
        self.source_input.textChanged.connect(self._on_text_changed)
        self.token_strip.mark_requested.connect(self._on_mark_requested)
        self.decoder_strip.mark_requested.connect(self.set_decoder_mark)
        self.token_strip.range_selected.connect(lambda first, last: self.show_rows(first, last, ("encoder", "decoder")))
        self.decoder_strip.range_selected.connect(lambda first, last: self.show_rows(first, last, ("decoder", "cross")))
        for strip in (self.token_strip, self.decoder_strip):
            strip.token_selected.connect(self.select_token)
            strip.regenerate_requested.connect(self.regenerate_from)
        self.generation.step_requested.connect(self.step)
        self.generation.run_requested.connect(self.run)
        self.generation.stop_requested.connect(self.client.stop)
        self.generation.undo_requested.connect(self.undo)
        self.candidates.chosen.connect(self.choose)
        self.sampling.changed.connect(self._on_sampling_changed)
        self.attention.ablation_toggled.connect(self._on_ablation_toggled)
        self.attention.hovered.connect(lambda text: self.statusBar().showMessage(text))
        self._analyse_timer.timeout.connect(self.analyse)
        self._redraw.finished.connect(self.view_updated)

    def _restore(self) -> None:
        geometry, state = saved.geometry(self.settings)
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        config, run_count = saved.sampling(self.settings)
        self.sampling.set_config(config)
        self.generation.run_count.setValue(run_count)
        kind, text, source = saved.last_texts(self.settings)  # analysed once a model is loaded
        self._set_texts(text, source)
        self._text_kind = kind
        dropped = saved.dropped_text(self.settings, kind)
        if dropped:
            note = self.tr(
                "The text left here last time ({0:,} characters) was too long to keep in the settings "
                "(at most {1:,}): save a session to keep a long text."
            ).format(dropped, saved.SETTINGS_TEXT_CHARS)
            self._show_message(note, "info", origin="input")
            self.text_input.setPlaceholderText(note)  # stays said in the empty box after the banner moves on

    # -- public actions (also what tests and scripts call) -----------------------------------

    def start(self, model: str | None = None) -> None:
        """List the catalog and load `model`, else the last model used, else the catalog default."""
        self.client.list_catalog()
        self.client.set_sampling(self.sampling.config())
        spec = model or saved.last_model(self.settings)
        self._load_default = spec is None
        if spec:
            self.load(spec)

    def load(self, spec: str, options: LoadOptions | None = None) -> None:
        """Load `spec` in the engine thread; a run in progress stops at once (its model is going)."""
        self.client.stop()
        self._spec = spec
        self.picker.show_loading(spec)
        self.picker.set_loading(True, self.tr("Loading {0}…").format(spec))
        if self._texts_at_load is None:  # a load replacing a load: the boxes as the first one began
            self._texts_at_load = (self.text_input.toPlainText(), self.source_input.toPlainText())
        self.statusBar().showMessage(self.tr("Loading {0}…").format(spec))
        preview = None  # the strip's text per kind, whose tokens show while the model loads
        if self.document.analysis is None:
            preview = {kind: self._texts_for(kind)[kind == "encoder-decoder"] for kind in EXAMPLES}
        self.client.load(spec, self.consents.apply(options or self.picker.options()), preview)
        self._update_actions()

    def analyse(self, keep_generated: bool = False) -> None:
        """Send the current text and masks to the engine now.

        keep_generated: the text is unchanged (only masks or ablations changed): the tokens
        generated so far are fed again under the new masks instead of being dropped.
        """
        text_edited = self._analyse_timer.isActive()
        self._analyse_timer.stop()
        info = self.document.info
        if info is None:
            return  # the analysis follows the load
        text = self.text_input.toPlainText()
        source = self.source_input.toPlainText() if info.kind == "encoder-decoder" else None
        needed = source if source is not None else text
        if not needed.strip():
            what = self.tr("a source text") if source is not None else self.tr("some text")
            self._show_message(self.tr("Type {0} to see its attention.").format(what), "info", origin="input")
            self.document.clear_analysis()
            self._set_stale(False)  # nothing is shown
            self._render()
            return
        if self.banner.level and self._banner_origin == "input":
            self.banner.dismiss()
        replay, self.pending_replay = self.pending_replay, ()
        if not replay and keep_generated and not text_edited and self.document.steps:
            self.client.stop()  # a run in progress ends here; what it generated so far is kept
            replay = tuple(step.token_id for step in self.document.steps)
            self.work_message.show(
                self.tr("Re-running the text and its {0} generated tokens with the new masks").format(len(replay)),
                5000,
            )
        self.client.analyse(text, self._masks, source, replay)

    def step(self) -> None:
        self._flush_analysis()
        if refuse_to_continue(self):
            return
        self.client.step()

    def run(self, count: int) -> None:
        self._flush_analysis()
        if refuse_to_continue(self):
            return
        self.generation.start_progress(count)
        self._run_start = len(self.document.steps)
        self.token_strip.hold_height(True)  # the buttons under the strip stay put while tokens arrive
        self.client.run(count)
        self._update_actions()

    def undo(self) -> None:
        self.client.undo()

    def choose(self, token_id: int, replace_last: bool) -> None:
        selected = self.document.selected
        if selected is not None and selected < len(self.document.steps) - 1:  # an earlier token's alternative
            self.regenerate_from(self.document.steps[selected].position, token_id)
            return
        self._flush_analysis()
        if refuse_to_continue(self):
            return
        self.client.choose(token_id, replace_last)

    def open_text_file(self, path: Path) -> None:
        """Put a text file's contents in the text box (a message, and the box unchanged, if it cannot be read)."""
        try:
            text = read_text_file(path)
        except (OSError, ValueError) as error:
            self._show_message(str(error), origin="input")
            return
        self.text_input.setPlainText(text)

    def set_text(self, text: str, source: str | None = None) -> None:
        """Put `text` (and an encoder-decoder's `source`) in the boxes and analyse them now."""
        self.text_input.setPlainText(text)
        if source is not None:
            self.source_input.setPlainText(source)
        self.analyse()

    def show_attention(
        self,
        stack: str | None = None,
        layer: int | None = None,
        head: int | None = None,
        mean: bool = False,
        all_layers: bool = False,
    ) -> None:
        """Select what the heatmap and the head grid show."""
        picker = self.attention.picker
        picker.select(stack=stack, layer=layer, head=head)
        picker.mean_box.setChecked(mean)
        picker.all_layers_box.setChecked(all_layers)

    def select_token(self, position: int) -> None:
        """Show the candidates a generated token was chosen from (now and then); -1: the latest step."""
        index = position - len(self.document.prefix_tokens)
        self.document.select(index if position >= 0 else None)
        if self.document.long is not None and position >= 0:  # a long document: the heatmap jumps to its row
            self.attention.heatmap.reveal(position, AROUND)
        self._schedule_render()

    def show_rows(self, first: int, last: int, stacks: tuple[str, ...]) -> None:
        """Tokens selected in a strip: the large heatmap zooms to their rows, when its queries are those tokens
        (`stacks`: the stacks whose query axis the strip's tokens are)."""
        stack = self.attention.picker.stack
        if stack in stacks and (stack != "decoder" or self.document.kind != "encoder-decoder" or "cross" in stacks):
            self.attention.heatmap.reveal(first, AROUND, last)

    def regenerate_from(self, position: int, token_id: int | None = None) -> None:
        """Undo back to before the generated token at `position` and generate one token there again
        under the current masks (or take `token_id` there)."""
        index = position - len(self.document.prefix_tokens)
        steps = len(self.document.steps)
        if not 0 <= index < steps or self.client.running:
            return
        self._flush_analysis()
        self.document.select(None)
        for _ in range(steps - index):
            self.client.undo()
        if token_id is None:
            self.client.step()
        else:
            self.client.choose(token_id, False)
        self.statusBar().showMessage(self.tr("Regenerating from token #{0}").format(position), 4000)

    def set_mark(self, position: int, kind: str) -> None:
        """Mask ("mask"), knock out ("knockout") or clear ("") a token of the text (or source), and re-analyse."""
        if self.document.info is None:
            return
        stack = self.document.info.input_stack
        masks = self._masks.with_mask(position, kind == "mask")
        self._set_masks(masks.with_knockout(stack, position, kind == "knockout"))

    def set_decoder_mark(self, position: int, kind: str) -> None:
        """Encoder-decoders: knock out ("knockout") or clear ("") a token of the decoder's sequence."""
        self._set_masks(self._masks.with_knockout("decoder", position, kind == "knockout"))

    def toggle_ablation(self, stack: StackName, layer: int, head: int) -> None:
        if self._unsupported("ablation", self.tr("Head ablation")):
            return
        self._set_masks(self._masks.toggle_head(stack, layer, head))

    def _set_masks(self, masks: Masks) -> None:
        self._masks = masks
        self._show_marks()
        self.analyse(keep_generated=True)

    def _show_marks(self) -> None:
        info = self.document.info
        stack = info.input_stack if info else "encoder"
        marks = dict.fromkeys(self._masks.knocked(stack), "knockout")
        marks.update(dict.fromkeys(self._masks.mask_positions, "mask"))
        self.token_strip.set_marks(marks)
        self.decoder_strip.set_marks(dict.fromkeys(self._masks.knocked("decoder"), "knockout"))

    def is_idle(self) -> bool:
        """No engine request in flight and no redraw or analysis pending."""
        return not (self.client.busy or self._analyse_timer.isActive() or self._redraw.active)

    # -- engine replies ----------------------------------------------------------------------

    def _on_catalog(self, entries: list, default: str | None) -> None:
        self.picker.set_catalog(entries)
        if self._load_default and default and self.document.info is None and not self.client.loading:
            self._load_default = False
            self.load(default)
        elif self._load_default and not default:
            self._show_message(self.tr("Pick a model in the list, or open a model folder."), "info")

    def _on_model_loaded(self, info: ModelInfo) -> None:
        self.picker.set_current(info.name)
        self.document.reset(info)
        self._set_stale(False)
        self._masks = Masks()
        self._show_marks()
        self._show_kind(info)
        self.attention.set_model(info)
        self.setWindowTitle(self.tr("attnlab — {0}").format(info.name))
        kind = translate("EngineMessage", info.kind)  # the engine's word for it, in the catalogue
        self.status_model.setText(f"{info.name} · {kind} · {info.architecture}")
        self.status_device.setText(f"{info.device} · {info.dtype}")
        self._timing = ""
        self.statusBar().showMessage(self.tr("Loaded {0}").format(info.name), 4000)
        if self.banner.level and self._banner_origin in ("load", "engine"):
            self.banner.dismiss()
        saved.save_last_model(self.settings, info.name)
        self._switch_texts(info.kind)
        self.model_loaded.emit(info)
        self.analyse()

    def _on_tokens_previewed(self, preview: TokenPreview) -> None:
        """The text's tokens from the loading model's tokenizer alone: shown, greyed, until its attention is there."""
        if self.document.analysis is None:
            self._early_tokens = preview.tokens
            self._refresh_tokens()

    def _on_load_failed(self, message: str) -> None:
        self._texts_at_load = None
        if self._early_tokens:
            self._early_tokens = ()
            self._refresh_tokens()
        kept = self.document.info
        suffix = self.tr(" Still using {0}.").format(kept.name) if kept else ""
        self._show_message(
            self.tr("Could not load {0}: {1}{2}").format(self._spec, message, suffix), "error", origin="load"
        )
        self.statusBar().showMessage(self.tr("Could not load {0}").format(self._spec), 8000)  # not "Loading…" forever
        if kept:
            self.picker.set_current(kept.name)
            self.analyse()  # analyses queued behind the failed load were skipped

    def _on_analysed(self, result: AnalysisResult) -> None:
        self.work_message.end()
        self.document.apply_analysis(result)
        if self.client.superseded(self._explain_rid):
            self.attention.formula.input_changed()
        self._set_stale(False)
        if self._banner_origin == "engine":
            self.banner.dismiss()
        self._timing = self.tr("analysis {0:.0f} ms").format(result.seconds * 1000)
        self._schedule_render()

    def _on_stepped(self, step: StepResult, replaced: bool) -> None:
        # Tokens can arrive faster than they can be drawn: only record here, draw in _render.
        self.document.apply_step(step, replaced)
        self._timing = self.tr("last step {0:.0f} ms").format(step.seconds * 1000)
        self._schedule_render()

    def _on_undone(self, result: AnalysisResult) -> None:
        self.document.apply_undo(result)
        self._masks = result.masks  # a knock-out on the removed token goes with it
        self._schedule_render()

    def _on_run_finished(self, count: int, reason: str) -> None:
        self.token_strip.hold_height(False)
        self.generation.end_progress()
        why = {
            "eos": self.tr("end of text"),
            "max_length": self.tr("maximum length"),
            "stopped": self.tr("stopped"),
        }.get(reason, self.tr("done"))
        self.statusBar().showMessage(self.tr("Generated {0} tokens ({1})").format(count, why), 5000)

    def _on_sampling_applied(self, finished: bool | None) -> None:
        """A new "max new tokens" can end the generation so far, or let a finished one go on."""
        if finished is not None and self.document.steps and not self.client.running:
            self.document.finished = finished
            self._update_actions()

    def _on_engine_error(self, message: str) -> None:
        if is_not_analysed(message) and self.banner.level == "error":  # the reason the text was refused stays
            self.statusBar().showMessage(message, 8000)
            return
        self._show_message(message, "error", origin="engine")

    # -- views -------------------------------------------------------------------------------

    def _show_kind(self, info: ModelInfo | None) -> None:
        """Show the controls this kind of model has."""
        kind = info.kind if info else None
        seq2seq = kind == "encoder-decoder"
        widget: QWidget
        for widget in (self.source_label, self.source_input, self.decoder_label, self.decoder_strip):
            widget.setVisible(seq2seq)
        self.text_label.setText(self.tr("Decoder prefix (optional)") if seq2seq else self.tr("Text"))
        generative = bool(info and info.can_generate)
        for widget in (self.generation, self.candidates, self.sampling):
            widget.setVisible(generative)
        self.mask_predictions.setVisible(bool(info and info.has_mlm_head))
        bare_encoder = bool(info and kind == "encoder" and not info.has_mlm_head)
        self.no_head_note.setVisible(bare_encoder)
        self.token_strip.set_unavailable("mask", no_head_reason() if bare_encoder else "")
        no_knockout = info.why_unsupported("knockout") if info else None  # this architecture cannot
        knockout = () if no_knockout else ("knockout",)
        no_knockout_tip = ""
        if no_knockout:
            no_knockout_tip = self.tr("Knock-out is not available: {0}").format(translate_engine_message(no_knockout))
        self.token_strip.setToolTip(no_knockout_tip)
        if info and info.has_mlm_head:
            self.token_strip.set_kinds("mask", ("mask", *knockout))
        else:
            # A decoder's generated tokens are keys of later tokens: they can be knocked out too.
            generated = knockout if kind == "decoder" else ()
            self.token_strip.set_kinds("knockout" if info and knockout else None, knockout, generated)
        # An encoder-decoder's decoder tokens (start, prefix, generated) are knocked out on their own strip.
        decoder_kinds = knockout if seq2seq else ()
        self.decoder_strip.set_kinds("knockout" if seq2seq and knockout else None, decoder_kinds, decoder_kinds)

    def _refresh_tokens(self) -> None:
        doc = self.document
        strip = self.token_strip
        if doc.kind == "encoder-decoder":
            self.token_strip.set_tokens(doc.plain_tokens)
            strip = self.decoder_strip
            strip.set_tokens(doc.prefix_tokens, doc.generated)
        elif doc.analysis is None and self._early_tokens:
            strip.set_tokens(self._early_tokens)
        else:
            strip.set_tokens(doc.plain_tokens, doc.generated)
        self.token_strip.set_loading(doc.analysis is None and bool(self._early_tokens))
        strip.set_probabilities(doc.probabilities())
        selected = None if doc.selected is None else len(doc.prefix_tokens) + doc.selected
        strip.set_selected(selected)
        self._show_marks()
        self._update_actions()

    def _schedule_render(self) -> None:
        self._redraw.schedule(RUN_RENDER_MS if self.client.running else RENDER_MS)

    def _render(self) -> None:
        """Redraw everything now."""
        self._redraw.draw_all()

    def _draw_tokens(self) -> None:
        self._refresh_tokens()
        self.status_timing.setText(self._timing)
        if self.client.running:
            self.generation.set_progress(len(self.document.steps) - self._run_start)

    def _draw_side(self) -> None:
        doc = self.document
        if doc.info and doc.info.can_generate:
            self.candidates.show_candidates(doc.candidates())
        if doc.info and doc.info.has_mlm_head:
            a = doc.analysis  # None: nothing analysed (the text was emptied), so nothing predicted
            if a is None:
                self.mask_predictions.show_predictions((), ())
            else:
                self.mask_predictions.show_predictions(a.mask_predictions, doc.plain_tokens, a.next_sentence_prob)

    def _set_texts(self, text: str, source: str) -> None:
        for box, value in ((self.text_input, text), (self.source_input, source)):
            with QSignalBlocker(box):
                box.setPlainText(value)

    def _switch_texts(self, kind: str) -> None:
        """Text boxes belong to the model kind: keep what was typed for the previous kind, show this
        kind's own (or an example), so that a decoder's prompt never becomes a decoder prefix."""
        previous = self._text_kind
        before, self._texts_at_load = self._texts_at_load, None
        typed = before is not None and before != (self.text_input.toPlainText(), self.source_input.toPlainText())
        if typed:  # the user typed while the model loaded: theirs stays, the previous kind keeps what it had
            if previous is not None and previous != kind:
                saved.save_texts(self.settings, previous, *before)  # type: ignore[misc]  # typed implies before
            self._text_kind = kind
            return
        if previous is not None and previous != kind:
            saved.save_texts(self.settings, previous, self.text_input.toPlainText(), self.source_input.toPlainText())
        texts = self._texts_for(kind)
        if texts != (self.text_input.toPlainText(), self.source_input.toPlainText()):
            self._set_texts(*texts)
        self._text_kind = kind

    def _texts_for(self, kind: str) -> tuple[str, str]:
        """(text, source) the boxes will hold once a model of this kind is loaded."""
        text, source = self.text_input.toPlainText(), self.source_input.toPlainText()
        if self._text_kind is not None and self._text_kind != kind:
            text, source = saved.texts(self.settings, kind) or ("", "")
            source = source if kind == "encoder-decoder" else ""
        if not text.strip() and not source.strip():
            examples = EXAMPLES_ZH if current_language() == "zh_CN" else EXAMPLES
            if kind == "encoder-decoder":
                source = examples[kind]
            else:
                text = examples.get(kind, "")
        return text, source

    def _set_stale(self, stale: bool) -> None:
        """Grey out the views and say so while they show an analysis of an older text than the typed one."""
        if stale == self.views_stale:
            return
        self.stale_notice.setVisible(stale)
        widget: QWidget
        for widget in (self.token_strip, self.decoder_strip, self.attention, self.mask_predictions, self.candidates):
            if stale:
                effect = QGraphicsOpacityEffect(widget)
                effect.setOpacity(0.45)
                widget.setGraphicsEffect(effect)
            else:
                widget.setGraphicsEffect(None)  # type: ignore[arg-type]  # Qt takes None: no effect

    @property
    def views_stale(self) -> bool:
        """The views show an analysis of an older text (the last one failed)."""
        return not self.stale_notice.isHidden()

    def _update_actions(self) -> None:
        self.generation.set_state(
            can_step=self.document.can_step and not self.client.loading,
            can_undo=self.document.can_undo,
            running=self.client.running,
        )
        if not self.client.running:
            self.generation.end_progress()
        if not self.client.loading and self.picker.progress.isVisible():
            self.picker.set_loading(False)

    def _show_message(self, text: str, level: str = "error", origin: str = "") -> None:
        self._banner_origin = origin
        self.banner.show_message(text, level)
        if level == "error":
            self.errored.emit(text)

    # -- user edits --------------------------------------------------------------------------

    def _on_paste_refused(self, length: int) -> None:
        self._show_message(
            self.tr(
                "Not pasted: the text would be {0:,} characters, and attnlab takes at most {1:,}. Paste a part of it."
            ).format(length, MAX_CHARS),
            origin="input",
        )

    def _on_text_changed(self) -> None:
        if self._early_tokens:  # they were another text's; the model's tokenizer cuts the new one once loaded
            self._early_tokens = ()
            self._refresh_tokens()
        if self._masks.mask_positions or self._masks.knockouts:
            # Positions refer to the old tokens: they would land on other tokens now.
            self._masks = Masks(ablated_heads=self._masks.ablated_heads)
            self._show_marks()
        if self.document.info is not None:
            self._analyse_timer.start()

    def _flush_analysis(self) -> None:
        if self._analyse_timer.isActive():
            self.analyse()

    def _unsupported(self, feature: str, what: str) -> str | None:
        """Say so in the status bar when the loaded architecture cannot do `feature`; the reason or None."""
        why = self.document.info.why_unsupported(feature) if self.document.info else None
        if why is None:
            return None
        reason = translate_engine_message(why)
        self.statusBar().showMessage(self.tr("{0} is not available for this model: {1}").format(what, reason), 8000)
        return reason

    def _on_cell_requested(self, stack: str, layer: int, head: int, query: int, key: int) -> None:
        reason = self._unsupported("inspector", self.tr("The formula inspector"))
        if reason:
            formula = self.attention.formula
            formula.show_message(formula.title.text(), self.tr("No formula for this model: {0}.").format(reason))
            return
        self._explain_rid = self.client.explain_cell(stack, layer, head, query, key)

    def _on_mark_requested(self, position: int, kind: str) -> None:
        self.set_mark(position, kind)

    def _on_ablation_toggled(self, stack: StackName, layer: int, head: int) -> None:
        self.toggle_ablation(stack, layer, head)

    def _on_sampling_changed(self, config: SamplingConfig) -> None:
        self.client.set_sampling(config)

    # -- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self._analyse_timer.stop()
        self._redraw.stop()
        self.client.shutdown()
        saved.save_geometry(self.settings, self.saveGeometry(), self.saveState())
        saved.save_sampling(self.settings, self.sampling.config(), self.generation.run_count.value())
        if self._text_kind is not None:
            saved.save_texts(
                self.settings, self._text_kind, self.text_input.toPlainText(), self.source_input.toPlainText()
            )
        self.settings.sync()
        super().closeEvent(event)
