"""Error responses in OpenAI's shape, with Chinese messages: {"error": {message, type, param, code}}."""
from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from vectorstore.errors import ApiError

_STATUS_MESSAGES = {
    404: "没有这个接口",
    405: "这个接口不支持该请求方法",
}


def error_body(message: str, type: str = "invalid_request_error", code: str | None = None,
               param: str | None = None) -> dict:
    """Return the JSON body of an error, as OpenAI's API writes it."""
    return {"error": {"message": message, "type": type, "param": param, "code": code}}


def error_response(status: int, message: str, code: str | None = None, param: str | None = None,
                   type: str = "invalid_request_error", headers: dict | None = None) -> JSONResponse:
    return JSONResponse(error_body(message, type, code, param), status_code=status, headers=headers)


def _field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query")]
    return ".".join(parts) or "请求体"


def validation_message(errors: list[dict]) -> tuple[str, str | None]:
    """Return (Chinese message, param) describing the first validation error."""
    if not errors:
        return "请求不合法", None
    e = errors[0]
    kind, field = e.get("type", ""), _field(e.get("loc", ()))
    if kind == "json_invalid":
        return "请求体不是合法的 JSON", None
    if kind == "extra_forbidden":
        return f"不支持的字段：{field}", field
    if kind == "missing":
        return f"缺少必填字段：{field}", field
    if kind in ("model_attributes_type", "dict_type") and field == "请求体":
        return "请求体应为 JSON 对象", None
    return f"字段 {field} 不合法（{e.get('msg', '')}）", field


async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    message, param = validation_message(list(exc.errors()))
    return error_response(400, message, "invalid_request", param)


async def on_api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.message, exc.code, exc.param, exc.type)


async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = _STATUS_MESSAGES.get(exc.status_code, "请求不合法")
    return error_response(exc.status_code, message, "not_found" if exc.status_code == 404 else None)


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the server log (uvicorn), never to the client.
    return error_response(500, "服务器内部错误，请稍后再试", "internal_error", type="server_error")


def install_error_handlers(app) -> None:
    """Make every error the app sends an OpenAI-shaped JSON body."""
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
