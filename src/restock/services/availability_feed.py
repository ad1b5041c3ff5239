"""What changed since a reader last looked: the use cases behind the API's in-memory availability answers.

Database triggers number a row for every change that may move a SKU's availability (`restock.store.
availability_feed`). A reader (the API's `ChangeWatcher`) starts at the feed's end, asks what changed after its
cursor, and drops the answers those changes make stale; the feed's epoch tells it when a crash of PostgreSQL
emptied the (unlogged) feed, so that changes it had not read yet may be lost and it must start over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from restock.services.context import Context, use_case
from restock.store import availability_feed as feed


@dataclass(frozen=True)
class AvailabilityChanges:
    """What changed after a point in the feed: SKU codes, or `everything` when a change touched every SKU."""

    seqs: tuple[int, ...]
    sku_codes: frozenset[str]
    everything: bool
    epoch: str | None
    """The feed's epoch as of this read; None when a crash of PostgreSQL emptied the (unlogged) feed."""

    def started_over_since(self, epoch: str | None) -> bool:
        """The feed is not the one read at `epoch` any more: a crash emptied it, unread changes may be lost."""
        return self.epoch != epoch


@use_case(readonly=True)
def last_change(session: Session, ctx: Context) -> int:
    """Where the feed of availability changes stands now: a reader starts from here."""
    return feed.newest_seq(session)


@use_case()
def current_epoch(session: Session, ctx: Context) -> str:
    """The feed's current epoch, starting a new one if a crash emptied the feed: read it before the feed's end."""
    return feed.epoch_token(session) or feed.start_epoch(session)


@use_case(readonly=True)
def changes_since(session: Session, ctx: Context, cursor: int, skipped: Sequence[int] = ()) -> AvailabilityChanges:
    """Changes after `cursor`, and those of `skipped`: numbers a reader passed over because their transactions had
    not committed yet (a sequence number is taken at insert, so a later one can become visible first)."""
    entries = feed.entries_after(session, cursor, skipped)
    return AvailabilityChanges(
        seqs=tuple(entry.seq for entry in entries),
        sku_codes=frozenset(entry.sku_code for entry in entries if entry.sku_code is not None),
        everything=any(entry.sku_id is None for entry in entries),
        epoch=feed.epoch_token(session),
    )


@use_case()
def forget_before(session: Session, ctx: Context, seq: int) -> None:
    """Drop feed rows every reader has seen. The newest row always stays, so numbering never starts over."""
    feed.delete_before(session, seq)
