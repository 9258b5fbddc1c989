"""The catalogue: SKUs, warehouses with their stock, logistics channels and boxes.

``POST`` creates (the server chooses the id); ``PUT`` on an id (or code) replaces that object of
the calling shop. SKUs are keyed by their code, so ``PUT /skus/{code}`` creates or replaces.
"""

from fastapi import APIRouter, Response, status

from splitship.domain.errors import InvalidInput, NotFound
from splitship.entrypoints.api import queries
from splitship.entrypoints.api.catalog_schemas import (
    BoxIn,
    BoxOut,
    ChannelIn,
    ChannelOut,
    SkuBatchIn,
    SkuIn,
    SkuOut,
    StockIn,
    StockOut,
    WarehouseIn,
    WarehouseOut,
)
from splitship.entrypoints.api.deps import Caller
from splitship.services import catalog
from splitship.services.catalog import StockSetting

router = APIRouter(tags=["catalog"])


def _created(response: Response, path: str) -> None:
    response.headers["Location"] = f"/api/v1/{path}"


# ---- SKUs -----------------------------------------------------------------------------------


@router.get("/skus")
def list_skus(caller: Caller) -> list[SkuOut]:
    return [SkuOut.of_sku(s) for s in queries.skus(caller.uow(), caller.shop_id)]


@router.put("/skus")
def save_skus(body: SkuBatchIn, caller: Caller) -> list[SkuOut]:
    skus = [s.to_sku(caller.shop_id, s.code) for s in body.skus]
    catalog.save_skus(caller.uow(), caller.shop_id, skus)
    return [SkuOut.of_sku(s) for s in skus]


@router.get("/skus/{code}")
def get_sku(code: str, caller: Caller) -> SkuOut:
    return SkuOut.of_sku(queries.sku(caller.uow(), caller.shop_id, code))


@router.put("/skus/{code}")
def save_sku(code: str, body: SkuIn, caller: Caller) -> SkuOut:
    sku = body.to_sku(caller.shop_id, code)
    catalog.save_skus(caller.uow(), caller.shop_id, [sku])
    return SkuOut.of_sku(sku)


# ---- warehouses and stock -------------------------------------------------------------------


@router.get("/warehouses")
def list_warehouses(caller: Caller) -> list[WarehouseOut]:
    return [WarehouseOut.of(w) for w in queries.warehouses(caller.uow(), caller.shop_id)]


@router.post("/warehouses", status_code=status.HTTP_201_CREATED)
def create_warehouse(body: WarehouseIn, caller: Caller, response: Response) -> WarehouseOut:
    saved = catalog.save_warehouse(
        caller.uow(), body.to_warehouse(caller.app.ids(), caller.shop_id)
    )
    _created(response, f"warehouses/{saved.id}")
    return WarehouseOut.of(saved)


@router.get("/warehouses/{warehouse_id}")
def get_warehouse(warehouse_id: str, caller: Caller) -> WarehouseOut:
    return WarehouseOut.of(queries.warehouse(caller.uow(), caller.shop_id, warehouse_id))


@router.put("/warehouses/{warehouse_id}")
def replace_warehouse(warehouse_id: str, body: WarehouseIn, caller: Caller) -> WarehouseOut:
    existing = queries.warehouse(caller.uow(), caller.shop_id, warehouse_id)
    catalog.save_warehouse(caller.uow(), body.to_warehouse(existing.id, caller.shop_id))
    return WarehouseOut.of(queries.warehouse(caller.uow(), caller.shop_id, existing.id))


@router.put("/warehouses/{warehouse_id}/stock/{sku}")
def set_stock(warehouse_id: str, sku: str, body: StockIn, caller: Caller) -> StockOut:
    report = catalog.set_stock(
        caller.uow(), caller.shop_id, [StockSetting(warehouse_id, sku, body.on_hand)]
    )
    for error in report.errors or []:
        if error.field == "warehouse":
            raise NotFound(error.message, field="warehouse_id")
        if error.field == "sku":
            raise NotFound(error.message, field="sku")
        raise InvalidInput(error.message, field=error.field)
    level = queries.warehouse(caller.uow(), caller.shop_id, warehouse_id).stock[sku]
    return StockOut(
        sku=sku, on_hand=level.on_hand, reserved=level.reserved, available=level.available
    )


# ---- channels -------------------------------------------------------------------------------


@router.get("/channels")
def list_channels(caller: Caller) -> list[ChannelOut]:
    return [ChannelOut.of(c) for c in queries.channels(caller.uow(), caller.shop_id)]


@router.post("/channels", status_code=status.HTTP_201_CREATED)
def create_channel(body: ChannelIn, caller: Caller, response: Response) -> ChannelOut:
    saved = catalog.save_channel(caller.uow(), caller.shop_id, body.to_channel(caller.app.ids()))
    _created(response, f"channels/{saved.id}")
    return ChannelOut.of(saved)


@router.get("/channels/{channel_id}")
def get_channel(channel_id: str, caller: Caller) -> ChannelOut:
    return ChannelOut.of(queries.channel(caller.uow(), caller.shop_id, channel_id))


@router.put("/channels/{channel_id}")
def replace_channel(channel_id: str, body: ChannelIn, caller: Caller) -> ChannelOut:
    existing = queries.channel(caller.uow(), caller.shop_id, channel_id)
    saved = catalog.save_channel(caller.uow(), caller.shop_id, body.to_channel(existing.id))
    return ChannelOut.of(saved)


# ---- boxes ----------------------------------------------------------------------------------


@router.get("/boxes")
def list_boxes(caller: Caller) -> list[BoxOut]:
    return [BoxOut.of(b) for b in queries.boxes(caller.uow(), caller.shop_id)]


@router.post("/boxes", status_code=status.HTTP_201_CREATED)
def create_box(body: BoxIn, caller: Caller, response: Response) -> BoxOut:
    saved = catalog.save_box(caller.uow(), caller.shop_id, body.to_box(caller.app.ids()))
    _created(response, f"boxes/{saved.id}")
    return BoxOut.of(saved)


@router.get("/boxes/{box_id}")
def get_box(box_id: str, caller: Caller) -> BoxOut:
    return BoxOut.of(queries.box(caller.uow(), caller.shop_id, box_id))


@router.put("/boxes/{box_id}")
def replace_box(box_id: str, body: BoxIn, caller: Caller) -> BoxOut:
    existing = queries.box(caller.uow(), caller.shop_id, box_id)
    return BoxOut.of(catalog.save_box(caller.uow(), caller.shop_id, body.to_box(existing.id)))
