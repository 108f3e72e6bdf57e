"""The progress line: on a terminal only, before anything the run prints, then erased."""

from __future__ import annotations

import io
import sys
import threading
import time

import pytest

from assembler.cli.progress import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch):
    """Set in the test itself: pytest sets its own capture streams when a test starts."""
    monkeypatch.delenv("CI", raising=False)
    err, out = Terminal(), Terminal()

    def attach():
        monkeypatch.setattr(sys, "stderr", err)
        monkeypatch.setattr(sys, "stdout", out)
        return out, err

    return attach


def _wait_for(err: io.StringIO, text: str) -> None:
    deadline = time.monotonic() + 10
    while text not in err.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_long_run_shows_the_line_and_erases_it_before_its_output(terminal):
    out, err = terminal()
    with progress("building", after=0.01, every=0.01):
        _wait_for(err, "building… ")
        shown = err.getvalue()
        print("2 written, 0 unchanged.")
    assert "building… " in shown and shown.endswith(" s")
    assert err.getvalue() == shown + "\r\x1b[2K"  # erased at the first output, never redrawn
    assert out.getvalue() == "2 written, 0 unchanged.\n"
    assert sys.stdout is out and sys.stderr is err


def test_a_short_run_shows_nothing(terminal):
    out, err = terminal()
    with progress("building"):
        print("done")
    assert err.getvalue() == "" and out.getvalue() == "done\n"


@pytest.mark.parametrize("case", ["pipe", "ci", "disabled", "thread"])
def test_never_in_pipes_ci_machine_formats_or_threads(monkeypatch, case):
    err = io.StringIO() if case == "pipe" else Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    if case == "ci":
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)

    def run():
        with progress("linting", enabled=case != "disabled", after=0.001, every=0.001):
            time.sleep(0.05)

    if case == "thread":
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
    else:
        run()
    assert err.getvalue() == ""
