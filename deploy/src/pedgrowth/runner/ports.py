"""Whether a TCP port can be listened on, and when it cannot, which process holds it (from /proc)."""

from __future__ import annotations

import errno
import os
import socket
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TCP_STATES = {"01": "connected", "0A": "listening", "06": "closing (TIME_WAIT)", "08": "closing (CLOSE_WAIT)"}


@dataclass(frozen=True)
class Holder:
    """A process with a socket on the port, and what that socket is doing."""

    pid: int | None
    command: str
    state: str

    def __str__(self) -> str:
        who = f"pid {self.pid} ({self.command})" if self.pid else self.command
        return f"{who}, {self.state}"


def can_listen(host: str, port: int) -> bool:
    """Whether a listener could bind ``host:port`` now (with SO_REUSEADDR, as uvicorn and Tansu bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.errno != errno.EADDRINUSE
    return True


def holders(port: int) -> list[Holder]:
    """The sockets bound to local ``port`` (IPv4 and IPv6) and the processes that own them.

    A connection's local end counts too: an outgoing connection that the kernel gave a port of
    the ephemeral range blocks a listener on that port just as another listener does.
    """
    sockets: dict[str, str] = {}  # inode -> state
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or int(fields[1].rsplit(":", 1)[1], 16) != port:
                continue
            state = TCP_STATES.get(fields[3], f"state {fields[3]}")
            if state == "connected":
                state += f" to port {int(fields[2].rsplit(':', 1)[1], 16)}"
            sockets[fields[9]] = state
    owned = owners(set(sockets) - {"0"})
    found = [Holder(pid, command, sockets[inode]) for inode, (pid, command) in owned.items()]
    hidden = sorted({state for inode, state in sockets.items() if inode not in owned} - {h.state for h in found})
    return found + [Holder(None, "a socket of no process this user can see", state) for state in hidden]


def owners(inodes: set[str]) -> dict[str, tuple[int, str]]:
    """pid and command line of the processes holding the given socket inodes."""
    found: dict[str, tuple[int, str]] = {}
    if not inodes:
        return found
    wanted = {f"socket:[{inode}]": inode for inode in inodes}
    for proc in PROC.iterdir():
        if not proc.name.isdigit():
            continue
        for link in fd_links(proc):
            if link in wanted and wanted[link] not in found:
                found[wanted[link]] = (int(proc.name), command_line(proc))
    return found


def fd_links(proc: Path) -> list[str]:
    """What the process's file descriptors point at (those it is allowed to see; others are skipped)."""
    try:
        fds = list((proc / "fd").iterdir())
    except OSError:
        return []
    links = []
    for fd in fds:
        try:
            links.append(os.readlink(fd))
        except OSError:
            continue
    return links


def command_line(proc: Path) -> str:
    try:
        text = " ".join((proc / "cmdline").read_bytes().decode(errors="replace").replace("\0", " ").split())
    except OSError:
        return "?"
    return text[:200] or f"[{proc.name}]"


def describe_taken(host: str, port: int, what: str) -> str | None:
    """None when ``host:port`` is free; otherwise a sentence saying what holds it."""
    if can_listen(host, port):
        return None
    found = holders(port)
    by = "; ".join(str(h) for h in found) if found else "an unknown process"
    return f"port {port} ({what}) is in use: {by}"
