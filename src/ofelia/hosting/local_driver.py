"""Ofelia's local libcloud compute driver (provider name « ofelia-local »): each node is a real
process on this host, an HTTP terminal listening on a loopback port (`terminal.py`).

For the demo, the tests and CI. Its state lives in a directory (one JSON file per node: pid,
port, state, metadata), so any worker process sees and acts on the nodes another created;
processes are started in their own session, so a worker killed mid-provisioning leaves its
nodes running, as a cloud would. A process is recognised as a node's by its command line
(state directory and node id), never by its pid alone."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from libcloud.common.base import ConnectionKey
from libcloud.compute.base import Node, NodeDriver, NodeImage, NodeLocation, NodeSize
from libcloud.compute.types import NodeState

PROVIDER = "ofelia-local"
TERMINAL = Path(__file__).with_name("terminal.py")


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""
    return "" if state == "Z" else raw.replace(b"\0", b" ").decode(errors="replace")


def node_processes(state_dir: Path | str) -> dict[int, str]:
    """pid → command line of every live node process of this state directory."""
    marker = str(Path(state_dir).resolve())
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            line = _cmdline(int(entry.name))
            if str(TERMINAL) in line and marker in line:
                found[int(entry.name)] = line
    return found


def _end(pid: int) -> None:
    """SIGTERM, then SIGKILL after a second; reaps it when this process is its parent."""
    for sig, wait in ((signal.SIGTERM, 1.0), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            except ChildProcessError:
                pass
            if not _cmdline(pid):
                return
            time.sleep(0.02)


def destroy_all(state_dir: Path | str) -> int:
    """Every node process of the directory ended and its state removed (tests' teardown)."""
    processes = node_processes(state_dir)
    for pid in processes:
        _end(pid)
    for path in Path(state_dir).glob("*.json"):
        path.unlink(missing_ok=True)
    return len(processes)


class LocalConnection(ConnectionKey):
    """No remote API: the driver acts on local processes."""

    def connect(self, host: str | None = None, port: int | None = None, base_url: str | None = None) -> None:
        return None


class LocalNodeDriver(NodeDriver):
    """A libcloud `NodeDriver` whose nodes are local HTTP terminals on loopback ports."""

    connectionCls = LocalConnection
    type = PROVIDER
    name = "Ofelia local (processus locaux)"
    website = "https://ofelia.localhost/"
    features: dict[str, list[str]] = {"create_node": []}

    def __init__(self, key: str = "local", secret: str | None = None, secure: bool = False,
                 host: str | None = None, port: int | None = None, *, state_dir: str | Path,
                 boot_seconds: float = 0.2, **kwargs: Any) -> None:
        super().__init__(key, secret, secure=secure, host=host, port=port, **kwargs)
        self.state_dir = Path(state_dir).resolve()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.boot_seconds = float(boot_seconds)

    # --- state files -------------------------------------------------------------------
    def _path(self, node_id: str) -> Path:
        return self.state_dir / f"{node_id}.json"

    def _read(self, node_id: str) -> dict[str, Any] | None:
        try:
            return dict(json.loads(self._path(node_id).read_text()))
        except (OSError, ValueError):
            return None

    def _write(self, record: dict[str, Any]) -> None:
        path = self._path(record["id"])
        scratch = path.with_suffix(f".{os.getpid()}.tmp")
        scratch.write_text(json.dumps(record))
        os.replace(scratch, path)

    def _scan(self) -> dict[str, int]:
        """node id → pid of every live node process (the id ends its command line)."""
        return {line.split()[-1]: pid for pid, line in node_processes(self.state_dir).items()}

    def _pid(self, record: dict[str, Any], pids: dict[str, int] | None = None) -> int | None:
        """The node's live process: the recorded pid when its command line is the node's, or
        the one found by its id (a process started by a worker killed before it wrote its pid)."""
        pid = record.get("pid")
        if pid and record["id"] in _cmdline(int(pid)):
            return int(pid)
        return (self._scan() if pids is None else pids).get(record["id"])

    def _spawn(self, record: dict[str, Any]) -> None:
        """The listening socket is made here and inherited by the process: its port is known
        at once and never taken by another node (a restart keeps its port when it is free).
        The record is written before the process exists, so that a worker killed in between
        leaves a node that is found by its name, never a process nobody knows."""
        listener = socket.socket()
        try:
            listener.bind(("127.0.0.1", int(record.get("port") or 0)))
        except OSError:
            listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        record.update(port=listener.getsockname()[1], pid=None, state="running", creator=os.getpid())
        self._write(record)
        with listener:
            process = subprocess.Popen(  # noqa: S603 — our own script, fixed arguments
                [sys.executable, "-I", str(TERMINAL), str(listener.fileno()), record["name"], str(self.boot_seconds),
                 str(self.state_dir), record["id"]],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True, pass_fds=[listener.fileno()])
        record["pid"] = process.pid
        self._write(record)

    def _to_node(self, record: dict[str, Any], pids: dict[str, int]) -> Node:
        pid = self._pid(record, pids)
        state = NodeState.RUNNING if record["state"] == "running" and pid else NodeState.STOPPED
        return Node(id=record["id"], name=record["name"], state=state,
                    public_ips=[], private_ips=["127.0.0.1"], driver=self,
                    extra={"port": record["port"], "pid": pid, "creator": record.get("creator"),
                           "url": f"http://127.0.0.1:{record['port']}/", "metadata": record.get("metadata", {}),
                           "image": record.get("image"), "size": record.get("size")})

    # --- NodeDriver --------------------------------------------------------------------
    def list_nodes(self) -> list[Node]:
        records = [self._read(p.stem) for p in sorted(self.state_dir.glob("*.json"))]
        pids = self._scan()
        return [self._to_node(r, pids) for r in records if r is not None]

    def list_images(self, location: NodeLocation | None = None) -> list[NodeImage]:
        return [NodeImage(id=pack, name=f"Ofelia local {pack}", driver=self)
                for pack in ("ofelia-office", "ofelia-development", "ofelia-data", "ofelia-custom")]

    def get_image(self, image_id: str) -> NodeImage:
        return NodeImage(id=image_id, name=f"Ofelia local {image_id}", driver=self)

    def list_sizes(self, location: NodeLocation | None = None) -> list[NodeSize]:
        return [NodeSize(id="local", name="processus local", ram=64, disk=0, bandwidth=None, price=0,
                         driver=self)]

    def list_locations(self) -> list[NodeLocation]:
        return [NodeLocation(id="loopback", name="127.0.0.1", country="FR", driver=self)]

    def create_node(self, name: str, size: NodeSize | None = None, image: NodeImage | None = None,
                    location: NodeLocation | None = None, auth: Any = None,
                    ex_metadata: dict[str, str] | None = None, **kwargs: Any) -> Node:
        record: dict[str, Any] = {"id": uuid.uuid4().hex, "name": name, "metadata": dict(ex_metadata or {}),
                                  "image": image.id if image else None, "size": size.id if size else None}
        self._spawn(record)
        return self._to_node(record, {})

    def _record_of(self, node: Node) -> dict[str, Any]:
        record = self._read(node.id)
        if record is None:
            raise ValueError(f"nœud local inconnu : {node.id}")
        return record

    def start_node(self, node: Node) -> bool:
        record = self._record_of(node)
        if self._pid(record) is None:
            self._spawn(record)
        else:
            record["state"] = "running"
            self._write(record)
        return True

    def stop_node(self, node: Node) -> bool:
        record = self._record_of(node)
        pid = self._pid(record)
        if pid is not None:
            _end(pid)
        record["state"] = "stopped"
        self._write(record)
        return True

    def reboot_node(self, node: Node) -> bool:
        self.stop_node(node)
        return self.start_node(node)

    def destroy_node(self, node: Node) -> bool:
        record = self._read(node.id)
        if record is None:
            return True  # already gone: destroying twice is harmless
        pid = self._pid(record)
        if pid is not None:
            _end(pid)
        self._path(node.id).unlink(missing_ok=True)
        return True
