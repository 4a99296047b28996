"""Node ^24.5 for the apps (twenty-sdk 2.23's engines): the machine's when it fits, else the npm
registry's `node-<os>-<arch>` package in a cache folder, never a global install (issue 17)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tooling import node

REPO = Path(__file__).resolve().parents[2]


def _script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def _fake_node(path: Path, version: str) -> Path:
    return _script(path, f"echo v{version}")


@pytest.mark.parametrize(
    ("version", "ok"),
    [("20.20.2", False), ("24.4.9", False), ("24.5.0", True), ("24.22.3", True), ("25.0.0", False)],
)
def test_the_range_is_twenty_sdks_engines(version: str, ok: bool) -> None:
    assert node.fits(node.parse_version(f"v{version}")) is ok


def test_the_apps_declare_what_twenty_sdk_requires() -> None:
    apps = json.loads((REPO / "apps" / "package.json").read_text())
    assert apps["engines"]["node"] == node.REQUIRED_TEXT
    sdk = REPO / "apps" / "node_modules" / "twenty-sdk" / "package.json"
    if sdk.is_file():
        assert json.loads(sdk.read_text())["engines"]["node"] == node.REQUIRED_TEXT


def test_a_fitting_machine_node_is_used_as_is(tmp_path: Path) -> None:
    system = _fake_node(tmp_path / "sys" / "node", "24.6.0")
    env = {"TWENTY_GCP_NODE_DIR": str(tmp_path / "cache")}
    found = node.node_bin_dir(env=env, which=lambda name: str(system) if name == "node" else None)
    assert found is None and not (tmp_path / "cache").exists()


def test_an_old_node_gets_node_24_from_the_npm_registry_into_the_cache(tmp_path: Path) -> None:
    system = _fake_node(tmp_path / "sys" / "node", "20.20.2")
    cache = tmp_path / "cache"
    log = tmp_path / "npm.log"
    pkg = node.platform_package()
    # a stand-in npm: records its arguments and "installs" the platform package where npm would
    npm = _script(
        tmp_path / "sys" / "npm",
        f'echo "$@" > {log}\nmkdir -p {cache}/node_modules/{pkg}/bin\n'
        f"printf '#!/bin/sh\\necho v24.22.3\\n' > {cache}/node_modules/{pkg}/bin/node\n"
        f"chmod +x {cache}/node_modules/{pkg}/bin/node",
    )
    tools = {"node": str(system), "npm": str(npm)}
    said: list[str] = []
    env = {"TWENTY_GCP_NODE_DIR": str(cache), "PATH": "/usr/bin"}
    found = node.node_bin_dir(env=env, which=tools.get, say=said.append)
    assert found == cache / "node_modules" / pkg / "bin"
    args = log.read_text().split()
    assert args[:3] == ["install", "--prefix", str(cache)] and f"{pkg}@^24.5.0" in args
    assert "-g" not in args and "--global" not in args
    assert "node 20.20.2 here" in said[0] and "npm registry" in said[0]
    log.unlink()  # a second call finds the cached binary and installs nothing
    assert node.node_bin_dir(env=env, which=tools.get) == found and not log.exists()


def test_without_npm_the_message_says_what_to_install(tmp_path: Path) -> None:
    system = _fake_node(tmp_path / "node", "20.1.0")
    with pytest.raises(node.NodeMissing) as err:
        node.node_bin_dir(
            env={"TWENTY_GCP_NODE_DIR": str(tmp_path / "c")},
            which=lambda name: str(system) if name == "node" else None,
        )
    text = str(err.value)
    assert "Node ^24.5.0" in text and "node 20.1.0" in text and "apt-get install npm" in text


def test_node_env_puts_the_cached_bin_first_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(node, "node_bin_dir", lambda install, env: tmp_path / "bin")
    assert node.node_env(env={"PATH": "/usr/bin"}) == {"PATH": f"{tmp_path / 'bin'}:/usr/bin"}
    monkeypatch.setattr(node, "node_bin_dir", lambda install, env: None)
    assert node.node_env(env={"PATH": "/usr/bin"}) == {}
