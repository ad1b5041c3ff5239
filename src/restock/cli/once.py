"""`--idempotency-key` for every command that changes state: one effect per key, whatever fails.

With a key, the command's change and the record of what it printed commit in one transaction
(`restock.services.idempotency.run_once`, scope `cli:<key>`, fingerprint: the command and its arguments).
The same command again with the same key changes nothing and prints the first result (as text or JSON,
as asked this time); another command, or other arguments, with the same key is refused. When the database
connection is lost while the change commits and the outcome cannot be read back, the command says so and
prints the exact command to run again with a key (one is made when none was given).
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from rich.console import Console, RenderableType

from restock.cli.shared import context, done, emit_json, fail, out, user_errors
from restock.domain.errors import OutcomeUnknown
from restock.services import idempotency
from restock.services.context import Context

MAX_KEY_LENGTH = 200
OUTCOME_UNKNOWN_EXIT = 75
"""EX_TEMPFAIL: nothing is known to have gone wrong, the command is to be run again (with its key)."""

IdempotencyKey = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key",
        help="Make the change at most once: the same command with the same key again prints the first result.",
    ),
]


@dataclass(frozen=True)
class Printed:
    """What a changing command prints: a sentence (or a table) for people, and the same as JSON."""

    text: str | RenderableType
    data: Any


def run_changing(key: str | None, as_json: bool, request: tuple[Any, ...], work: Callable[[Context], Printed]) -> None:
    """Run `work` (which calls the use cases with the context given) once per key, and print its result.

    `request` is the command's name and its arguments (not the output format): what a key is bound to."""
    with user_errors(), unknown_outcome(key):
        ctx = context()
        if key is None:
            printed = work(ctx)
            _show(printed.text, printed.data, as_json)
            return
        record = _once(ctx, _checked(key), request, work)
    if as_json:
        emit_json(record["data"])
    elif record["rendered"]:
        sys.stdout.write(record["text"])
    else:
        done(record["text"], False, None)


def _show(text: str | RenderableType, data: Any, as_json: bool) -> None:
    if as_json or isinstance(text, str):
        done(str(text), as_json, data)
    else:
        out.print(text)


def _once(ctx: Context, key: str, request: tuple[Any, ...], work: Callable[[Context], Printed]) -> dict[str, Any]:
    """The first run's record (text and JSON), made now or read back."""
    fingerprint = hashlib.sha256(json.dumps(request, default=str).encode()).hexdigest()
    answer = idempotency.run_once(ctx, f"cli:{key}", fingerprint, 0, lambda: _record(work(ctx)))
    if answer.outcome is idempotency.Outcome.MISMATCH:
        fail(f"the idempotency key {key!r} was used for another command or other arguments: nothing was done")
    if answer.outcome is idempotency.Outcome.IN_FLIGHT:
        fail(f"a command with the idempotency key {key!r} is still running: run it again once that one has ended")
    if answer.outcome is idempotency.Outcome.DONE:
        assert answer.result is not None
        return answer.result
    replayed: dict[str, Any] = json.loads(answer.response or "{}")
    return replayed


def _record(printed: Printed) -> dict[str, Any]:
    """What is kept to print again: the text as it was printed (a table rendered as plain text), and the JSON."""
    data = json.loads(json.dumps(printed.data, default=str))  # as emit_json shows it
    if isinstance(printed.text, str):
        return {"text": printed.text, "rendered": False, "data": data}
    buffer = io.StringIO()
    Console(file=buffer, width=out.width, color_system=None, force_terminal=False).print(printed.text)
    return {"text": buffer.getvalue(), "rendered": True, "data": data}


def _checked(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        fail(f"an idempotency key is 1-{MAX_KEY_LENGTH} printable ASCII characters", 2)
    return key


@contextmanager
def unknown_outcome(key: str | None) -> Iterator[None]:
    """A lost COMMIT answer nobody could settle: say so, and how to retry without a second effect."""
    try:
        yield
    except OutcomeUnknown:
        retry_key = key or f"retry-{secrets.token_hex(8)}"
        advice = (
            "run it again with the same key: "
            if key
            else "no key was given, so check first whether it was made; to retry so that it happens at most once: "
        )
        fail(
            f"outcome unknown: the database connection was lost while committing; {advice}{_retry(retry_key)}",
            OUTCOME_UNKNOWN_EXIT,
        )


def _retry(key: str) -> str:
    """The command as typed, with `--idempotency-key` (added when it was not given)."""
    words = ["restock", *sys.argv[1:]]
    if "--idempotency-key" not in words and not any(w.startswith("--idempotency-key=") for w in words):
        words += ["--idempotency-key", key]
    return shlex.join(words)
