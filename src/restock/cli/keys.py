"""`restock apikey ...`: the keys the REST API checks; a key is shown once and stored only as a hash."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from restock.cli.once import IdempotencyKey, Printed, run_changing
from restock.cli.shared import JsonFlag, context, emit_json, out, user_errors

if TYPE_CHECKING:
    from restock.services.apikeys import KeyView
    from restock.services.context import Context


def apikey_create(
    role: Annotated[str, typer.Option(help="storefront, warehouse or admin.")],
    channel: Annotated[str | None, typer.Option(help="The one channel a storefront key may act on.")] = None,
    name: Annotated[str | None, typer.Option(help="What the key is for.")] = None,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Create a key. It is shown once and stored only as a hash."""
    from restock.services import apikeys

    # With --idempotency-key the answer (the key with it) is kept to print again to the same command.

    def work(ctx: Context) -> Printed:
        issued = apikeys.create_key(ctx, role, channel, name)
        return Printed(
            f"API key {issued.id} ({issued.role}{', ' + channel if channel else ''}): {issued.key}\n"
            "store it now: it is not shown again",
            {"id": issued.id, "key": issued.key, "role": issued.role.value, "channel": issued.channel},
        )

    run_changing(idempotency_key, as_json, ("apikey create", role, channel, name), work)


def apikey_revoke(key_id: int, as_json: JsonFlag = False, idempotency_key: IdempotencyKey = None) -> None:
    from restock.services import apikeys

    def work(ctx: Context) -> Printed:
        apikeys.revoke_key(ctx, key_id)
        return Printed(f"API key {key_id} revoked", {"id": key_id, "revoked": True})

    run_changing(idempotency_key, as_json, ("apikey revoke", key_id), work)


def _key_json(k: KeyView) -> dict[str, Any]:
    """A key as listed: everything but the secret, which is not stored and so cannot be shown."""
    return {
        "id": k.id,
        "prefix": k.prefix,
        "role": k.role,
        "channel": k.channel,
        "name": k.name,
        "created_at": k.created_at,
        "revoked_at": k.revoked_at,
    }


def apikey_list(as_json: JsonFlag = False) -> None:
    from restock.services import apikeys

    with user_errors():
        keys = apikeys.list_keys(context())
    if as_json:
        emit_json([_key_json(k) for k in keys])
        return
    table = Table("id", "key starts", "role", "channel", "name", "revoked", title="API keys")
    for k in keys:
        table.add_row(str(k.id), k.prefix + "…", k.role, k.channel or "", k.name or "", str(k.revoked_at or ""))
    out.print(table)
