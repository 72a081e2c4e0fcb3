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
    "precheck.not_found": ("未找到这次预检，请重新预检一次", "We could not find this pre-check; please run a new one"),
    "precheck.effective_date_past": (
        "生效日期请选择今天或之后的日期", "Please choose today or a later date as the effective date"
    ),
    "request.open": (
        "这个号码已有一笔销户申请在办理中，可以直接查看它的进度",
        "This number already has a request in progress; you can follow it with its tracking code",
    ),
    "cancellation.not_found": ("未找到这笔销户申请", "We could not find this cancellation request"),
    "cancellation.item_not_found": ("清单里没有这一项", "This item is not on the request's checklist"),
    "cancellation.item_ambiguous": ("请指明是清单里的哪一项", "Please name which checklist item you mean"),
    "cancellation.precheck_unknown": ("请先完成预检，再提交申请", "Please run a pre-check first, then submit"),
    "cancellation.precheck_stale": (
        "预检结果已超过 24 小时，重新预检一次就可以提交", "The pre-check is over 24 hours old; run a new one and submit"
    ),
    "cancellation.precheck_blocked": (
        "还有需要先处理的事项，处理好后就可以提交", "A few things need sorting out first; after that you can submit"
    ),
    "cancellation.already_deactivated": (
        "号码已经注销，申请已办结", "The number is already deactivated; the request is complete"
    ),
    "cancellation.closed": ("这笔申请已经结束", "This request is already closed"),
    "cancellation.cooling_off_over": (
        "冷静期已结束，如需撤回请联系客服或到营业厅", "The cooling-off has ended; to withdraw, contact us or visit a store"
    ),
    "cancellation.waiver_needs_supervisor": ("减免需要主管确认", "Waivers are confirmed by a supervisor"),
    "event.unknown_request": ("没有与该事件对应的销户申请", "No cancellation request matches this event"),
    "event.unknown_type": ("不认识的事件类型", "Unknown event type"),
    "event.id_reused": (
        "这个事件编号已用于另一条事件，新的事件请换一个编号",
        "This event id was used for a different event; please send a new event with a new id",
    ),
    "tracking.not_found": (
        "没有找到对应的申请，请核对查询码和手机号后四位", "Nothing found; please check the tracking code and the last 4 digits"
    ),
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
