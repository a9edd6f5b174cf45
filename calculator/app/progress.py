"""How a long action (a batch of sheets, the project summary) reports how far it is, and is cancelled."""
from __future__ import annotations

from typing import Callable

# progress(done, total, label): called as the work goes on; False (or 0) asks it to stop.
Progress = Callable[[int, int, str], bool]


def stopped(answer: object) -> bool:
    """False (or 0) from the progress callback cancels; None, from a callback that only shows, does not."""
    return answer is not None and not answer
