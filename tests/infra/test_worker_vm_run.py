"""Boot the lean worker VM's generated cloud-init on this machine, by behaviour.

The VM is a network namespace with Container-Optimized OS's default host firewall (INPUT DROP except
established, loopback and SSH); "Cloud Run" is a second namespace on the same link at an address in
the Direct VPC egress range, plus one address outside it. The units run in systemd's order (After=),
with the real scripts, the real redis-server and iptables, and a metadata/Secret Manager stand-in on
the VM's loopback. Only `docker` and `yarn` are stand-ins: `docker run` runs the image's command
here, and `yarn` logs what Twenty was asked to do after checking that Redis answers.
"""

from __future__ import annotations

import configparser
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.infra.conftest import plan_of

TOOLS = ("ip", "iptables", "redis-server", "redis-cli", "bash", "curl")
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not all(shutil.which(t) for t in TOOLS),
    reason=f"needs root (network namespaces) and {', '.join(TOOLS)}",
)

REPO = Path(__file__).resolve().parents[2]
VM_IP, RUN_IP, OUTSIDE_IP = "10.10.0.2", "10.10.16.5", "10.10.0.9"  # run subnet 10.10.16.0/24
PASSWORD = "redis-pass-0123456789"  # a test stand-in, not a credential
MD_PORT = 18080

DOCKER = r"""#!/bin/bash
# Stand-in for docker on COS: `run` maps -v and --env-file, then runs the image's command here.
case "$1" in rm|image) exit 0;; esac
shift
envs=(); declare -A vols
while [ $# -gt 0 ]; do
  case "$1" in
    --rm) shift;;
    --name|--network) shift 2;;
    -v) IFS=: read -r host ctr _ <<< "$2"; vols[$ctr]=$host; shift 2;;
    --env-file) envs+=("$2"); shift 2;;
    *) break;;
  esac
done
image=$1; shift
if [[ $image == redis:* ]]; then
  rules=$(iptables -w -S INPUT | grep -c -- '--dport 6379')
  echo "redis starts; host firewall: $rules" >> "$TWENTY_BOOT_LOG"
  cd "${vols[/data]}" && exec redis-server "${vols[/etc/redis.conf]}"
fi
for f in "${envs[@]}"; do while IFS= read -r line; do export "${line?}"; done < "$f"; done
exec "$@"
"""

YARN = r"""#!/bin/bash
# Stand-in for Twenty's yarn scripts: every one needs Redis, so check it answers with REDIS_URL.
echo "yarn $*" >> "$TWENTY_BOOT_LOG"
rest=${REDIS_URL#redis://:}; pass=${rest%@*}; hostport=${rest##*@}
answer=$(redis-cli -h "${hostport%:*}" -p "${hostport##*:}" -a "$pass" --no-auth-warning PING 2>&1)
echo "redis answers $answer" >> "$TWENTY_BOOT_LOG"
[ "$answer" = PONG ] || exit 1
if [ "$*" = "worker:prod" ]; then exec sleep 600; fi
"""


def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=60)


