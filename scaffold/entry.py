"""The console script's entry point: Ctrl-C during start-up ends in one line, exit code 130.

Importing the CLI takes most of a second (libcst, nbformat, typer). Python's own SIGINT handler
would raise `KeyboardInterrupt` in the middle of some library's import and print its traceback,
so while the imports run a handler of ours says one line and ends the process: nothing has been
written yet. Once the CLI is imported, Python's handler is back and the commands turn
`KeyboardInterrupt` into the same line (after cleaning up what they started).

This module imports only `os`, `signal` and `sys`, and `import scaffold` itself is light (its
public names load on first use).
"""

from __future__ import annotations

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


def _import_cli() -> ModuleType:
    """`scaffold.cli`, imported with Ctrl-C ending the process at once (unless it is ignored)."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        from scaffold import cli  # SIGINT ignored (a background job) or handled by the caller

        return cli
    signal.signal(signal.SIGINT, _interrupted_while_starting)
    try:
        from scaffold import cli
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return cli


def main() -> None:
    """Run the `scaffold` command line."""
    try:
        _import_cli().main()
    except KeyboardInterrupt:  # between two handlers, or after the CLI's own handling
        os.write(2, INTERRUPTED)
        sys.exit(EXIT_INTERRUPTED)
