"""The engine server: the room at the top of the engine, which owns the model and session and answers the
window's requests (`handlers`), over a process boundary (`serve`, `link`) encoded as data (`wire`).

Importing this package imports no torch: the window imports `wire` and `runtime`.
"""
