"""Reading an uploaded file or body: JSON, a CSV body, or a CSV file in a multipart form."""

import json
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from splitship.domain.errors import InvalidInput
from splitship.entrypoints.api.problems import MalformedJson, PayloadTooLarge, UnsupportedMediaType

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
CSV_TYPES = frozenset({"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel"})


@dataclass(frozen=True)
class Upload:
    """Either parsed JSON (``csv`` None) or the text of a CSV file."""

    json: Any = None
    csv: str | None = None


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _too_large(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(
            f"the upload is {size} bytes; at most {MAX_UPLOAD_BYTES} are accepted: split the file"
        )


def decode_text(raw: bytes) -> str:
    # Spreadsheets on Chinese systems save CSV as GB18030 (GBK) unless told otherwise.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("the file is not UTF-8 text: save it as 'CSV UTF-8'", field="file")


async def _form_file(request: Request) -> bytes:
    async with request.form(max_files=1, max_fields=20) as form:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise InvalidInput("send the CSV file in a form field named 'file'", field="file")
        if file.size is not None:
            _too_large(file.size)
        return await file.read()


async def read_upload(request: Request, *, allow_json: bool) -> Upload:
    media = _media_type(request)
    if media == "multipart/form-data":
        raw = await _form_file(request)
        _too_large(len(raw))
        return Upload(csv=decode_text(raw))
    raw = await request.body()
    _too_large(len(raw))
    if media in CSV_TYPES:
        return Upload(csv=decode_text(raw))
    if allow_json and (media in ("", "application/json") or media.endswith("+json")):
        try:
            return Upload(json=json.loads(raw))
        except ValueError as exc:
            raise MalformedJson(
                f"the request body is not valid JSON ({exc})", field="body"
            ) from None
    accepted = "JSON, " if allow_json else ""
    raise UnsupportedMediaType(
        f"cannot read {media or 'a body without Content-Type'}: send {accepted}text/csv, "
        "or a multipart form with a 'file' field"
    )


async def read_order_upload(request: Request) -> Upload:
    return await read_upload(request, allow_json=True)


async def read_csv_upload(request: Request) -> Upload:
    return await read_upload(request, allow_json=False)
