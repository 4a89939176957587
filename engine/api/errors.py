"""Errors the engine raises. Each message says what is wrong and what to do. No torch, no Qt."""


class EngineError(ValueError):
    """Bad input or an impossible request; the message is meant for the user."""


class ModelLoadError(EngineError):
    """The model could not be loaded (not a model folder, corrupt config, refused weights...)."""


class UnsupportedError(EngineError):
    """The model cannot do what was asked (e.g. fill [MASK] without an MLM head)."""


class GenerationFinished(EngineError):
    """A step was asked for after the sequence ended (EOS or max length)."""


class Cancelled(EngineError):
    """The user cancelled a long computation; nothing changed."""
