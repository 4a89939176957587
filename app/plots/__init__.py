"""The pyqtgraph views: the head heatmap, the head grid, their token axis and colours.

They draw numpy arrays and know nothing of the engine or the window; `app.attention_panel`
binds them to the document.
"""
