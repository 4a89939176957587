"""A remote engine: `attnlab --engine ssh://host` runs `attnlab engine --stdio` through the system's ssh.
Here `ssh` is a stand-in on PATH that runs the remote side on this machine over the same pipes, so all
but sshd is exercised (tools/ssh_trial.sh goes through a real sshd)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import LOAD_TIMEOUT_MS, REPLY_TIMEOUT_MS

from attnlab import __version__
from attnlab.app.engine_worker import EngineClient
from attnlab.app.main_window import MainWindow
from attnlab.engine.server.link import ssh_command

STAND_IN = """#!/bin/sh
# ssh [-o opt] [-T] [-p port] host command: log the call, run the command here on the same stdio
echo "$@" >> "{log}"
while [ $# -gt 1 ]; do
  case "$1" in
    -o|-p) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
shift  # the host
exec sh -c "$*"
"""


@pytest.fixture
def stand_in_ssh(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "ssh.log"
    ssh = folder / "ssh"
    ssh.write_text(STAND_IN.format(log=log))
    ssh.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return log


def test_the_ssh_command_names_user_host_and_port():
    command = ssh_command("ssh://ada@gpu-box:2222")
    assert command[0] == "ssh" and command[-2:] == ["ada@gpu-box", "attnlab engine --stdio"]
    assert command[command.index("-p") + 1] == "2222"
    with pytest.raises(ValueError, match="ssh://"):
        ssh_command("http://gpu-box")


def test_a_window_drives_a_model_over_the_ssh_hop(qtbot, fresh_settings, stand_in_ssh, monkeypatch):
    monkeypatch.setenv("ATTNLAB_ENGINE", "ssh://ada@gpu-box:2222")
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.text_input.setPlainText("The cat sat on the")
    try:
        with qtbot.waitSignal(window.model_loaded, timeout=LOAD_TIMEOUT_MS):
            window.start("tiny-gpt")
        qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
        for _ in range(3):
            window.step()
            qtbot.waitUntil(window.is_idle, timeout=REPLY_TIMEOUT_MS)
        assert len(window.document.steps) == 3
        attention = window.document.snapshot  # the last step's, through the pipes
        rows = attention.full("decoder")  # [layer, head, query, key]
        assert rows.shape[2] == len(window.document.sequence())
        assert abs(rows.sum(-1) - 1).max() < 2e-3 and not (rows * (1 - np.tri(rows.shape[2]))).any()
        assert window.picker.models.findData("tiny-gpt") >= 0  # the server's catalog fills the picker
        window.grab().save("/tmp/engine-process-ssh.png")
        assert "ada@gpu-box" in stand_in_ssh.read_text() and "attnlab engine --stdio" in stand_in_ssh.read_text()
        link = window.client.engine_process.link
        assert link.process is not None and link.pid != os.getpid()
    finally:
        window.close()
    assert link.process.poll() is not None  # the remote side left with its window


def test_a_version_mismatch_is_refused_with_both_versions_named(qtbot, stand_in_ssh, monkeypatch):
    monkeypatch.setenv("ATTNLAB_ENGINE_PRETEND_VERSION", "9.9.9")  # what the "remote" attnlab says it is
    client = EngineClient(target="ssh://gpu-box")
    try:
        with qtbot.waitSignal(client.engine_failed, timeout=LOAD_TIMEOUT_MS) as failed:
            pass
    finally:
        client.shutdown()
    said = failed.args[0]
    assert said.code == "engine_version_mismatch" and said.values() == {"engine": "9.9.9", "window": __version__}
    assert not client.engine_thread.isRunning()
