"""`attnlab install-desktop` writes a launcher that starts this installation, and removes it."""

import configparser
import shlex

from attnlab.app import desktop_entry


def test_install_desktop_writes_an_entry_that_starts_this_installation(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert desktop_entry.main([]) == 0
    entry, icon = desktop_entry.targets()
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read(entry)
    fields = parsed["Desktop Entry"]
    command = shlex.split(fields["Exec"])
    assert command[-1] == "%f" and command[0].startswith("/")  # absolute: works without the venv on PATH
    assert fields["Icon"] == str(icon) and icon.read_text().startswith("<svg")
    assert desktop_entry.main(["--uninstall"]) == 0
    assert not entry.exists() and not icon.exists()
