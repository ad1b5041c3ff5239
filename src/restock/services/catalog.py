"""Setting up the catalog: warehouses, channels, suppliers and SKUs with their backorder policy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from restock.domain import catalog as rules
from restock.domain import validation as valid
from restock.domain.catalog import parse_policy as parse_policy  # re-exported: the catalog's rules, used elsewhere
from restock.domain.catalog import parse_price as parse_price
from restock.domain.errors import Conflict
from restock.domain.model import BackorderPolicy, ShippingPolicy, SkuPolicy
from restock.services.context import Context, use_case
from restock.services.views import ChannelOut, SkuOut, SupplierOut, WarehouseOut
from restock.store import catalog as store
from restock.store import repo
from restock.store.catalog import CatalogModel
from restock.store.schema import Channel, Sku, Supplier, Warehouse


def _refuse_duplicate(session: Session, model: CatalogModel, code: str) -> None:
    if store.code_taken(session, model, code):
        raise _taken(model, code)


def _taken(model: CatalogModel, code: str) -> Conflict:
    return Conflict(f"{model.__tablename__[:-1]} {code!r} already exists")


def _created(row_id: int | None, model: CatalogModel, code: str) -> int:
    """The new row's id; None means an identical create committed between our check and our insert: a 409 too."""
    if row_id is None:
        raise _taken(model, code)
    return row_id


@use_case()
def add_warehouse(session: Session, ctx: Context, code: str, name: str | None = None) -> int:
    valid.code(code, "warehouse code")
    _refuse_duplicate(session, Warehouse, code)
    return _created(store.add_warehouse(session, code, valid.name(name or code)), Warehouse, code)


@use_case()
def add_channel(
    session: Session,
    ctx: Context,
    code: str,
    warehouses: list[str],
    name: str | None = None,
    safety_buffer: int = 0,
    shipping_policy: str = ShippingPolicy.AS_AVAILABLE.value,
) -> int:
    """A channel sells from its warehouses in the order given: the first is used first. Its shipping policy
    (`as_available`, or `complete`: hold an order until it is whole) is checked by the rule an edit uses."""
    valid.code(code, "channel code")
    rules.channel_warehouse_list(warehouses)
    rules.safety_buffer(safety_buffer)
    policy = rules.shipping_policy(shipping_policy)
    _refuse_duplicate(session, Channel, code)
    warehouse_ids = [repo.warehouse_by_code(session, w).id for w in warehouses]
    channel_id = store.add_channel(session, code, valid.name(name or code), safety_buffer, warehouse_ids, policy.value)
    return _created(channel_id, Channel, code)


@use_case()
def add_supplier(session: Session, ctx: Context, code: str, lead_time_days: int, name: str | None = None) -> int:
    valid.code(code, "supplier code")
    rules.lead_time_days(lead_time_days)
    _refuse_duplicate(session, Supplier, code)
    return _created(store.add_supplier(session, code, valid.name(name or code), lead_time_days), Supplier, code)


@use_case()
def add_sku(
    session: Session,
    ctx: Context,
    code: str,
    name: str | None = None,
    price: str | Decimal = "0",
    backorder: str = "confirmed",
    max_wait_days: int = 30,
    backorder_limit_pct: int = 100,
    release_date: date | None = None,
    product_url: str | None = None,
) -> int:
    """A new SKU, every field checked by the catalog's rules (the ones an edit uses); no release date, no page:
    None."""
    valid.code(code, "SKU code")
    policy = parse_policy(backorder, max_wait_days, backorder_limit_pct)
    amount = parse_price(price)
    release = None if release_date is None else rules.release_date(release_date)
    url = None if product_url is None else rules.product_url(product_url)
    _refuse_duplicate(session, Sku, code)
    sku_id = store.add_sku(session, code, valid.name(name or code), amount, policy, release, url)
    return _created(sku_id, Sku, code)


def sku_policy(sku: Sku) -> SkuPolicy:
    return SkuPolicy(BackorderPolicy(sku.backorder_policy), sku.max_wait_days, sku.backorder_limit_pct)


SkuView = SkuOut


def sku_view(sku: Sku) -> SkuView:
    return SkuView(
        code=sku.code,
        name=sku.name,
        price=sku.price,
        backorder=sku.backorder_policy,
        max_wait_days=sku.max_wait_days,
        backorder_limit=sku.backorder_limit_pct,
        release_date=sku.release_date,
        product_url=sku.product_url,
        archived=sku.archived_at is not None,
    )


@use_case(readonly=True)
def list_skus(session: Session, ctx: Context, with_archived: bool = False) -> list[SkuView]:
    """The SKUs on sale, by code; archived ones too when asked for (each says whether it is)."""
    return [sku_view(s) for s in store.skus_by_code(session, with_archived)]


WarehouseView = WarehouseOut
ChannelView = ChannelOut
SupplierView = SupplierOut


@use_case(readonly=True)
def list_warehouses(session: Session, ctx: Context) -> list[WarehouseView]:
    return [WarehouseView(code=w.code, name=w.name) for w in store.warehouses_by_code(session)]


def channel_view(session: Session, channel: Channel, codes: dict[int, str]) -> ChannelView:
    """A channel with its warehouses' codes (`codes`: every warehouse's code by id) in allocation order."""
    return ChannelView(
        code=channel.code,
        name=channel.name,
        warehouses=[codes[w] for w in repo.channel_warehouse_ids(session, channel.id)],
        safety_buffer=channel.safety_buffer,
        shipping_policy=ShippingPolicy(channel.shipping_policy).value,
    )


@use_case(readonly=True)
def list_channels(session: Session, ctx: Context) -> list[ChannelView]:
    codes = store.warehouse_codes(session)
    return [channel_view(session, c, codes) for c in store.channels_by_code(session)]


def supplier_view(supplier: Supplier) -> SupplierView:
    return SupplierView(
        code=supplier.code,
        name=supplier.name,
        lead_time_days=supplier.lead_time_days,
        lateness_p90_days=supplier.lateness_p90_days,
    )


@use_case(readonly=True)
def list_suppliers(session: Session, ctx: Context) -> list[SupplierView]:
    return [supplier_view(s) for s in store.suppliers_by_code(session)]