def parse_unit(text: str) -> configparser.RawConfigParser:
    unit = configparser.RawConfigParser(strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(text)
    return unit


def boot_order(units: dict[str, configparser.RawConfigParser], started: list[str]) -> list[str]:
    """The order systemd starts `started` in: each unit after every unit it names in After=."""
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        assert name not in path, f"dependency cycle through {name}"
        if name in order:
            return
        for dep in units[name].get("Unit", "After", fallback="").split():
            if dep in units:
                visit(dep, (*path, name))
        order.append(name)

    for name in started:
        visit(name)
    return order


@pytest.fixture
def vm_net() -> Iterator[tuple[str, str]]:
    """(vm namespace, cloud-run namespace), linked; the VM has COS's default host firewall."""
    tag = str(os.getpid())[-6:]
    vm, run = f"twvm{tag}", f"twrun{tag}"
    sh("ip", "netns", "add", vm)
    sh("ip", "netns", "add", run)
    try:
        veth = ("type", "veth", "peer", "name", f"tr{tag}", "netns", run)
        sh("ip", "link", "add", f"tv{tag}", "netns", vm, *veth)
        for ns, dev, ips in ((vm, f"tv{tag}", [VM_IP]), (run, f"tr{tag}", [RUN_IP, OUTSIDE_IP])):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            for ip in ips:
                sh("ip", "-n", ns, "addr", "add", f"{ip}/16", "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
        cos = [  # "Configuring the host firewall" (COS): inbound closed except SSH
            ["-P", "INPUT", "DROP"],
            ["-A", "INPUT", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"],
            ["-A", "INPUT", "-i", "lo", "-j", "ACCEPT"],
            ["-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"],
        ]
        for rule in cos:
            sh("ip", "netns", "exec", vm, "iptables", "-w", *rule)
        yield vm, run
    finally:
        sh("ip", "netns", "del", vm, check=False)
        sh("ip", "netns", "del", run, check=False)


def redis_from(run_ns: str, source: str, timeout: float = 2.0) -> str:
    """What Redis on the VM answers to AUTH + PING from `source` in the Cloud Run namespace."""
    code = (
        "import socket,sys\n"
        f"s=socket.socket(); s.settimeout({timeout}); s.bind(({source!r},0))\n"
        "try:\n"
        f"  s.connect(({VM_IP!r},6379)); s.sendall(b'AUTH {PASSWORD}\\r\\nPING\\r\\n')\n"
        "  import time; time.sleep(0.3); print(s.recv(100).decode().split())\n"
        "except OSError as e: print('unreachable', type(e).__name__)\n"
    )
    return sh("ip", "netns", "exec", run_ns, sys.executable, "-c", code).stdout.strip()


def test_lean_worker_vm_boots_in_order_and_opens_redis_to_cloud_run_only(
    tmp_path: Path, vm_net: tuple[str, str]
) -> None:
    vm, run = vm_net
    doc = yaml.safe_load(
        plan_of("prod")
        .one("gcp:compute/instance:Instance")
        .props["metadata"]["user-data"]
        .removeprefix("#cloud-config\n")
    )
    root, bin_dir, log = tmp_path / "root", tmp_path / "bin", tmp_path / "boot.log"
    for f in doc["write_files"]:
        target = root / f["path"].lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f["content"])
    bin_dir.mkdir()
    for name, text in (("docker", DOCKER), ("yarn", YARN)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    secret_ids = [
        line.split()[1]
        for path in ("etc/twenty/secret-map", "etc/twenty/file-secrets")
        for line in (root / path).read_text().splitlines()
        if line.strip()
    ]
    secrets = {sid: f"value-of-{sid}" for sid in secret_ids}
    secrets["twenty-redis-password"] = PASSWORD
    secrets["twenty-redis-url"] = f"redis://:{PASSWORD}@{VM_IP}:6379"
    state = tmp_path / "gce.json"
    # First boot on a fresh project: the token and one grant are not there yet.
    state.write_text(json.dumps({"secrets": secrets, "fail_first": {"token": 2, "twenty-pg-url": 3}}))
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "TWENTY_ROOT": str(root),
        "TWENTY_METADATA_URL": f"http://127.0.0.1:{MD_PORT}/md",
        "TWENTY_SECRETMANAGER_URL": f"http://127.0.0.1:{MD_PORT}/sm",
        "TWENTY_RETRY_BASE_MS": "200",
        "TWENTY_BOOT_LOG": str(log),
        "PYTHONPATH": str(REPO),
    }
    procs: list[subprocess.Popen[str]] = []

    def start(cmd: str) -> subprocess.Popen[str]:
        p = subprocess.Popen(
            ["ip", "netns", "exec", vm, "bash", "-c", cmd],
            env=env,
            text=True,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        procs.append(p)
        return p

    fake = subprocess.Popen(
        ["ip", "netns", "exec", vm, sys.executable, "-m", "tests.infra.fake_gce", str(MD_PORT), str(state)],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    procs.append(fake)
    try:
        assert fake.stdout is not None and fake.stdout.readline().strip() == "ready"
        units = {
            Path(f["path"]).name: parse_unit(f["content"])
            for f in doc["write_files"]
            if f["path"].startswith("/etc/systemd/system/") and f["path"].endswith(".service")
        }
        started = [c[2] for c in doc["runcmd"] if c[:2] == ["systemctl", "start"] and c[2] in units]
        order = [u for u in boot_order(units, started) if u != "twenty-config-watch.service"]
        assert order.index("twenty-firewall.service") < order.index("twenty-redis.service")
        assert "twenty-firewall.service" in units["twenty-redis.service"].get("Unit", "Requires").split()
        for name in order:
            service = units[name]["Service"]
            cmd = service["ExecStart"].replace("/etc/twenty", f"{root}/etc/twenty")
            with log.open("a") as f:
                f.write(f"start {name}\n")
            if service.get("Type") == "oneshot":
                p = start(cmd)
                out, _ = p.communicate(timeout=120)
                assert p.returncode == 0, f"{name} failed:\n{out}"
                continue
            # Restart=always: systemd restarts a unit that exits, RestartSec later (shortened here).
            assert service.get("Restart") == "always"
            p = start(cmd)
            for _ in range(20):
                time.sleep(0.5)
                if p.poll() is None:
                    break
                p = start(cmd)
            assert p.poll() is None, f"{name} keeps exiting"
        deadline = time.monotonic() + 20
        while "yarn worker:prod" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        lines = log.read_text().splitlines()

        # Order, by what happened: the rule was in place when Redis started; the worker registered
        # crons against a Redis that answered, then ran.
        assert lines.index("start twenty-firewall.service") < lines.index("start twenty-redis.service")
        assert "redis starts; host firewall: 1" in lines
        cron = lines.index("yarn command:prod cron:register:all")
        assert lines[cron + 1] == "redis answers PONG"
        assert lines.index("yarn worker:prod") > cron

        # Retries: the boot survived a token that was not ready and a grant that took 3 tries.
        requests = [line.split() for line in Path(f"{state}.log").read_text().splitlines()]
        pg = [float(t) for t, path in requests if path.endswith("/twenty-pg-url/versions/latest:access")]
        assert len(pg) == 4
        gaps = [b - a for a, b in itertools.pairwise(pg)]
        assert gaps[0] >= 0.2 and gaps[1] >= 0.4 and gaps[2] >= 0.8, gaps  # 200 ms, doubling

        # The host firewall: Cloud Run's egress range reaches Redis, nothing else does.
        assert redis_from(run, RUN_IP) == "['+OK', '+PONG']"
        assert redis_from(run, OUTSIDE_IP).startswith("unreachable")
        rule = ["INPUT", "-p", "tcp", "-s", "10.10.16.0/24", "--dport", "6379", "-j", "ACCEPT"]
        sh("ip", "netns", "exec", vm, "iptables", "-w", "-D", *rule)
        assert redis_from(run, RUN_IP).startswith("unreachable"), "without the rule COS drops it"
        # Idempotent: a second boot (Restart=on-failure, or a reboot) leaves one rule, not two.
        fw = units["twenty-firewall.service"]["Service"]["ExecStart"]
        fw = fw.replace("/etc/twenty", f"{root}/etc/twenty")
        for _ in range(2):
            assert start(fw).wait(timeout=30) == 0
        listed = sh("ip", "netns", "exec", vm, "iptables", "-w", "-S", "INPUT").stdout
        assert listed.count("--dport 6379") == 1
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
