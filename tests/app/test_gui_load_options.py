"""The model picker's Options menu turns into the engine's LoadOptions."""

from attnlab.app.widgets.model_picker import ModelPicker


def test_spreading_over_devices_is_opt_in(qtbot):
    picker = ModelPicker()
    qtbot.addWidget(picker)
    assert picker.options().device_map is None  # one device unless asked
    spread = picker.options_button.menu().findChild(type(picker._spread), "deviceMapAuto")
    spread.trigger()
    assert picker.options().device_map == "auto"
