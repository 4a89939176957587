"""Plain Qt controls: pickers, panels, the token strip, tables. No pyqtgraph here.

Each is one control per module; the window (`app.main_window`) wires them to the engine.
"""
