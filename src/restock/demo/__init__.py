"""A realistic demo shop in one command: a year of history and today's open promises, identical for the same seed.

The availability rules, the backorder queue and replenishment planning only show what they are worth on
data that looks like a real shop's: fast smooth sellers next to slow intermittent ones, weekly and annual
seasonality, promotions, stock-outs, and suppliers that keep or miss their dates. A merchant trying the
product, a developer debugging a rule and the planning code all need that data, reproducibly.

How it is built:

1. The past is *simulated*, day by day per SKU: deliveries arrive, customers order what is on hand (a
   day with nothing on hand is a stock-out day without sales), and the buyer reorders from the SKU's
   supplier when stock runs low. Suppliers confirm an ETA and then keep it, slip it with notice, or
   deliver late without notice; that history is what measures their lateness.
2. The simulated year is bulk-inserted in one transaction (SQLAlchemy Core, in chunks, a batch of SKUs at
   a time so memory stays flat): shipped orders, purchase orders with their ETA history, and a ledger that
   balances by construction (one allocation and one shipment movement per SKU x warehouse x day).
3. Today's situation (backorders pegged to confirmed POs, pre-orders, a late PO, an unconfirmed one,
   tonight's unshipped orders) is then created through the real use cases, each with the business clock
   stopped at the moment it happened, so every promise is exactly one the services would have made.

Everything random comes from `random.Random` streams derived from the seed; the wall clock is never read
(only `ctx.clock`). Order ids of the history come from the seeded stream; the use cases draw their own.

Where each part lives:

- the plan, drawn from the seed before anything is written: `cast` (warehouses, channels, suppliers),
  `products` and `catalog` (the SKUs), `roles` (who plays which part today), `fates` (what each PO the
  buyer may place will do), `promotions`, `timeline` (the days), `shop` (all of it); `randomness` holds
  the seeded streams and draws;
- the year of history: `demand` (expected sales), `simulation` (one SKU through the year), `baskets`
  (sales become customers' orders), written by `history` with `catalog_writer`, `history_rows` and the
  chunked inserts of `bulk`;
- today's story: `story` (steps run through the use cases at their moment), `stories` (one per role),
  `today` (the whole day told);
- around them: `guard` (what is refused), `summary` (what is printed), `meter` (the progress bar).
"""

from __future__ import annotations

from restock.demo.guard import check_size, refuse_non_empty
from restock.demo.history import write_year
from restock.demo.meter import progress_meter
from restock.demo.shop import plan_shop
from restock.demo.summary import summarise
from restock.demo.today import tell_todays_story
from restock.services.context import Context
from restock.store.db import refresh_statistics, unit_of_work

__all__ = ["load_demo"]


def load_demo(ctx: Context, seed: int = 7, sku_count: int = 240) -> str:
    """Fill an empty, migrated database with a year of a realistic shop's history and today's open promises.

    The same seed gives the same shop. Refuses (Conflict) a database that already holds data.
    Returns a short summary for a human.
    """
    check_size(sku_count)
    with unit_of_work(ctx.engine, readonly=True) as session:
        refuse_non_empty(session)
    shop = plan_shop(seed, sku_count, ctx.clock.today())
    with progress_meter() as meter:
        endings = write_year(ctx, shop, meter)
        refresh_statistics(ctx.engine)
        result = tell_todays_story(ctx, shop, endings, meter)
    return summarise(ctx, seed, result).text()
