"""The console script's entry point: Ctrl-C during start-up ends in one line, exit code 130.

Importing the CLI takes most of a second (libcst, nbformat, typer). Python's own SIGINT handler
would raise `KeyboardInterrupt` in the middle of some library's import and print its traceback,
so while the imports run a handler of ours says one line and ends the process: nothing has been
written yet. Once the CLI is imported, Python's handler is back and the commands turn
`KeyboardInterrupt` into the same line (after cleaning up what they started).

This module imports only `contextlib`, `os`, `signal` and `sys`, and `import scaffold` itself
is light (its public names load on first use).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType, ModuleType

INTERRUPTED = b"scaffold: interrupted\n"
EXIT_INTERRUPTED = 130
"""The shell's exit code for a process ended by SIGINT (128 + 2)."""


def _interrupted_while_starting(signum: int, frame: FrameType | None) -> None:
    os.write(2, INTERRUPTED)
    os._exit(EXIT_INTERRUPTED)  # mid-import: nothing to clean up, nothing written yet


def _exit_at_once_on_ctrl_c() -> None:
    """Install the start-up handler, unless SIGINT is ignored (a background job) or handled."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        with contextlib.suppress(ValueError):  # not the main thread: signals are the caller's
            signal.signal(signal.SIGINT, _interrupted_while_starting)


def _import_cli() -> ModuleType:
    """`scaffold.cli`; then Ctrl-C raises `KeyboardInterrupt` again, which the CLI handles."""
    _exit_at_once_on_ctrl_c()
    from scaffold import cli

    if signal.getsignal(signal.SIGINT) is _interrupted_while_starting:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return cli


def main() -> None:
    """Run the `scaffold` command line."""
    try:
        _import_cli().main()
    except KeyboardInterrupt:  # after the CLI's own handling (while Python exits, say)
        os.write(2, INTERRUPTED)
        sys.exit(EXIT_INTERRUPTED)


# On import, not in main(): the console script and `python -m scaffold` import this module
# first, and a signal between the import and the call of main() must not escape either.
_exit_at_once_on_ctrl_c()
