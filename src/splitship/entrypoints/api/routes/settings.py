"""The shop's settings."""

from fastapi import APIRouter

from splitship.entrypoints.api import queries
from splitship.entrypoints.api.catalog_schemas import SettingsOut, SettingsPatch
from splitship.entrypoints.api.deps import Caller
from splitship.services import shops

router = APIRouter(prefix="/settings", tags=["settings"])


@router.get("")
def get_settings(caller: Caller) -> SettingsOut:
    shop = queries.shop(caller.uow(), caller.shop_id)
    return SettingsOut.of(shop.id, shop.name, shop.settings)


@router.patch("")
def update_settings(body: SettingsPatch, caller: Caller) -> SettingsOut:
    changes = body.changes()
    if not changes:
        return get_settings(caller)
    shop = shops.update_settings(caller.uow(), caller.shop_id, changes)
    return SettingsOut.of(shop.id, shop.name, shop.settings)
