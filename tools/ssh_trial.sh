#!/usr/bin/env bash
# A remote engine through a real sshd on localhost: installs openssh-server when missing, makes a
# throwaway key, starts sshd on a spare port, then steps 20 tokens of SmolLM2 through
# `ssh://localhost:PORT` and through a private local engine, and prints the latency each step added.
#
#   tools/ssh_trial.sh            (from the repository root, after `make setup`)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
PORT=${PORT:-2299}
WORK=$(mktemp -d /tmp/attnlab-ssh-trial-XXXXXX)
chmod 700 "$WORK"

if ! command -v sshd >/dev/null 2>&1 && [ ! -x /usr/sbin/sshd ]; then
  echo "installing openssh-server…"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client >/dev/null
fi
SSHD=$(command -v sshd || echo /usr/sbin/sshd)

ssh-keygen -q -t ed25519 -N "" -f "$WORK/host_key"
ssh-keygen -q -t ed25519 -N "" -f "$WORK/user_key"
cp "$WORK/user_key.pub" "$WORK/authorized_keys"
chmod 600 "$WORK/authorized_keys"
cat > "$WORK/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $WORK/host_key
AuthorizedKeysFile $WORK/authorized_keys
PasswordAuthentication no
PubkeyAuthentication yes
StrictModes no
UsePAM no
PidFile $WORK/sshd.pid
PermitUserEnvironment no
SetEnv PATH=$ROOT/.venv/bin:/usr/local/bin:/usr/bin:/bin HF_HUB_OFFLINE=1
EOF
mkdir -p /run/sshd 2>/dev/null || true
"$SSHD" -f "$WORK/sshd_config" -E "$WORK/sshd.log"
trap 'kill "$(cat "$WORK/sshd.pid")" 2>/dev/null || true; rm -rf "$WORK"' EXIT
sleep 0.5

# the window's ssh uses this user's config: point it at the throwaway key and host key
mkdir -p "$WORK/bin"
cat > "$WORK/bin/ssh" <<EOF
#!/bin/sh
exec /usr/bin/ssh -F /dev/null -i "$WORK/user_key" -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o LogLevel=ERROR "\$@"
EOF
chmod 755 "$WORK/bin/ssh"

PATH="$WORK/bin:$PATH" ATTNLAB_REMOTE_COMMAND="$ROOT/.venv/bin/attnlab engine --stdio" \
ATTNLAB_RUNTIME_DIR="$WORK/runtime" QT_QPA_PLATFORM=offscreen HF_HUB_OFFLINE=1 \
"$PY" - "$PORT" <<'EOF'
import statistics, sys, time
from PySide6.QtWidgets import QApplication
from attnlab.app.engine_worker import EngineClient

app = QApplication([])
port = sys.argv[1]

def wait(done):
    start = time.perf_counter()
    while not done:
        app.processEvents()
        if time.perf_counter() - start > 300:
            raise TimeoutError("no reply")

def trial(target):
    client = EngineClient(target=target)
    got = []
    client.model_loaded.connect(got.append)
    client.engine_failed.connect(lambda m: got.append(RuntimeError(m)))
    client.load_failed.connect(lambda m: got.append(RuntimeError(m)))
    client.load("SmolLM2-135M-Instruct")
    wait(got)
    if isinstance(got[0], Exception):
        raise got[0]
    done = []
    client.analysed.connect(done.append)
    client.analyse("The capital of France is")
    wait(done)
    times = []
    for _ in range(20):
        stepped = []
        c = client.stepped.connect(lambda r, _replaced: stepped.append(r))
        t = time.perf_counter()
        client.step()
        wait(stepped)
        times.append((time.perf_counter() - t, stepped[0].seconds, stepped[0].text))
        client.stepped.disconnect(c)
    client.shutdown()
    return times

local = trial("private")
remote = trial(f"ssh://localhost:{port}")
print("text (ssh):", "".join(t[2] for t in remote))
added_local = [(total - own) * 1000 for total, own, _ in local]
added_remote = [(total - own) * 1000 for total, own, _ in remote]
print(f"per step, click -> result: local engine {statistics.median(t[0] for t in local) * 1000:.1f} ms, "
      f"over ssh {statistics.median(t[0] for t in remote) * 1000:.1f} ms (medians of 20)")
print(f"added beyond the engine's own step: local socket {statistics.median(added_local):.1f} ms, "
      f"ssh {statistics.median(added_remote):.1f} ms; ssh adds {statistics.median(added_remote) - statistics.median(added_local):.1f} ms a step")
EOF
