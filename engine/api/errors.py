"""Errors the engine raises. Each says what is wrong and what to do. No torch, no Qt.

An error carries an `EngineMessage` (a code and parameters, engine/api/messages.py): the CLI
prints `str(error)`, the English text; the window translates `error.message` by its code. The
old form `EngineError("an English text")` still works (its message is LEGACY, shown as written);
tests/engine/test_error_codes.py lists the sites that still use it.
"""

from __future__ import annotations

from attnlab.engine.api.messages import LEGACY, EngineMessage, Param, message


class CodedError(Exception):
    """An exception whose text is an EngineMessage: `CodedError(code, **params)`."""

    def __init__(self, code: str = "", /, **params: Param):
        self.message: EngineMessage = message(code or type(self).__name__, **params)
        super().__init__(str(self.message))

    @property
    def code(self) -> str:
        return self.message.code

    def __reduce__(self):  # pickles as data: the class and the message, not the English text
        return (_rebuild, (type(self), self.message))


def _rebuild(cls: type[CodedError], coded: EngineMessage) -> CodedError:
    if coded.code == LEGACY:
        return cls(str(coded))
    return cls(coded.code, **coded.values())


class EngineError(CodedError, ValueError):
    """Bad input or an impossible request; the message is meant for the user."""


class ModelLoadError(EngineError):
    """The model could not be loaded (not a model folder, corrupt config, refused weights...)."""


class UnsupportedError(EngineError):
    """The model cannot do what was asked (e.g. fill [MASK] without an MLM head)."""


class GenerationFinished(EngineError):
    """A step was asked for after the sequence ended (EOS or max length)."""


class Cancelled(EngineError):
    """The user cancelled a long computation; nothing changed."""
