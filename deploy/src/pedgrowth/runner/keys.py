"""The runner's secrets on disk: a private data dir and files readable by their owner only, from the start.

Files are created with ``os.open(O_CREAT | O_EXCL, 0o600)`` (never written, then chmod-ed: that
leaves a moment where another user can read them), replaced through a new file and a rename,
and an existing data dir has its modes tightened on every start.
"""

from __future__ import annotations

import base64
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
TOKEN_SECRET = "token-secret"
REGISTRY_CIPHER_KEY = "registry-cipher-key"
ADMIN_TOKEN = "admin-token"
REGISTRY_STORE = "registry.sqlite"

log = logging.getLogger("pedgrowth.runner")


def private_dir(path: Path) -> Path:
    """``path`` created 0700 (or tightened to it), and the files directly in it made owner-only."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR)
    for entry in path.iterdir():
        mode = entry.lstat().st_mode
        if stat.S_ISREG(mode) and mode & 0o077:
            entry.chmod(stat.S_IMODE(mode) & 0o700)
    return path


def write_private(path: Path, text: str) -> None:
    """A new file holding ``text``, mode 0600 from its creation; fails if ``path`` exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE)
    with os.fdopen(fd, "w") as out:
        out.write(text)


def replace_private(path: Path, text: str) -> None:
    """``path`` now holds ``text`` (0600): written to a new file beside it, then renamed over it."""
    fresh = path.with_name(f".{path.name}.{os.getpid()}.new")
    fresh.unlink(missing_ok=True)
    write_private(fresh, text)
    os.replace(fresh, path)


def kept_secret(path: Path, make: Callable[[], str]) -> str:
    """The secret in ``path``, made by ``make`` and written 0600 the first time."""
    if not path.exists():
        write_private(path, make())
    path.chmod(PRIVATE_FILE)
    return path.read_text().strip()


def new_cipher_key() -> str:
    """A key for the registry's AES cipher: base64 of 32 random bytes."""
    return base64.b64encode(os.urandom(32)).decode()


def registry_cipher_key(data_dir: Path, environ: dict[str, str]) -> str | None:
    """The key the registry child encrypts its store with, kept in ``data_dir``; None when the runner keeps none.

    An operator's own ``REGISTRY_CIPHER_KEY`` or ``REGISTRY_DATABASE_URL`` is left alone. A
    registry store written before the runner kept a key stays readable: it is not encrypted,
    and a warning says so on every start (the registry cannot read plain events with a key).
    """
    if environ.get("REGISTRY_CIPHER_KEY") or environ.get("REGISTRY_DATABASE_URL"):
        return None
    path = data_dir / REGISTRY_CIPHER_KEY
    if not path.exists() and (data_dir / REGISTRY_STORE).exists():
        log.warning("%s was written without a cipher key: the registry's events (names, phones, e-mails) stay "
                    "in plain text there. To encrypt them, start on a new data dir and publish the facts again.",
                    data_dir / REGISTRY_STORE)
        return None
    return kept_secret(path, new_cipher_key)
