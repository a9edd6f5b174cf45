"""Files are written whole or not at all: a temporary file beside the target, then a rename."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from calculator.errors import InputError


def atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    """Call `write(tmp_path)`, then move the finished file onto `target`; on failure leave nothing."""
    target = Path(target)
    if not target.parent.is_dir():
        raise InputError(f"目录不存在: {target.parent}", f"no such directory: {target.parent}")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(target: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
