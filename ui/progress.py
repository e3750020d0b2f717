"""A terminal progress bar for long command-line jobs (appears only after ~1 s)."""

from __future__ import annotations

import sys
import time


class TerminalProgress:
    """Callable ``progress(fraction, message=None)`` drawing a bar on stderr.

    Nothing is drawn for jobs that finish within ``delay`` seconds, nor when stderr is not a
    terminal (then one line per message is printed instead, for logs).
    """

    def __init__(self, label: str = "", *, delay: float = 1.0, stream=None) -> None:
        self.label = label
        self.delay = delay
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.tty = getattr(self.stream, "isatty", lambda: False)()
        self._last_msg: str | None = None
        self._drawn = False

    def __call__(self, fraction: float, message: str | None = None) -> None:
        elapsed = time.monotonic() - self.start
        if elapsed < self.delay:
            return
        if not self.tty:
            if message and message != self._last_msg:
                print(f"{self.label} {int(fraction * 100):3d}% {message}", file=self.stream)
                self._last_msg = message
            return
        width = 30
        filled = int(width * max(0.0, min(1.0, fraction)))
        bar = "█" * filled + "░" * (width - filled)
        text = f"\r{self.label} {bar} {int(fraction * 100):3d}% {message or ''}"[:110]
        self.stream.write(text.ljust(110))
        self.stream.flush()
        self._drawn = True

    def done(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
