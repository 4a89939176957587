"""What the app remembers between runs (QSettings): last model, window geometry, sampling, the text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QByteArray, QSettings

from attnlab.engine.api.config import SamplingConfig

ORGANISATION = "attnlab"
APPLICATION = "attnlab"

_N = TypeVar("_N", int, float)
SETTINGS_TEXT_CHARS = 20_000  # longer texts are not remembered between runs (save a session for them)


def open_settings() -> QSettings:
    """An INI file in the user's config folder (tests redirect it with QSettings.setPath)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)


def _bool(value: object, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _number(value: object, cast: Callable[[Any], _N], default: _N) -> _N:
    try:
        return cast(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def last_model(settings: QSettings) -> str | None:
    value = settings.value("model/last")
    return str(value) if value else None


def save_last_model(settings: QSettings, spec: str) -> None:
    settings.setValue("model/last", spec)


def sampling(settings: QSettings) -> tuple[SamplingConfig, int]:
    """(sampling config, run count), falling back to defaults on bad values."""
    default = SamplingConfig()
    seed = _number(settings.value("sampling/seed"), int, -1)
    try:
        config = SamplingConfig(
            greedy=_bool(settings.value("sampling/greedy"), default.greedy),
            temperature=_number(settings.value("sampling/temperature"), float, default.temperature),
            top_k=_number(settings.value("sampling/top_k"), int, default.top_k),
            top_p=_number(settings.value("sampling/top_p"), float, default.top_p),
            seed=None if seed < 0 else seed,
            candidates=_number(settings.value("sampling/candidates"), int, default.candidates),
            max_new_tokens=_number(settings.value("generation/max_new_tokens"), int, default.max_new_tokens),
        )
    except ValueError:
        config = default
    run_count = _number(settings.value("generation/run_count"), int, 20)
    return config, max(1, run_count)


def save_sampling(settings: QSettings, config: SamplingConfig, run_count: int) -> None:
    settings.setValue("sampling/greedy", config.greedy)
    settings.setValue("sampling/temperature", config.temperature)
    settings.setValue("sampling/top_k", config.top_k)
    settings.setValue("sampling/top_p", config.top_p)
    settings.setValue("sampling/seed", -1 if config.seed is None else config.seed)
    settings.setValue("sampling/candidates", config.candidates)
    settings.setValue("generation/max_new_tokens", config.max_new_tokens)
    settings.setValue("generation/run_count", run_count)


def texts(settings: QSettings, kind: str) -> tuple[str, str] | None:
    """(text, source) as they were left in a model of this kind (text boxes belong to the kind:
    a decoder's prompt is no encoder-decoder's prefix); None when nothing was typed for it."""
    if not settings.contains(f"input/{kind}/text"):
        return None
    return str(settings.value(f"input/{kind}/text") or ""), str(settings.value(f"input/{kind}/source") or "")


def save_texts(settings: QSettings, kind: str, text: str, source: str) -> None:
    """Remember the boxes for this kind; a text past SETTINGS_TEXT_CHARS is not kept (the settings
    file is read whole at every start: a 12 MB paste made each start 4 s slower), and the next
    start says so (dropped_text)."""
    longest = max(len(text), len(source))
    if longest > SETTINGS_TEXT_CHARS:
        text, source = "", ""
    settings.setValue(f"input/{kind}/text", text)
    settings.setValue(f"input/{kind}/source", source)
    settings.setValue(f"input/{kind}/dropped", longest if longest > SETTINGS_TEXT_CHARS else 0)
    settings.setValue("input/kind", kind)


def dropped_text(settings: QSettings, kind: str | None) -> int:
    """How long the text was that save_texts did not keep for `kind` (0: none dropped)."""
    return _number(settings.value(f"input/{kind}/dropped"), int, 0) if kind else 0


def last_texts(settings: QSettings) -> tuple[str | None, str, str]:
    """(kind, text, source) of the boxes as the window was closed; kind None: from before kinds were kept."""
    kind = settings.value("input/kind")
    if kind:
        text, source = texts(settings, str(kind)) or ("", "")
        return str(kind), text, source
    return None, str(settings.value("input/text") or ""), str(settings.value("input/source") or "")


def geometry(settings: QSettings) -> tuple[QByteArray | None, QByteArray | None]:
    """(window geometry, window state) as saved by Qt, or None."""
    return settings.value("window/geometry"), settings.value("window/state")


def save_geometry(settings: QSettings, geometry_bytes: QByteArray, state: QByteArray) -> None:
    settings.setValue("window/geometry", geometry_bytes)
    settings.setValue("window/state", state)
