"""Localised titles of problem responses, keyed by stable code."""

from __future__ import annotations

_TITLES: dict[str, tuple[str, str]] = {
    # code: (zh-CN, en)
    "request.malformed": ("请求格式有误", "The request is malformed"),
    "request.malformed_json": ("请求体不是有效的 JSON", "The request body is not valid JSON"),
    "request.too_large": ("请求体过大", "The request body is too large"),
    "request.unsupported_media_type": (
        "请以 application/json 格式发送请求体",
        "Please send the request body as application/json",
    ),
    "auth.unauthenticated": ("请先登录或提供有效凭证", "Please sign in or provide valid credentials"),
    "auth.token_expired": ("登录凭证已过期，请重新登录", "Your token has expired; please sign in again"),
    "auth.invalid_token": ("登录凭证无效", "The token is not valid"),
    "auth.invalid_key": ("API 密钥无效或已停用", "The API key is not valid or has been revoked"),
    "auth.forbidden": ("当前凭证没有此操作的权限", "These credentials do not allow this operation"),
    "auth.csrf": ("页面已过期，请刷新后重试", "The page has expired; please reload and try again"),
    "not_found": ("未找到该资源", "The resource was not found"),
    "method_not_allowed": ("该地址不支持此请求方法", "This method is not allowed on this resource"),
    "conflict": ("请求与当前状态冲突", "The request conflicts with the current state"),
    "precondition.failed": (
        "数据已被更新，请刷新后再操作",
        "The resource has changed; please reload and try again",
    ),
    "precondition.required": (
        "请携带 If-Match 请求头再操作",
        "Please send the If-Match header with this request",
    ),
    "validation": ("请检查以下填写内容", "Please check the following fields"),
    "rate_limited": ("操作太频繁，请稍后再试", "Too many attempts; please try again shortly"),
    "service.unavailable": (
        "服务暂时繁忙，请稍后再试",
        "The service is briefly unavailable; please try again shortly",
    ),
    "internal": (
        "服务出了点问题，我们已记录，请稍后再试",
        "Something went wrong on our side; it has been logged, please try again shortly",
    ),
    "account.not_found": ("未找到该号码或账户", "We could not find this number or account"),
}

_BY_STATUS = {
    400: "request.malformed",
    401: "auth.unauthenticated",
    403: "auth.forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition.failed",
    413: "request.too_large",
    415: "request.unsupported_media_type",
    422: "validation",
    429: "rate_limited",
    503: "service.unavailable",
}


def register_titles(titles: dict[str, tuple[str, str]]) -> None:
    """Add titles for codes owned by a capability package."""
    _TITLES.update(titles)


def code_for_status(status: int) -> str:
    """The generic code of an HTTP status."""
    return _BY_STATUS.get(status, "internal")


def problem_title(code: str, status: int, locale: str) -> str:
    """The localised title for ``code`` (falls back to the status' generic title)."""
    pair = _TITLES.get(code) or _TITLES[code_for_status(status)]
    return pair[0] if locale == "zh-CN" else pair[1]
