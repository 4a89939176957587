"""Opening a bundled model by its folder: one entry in the picker, saved by its catalog name."""

from __future__ import annotations

from attnlab.app import settings as saved
from attnlab.engine.models.available_models import bundled_dir


def test_bundled_folder_opened_by_path_is_one_entry(open_window, qtbot, wait_idle):
    folder = str(bundled_dir() / "tiny-gpt")
    window = open_window(folder, text="Once upon a time")
    qtbot.waitUntil(lambda: window.picker.models.count() > 1, timeout=20_000)  # the catalog is listed
    window.client.list_catalog()  # listed again after the load: the recent list must not have grown
    wait_idle(window)
    names = [window.picker.models.itemData(i) for i in range(window.picker.models.count())]
    assert names.count("tiny-gpt") == 1
    assert folder not in names and not any(str(name).endswith("tiny-gpt") and name != "tiny-gpt" for name in names)
    assert window.picker.models.currentData() == "tiny-gpt"
    assert saved.last_model(window.settings) == "tiny-gpt"
