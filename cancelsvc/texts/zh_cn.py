"""简体中文（默认语言）。语气：正面、具体，告诉客户"怎么办成"。"""

MESSAGES: dict[str, str] = {
    # --- Findings: blockers ---------------------------------------------------------
    "account.cancelled.title": "这个号码已经完成销户",
    "account.cancelled.detail": (
        "号码已经注销，无需再次办理。如需查询原账户的账单或退款，联系客服即可，我们随时为您处理。"
    ),
    "request.open.title": "您已有一笔销户申请正在办理",
    "request.open.detail": (
        "申请查询码为 {tracking_code}，凭查询码可随时查看办理进度。如需调整，撤回当前申请后重新提交即可。"
    ),
    "account.legal_hold.title": "号码目前处于司法保全中",
    "account.legal_hold.detail": (
        "根据有权机关的要求，号码暂时保留。保全解除后即可在线办理销户，我们会第一时间短信通知您。"
    ),
    "account.suspended.title": "号码目前处于暂停服务状态",
    "account.suspended.detail": ("请带上本人身份证到任一营业厅恢复号码状态，通常当场即可办好，之后就能继续办理销户。"),
    "account.porting.title": "号码正在办理携号转网",
    "account.porting.detail": (
        "携号转网完成后，号码在本网的服务会自动终止，无需另行销户。如果您想改为直接销户，先撤销携转申请即可。"
    ),
    # --- Findings: contracts ----------------------------------------------------------
    "contract.early_termination.title": "合约 {contract} 的提前解约支持金：{amount}",
    "contract.early_termination.detail.handset_subsidy": (
        "{contract_kind}从 {start_date} 到 {end_date}，共 {total_days} 天，还剩 {days} 天。"
        "购机补贴 {subsidy} 按剩余天数折算：{subsidy} × {days} ÷ {total_days} = {amount}。"
        "如在 {end_date} 合约到期后再销户，就无需支付这笔费用。"
    ),
    "contract.early_termination.detail.handset_subsidy_capped": (
        "{contract_kind}从 {start_date} 到 {end_date}，共 {total_days} 天，还剩 {days} 天。"
        "购机补贴 {subsidy} 按剩余天数折算为 {uncapped}；这笔费用不会超过您剩余 {months} 个月"
        "本应支付的月费（{commitment} × {months} = {cap}），因此按 {amount} 计算。"
        "如在 {end_date} 合约到期后再销户，就无需支付这笔费用。"
    ),
    "contract.early_termination.detail.plan_commitment": (
        "{contract_kind}到 {end_date} 到期，还剩 {months} 个月（不足一个月按一个月计）。"
        "按每月承诺消费 {commitment} × {months} 个月 × {rate_percent}% 计算，为 {amount}。"
        "如在 {end_date} 合约到期后再销户，就无需支付这笔费用。"
    ),
    "contract.early_termination.detail.fixed_term": (
        "{contract_kind}约定的提前解约支持金为 {fixed_penalty}，合约到 {end_date} 到期。"
        "如在到期后再销户，就无需支付这笔费用。"
    ),
    "contract.early_termination.detail.fixed_term_capped": (
        "{contract_kind}约定的提前解约支持金为 {fixed_penalty}；这笔费用不会超过您剩余 {months} 个月"
        "本应支付的月费（{commitment} × {months} = {cap}），因此按 {amount} 计算。"
        "合约到 {end_date} 到期，到期后再销户就无需支付这笔费用。"
    ),
    "contract.waived.title": "合约 {contract} 的提前解约支持金已为您免除",
    "contract.waived.detail": (
        "这份{contract_kind}原本需支付的 {fee} 已全额免除（原因：{reason}），您无需支付任何费用。"
    ),
    "contract.waived.detail.nothing_due": (
        "这份{contract_kind}的提前解约支持金已免除（原因：{reason}），您无需支付任何费用。"
    ),
    # --- Findings: balance ----------------------------------------------------------
    "balance.settle.title": "结清账户余额 {amount}",
    "balance.settle.detail": (
        "包括已出账未缴 {billed}、本期未出账费用 {unbilled}，已扣除预存款 {credit}。在 App 内一键缴清即可，当天到账。"
    ),
    "balance.settle.detail.no_credit": (
        "包括已出账未缴 {billed} 和本期未出账费用 {unbilled}。在 App 内一键缴清即可，当天到账。"
    ),
    "balance.refund.title": "我们将为您退还 {amount}",
    "balance.refund.detail": (
        "预存款 {credit} 扣除已出账未缴 {billed} 和未出账费用 {unbilled} 后，还剩 {amount}。"
        "号码注销后我们会原路退回，无需您另行申请。"
    ),
    "balance.disputed.title": "有争议的账单正在核实：{amount}",
    "balance.disputed.detail": (
        "{periods} 的账单正在核实中，不影响销户办理。核实完成后，我们会按结果多退少补，并通知您。"
    ),
    # --- Findings: devices ----------------------------------------------------------
    "device.return.title": "归还租用的{device}（{serial}）",
    "device.return.detail": (
        "到任一营业厅归还，或在 App 内预约免费上门取件即可，通常 {est_min}–{est_max} 个工作日办好。"
        "如您选择保留设备，我们将按设备价值收取 {amount}。"
    ),
    "device.installment.title": "结清{device}（{serial}）的剩余分期 {amount}",
    "device.installment.detail": "销户前一次性结清剩余分期款 {amount}，设备就完全归您所有。",
    # --- Findings: value-added services ------------------------------------------------
    "service.cancel.title": "{service}将为您自动退订",
    "service.cancel.detail": ("{service}（每月 {amount}）会在号码注销时由我们为您退订，您无需任何操作，之后不再扣费。"),
    "service.cancel_third_party.title": "在服务商处退订{service}",
    "service.cancel_third_party.detail": (
        "{service}（每月 {amount}）由第三方服务商提供，请在该服务商的 App 或客服处退订，"
        "通常 {est_min}–{est_max} 个工作日办好，之后就不会再扣费。"
    ),
    "service.renews_before_effective.title": "{service}将在 {renews_on} 自动续费",
    "service.renews_before_effective.detail": (
        "{service}会在 {renews_on} 自动续费 {amount}，不晚于销户生效日 {effective_date}。"
        "现在关闭自动续费，就不会产生这笔费用。"
    ),
    # --- Findings: family and loyalty ---------------------------------------------------
    "family.reassign.title": "为家庭组 {group} 指定新的主卡",
    "family.reassign.detail": (
        "您是家庭组的主卡，组内还有 {others} 个号码。请在 App 内指定一位成员作为新主卡，"
        "或解散家庭组（成员号码保留，转为个人套餐），我们会在 {est_min}–{est_max} 个工作日内办好。"
    ),
    "family.leave.title": "号码将退出家庭组 {group}",
    "family.leave.detail": "销户时我们会为您办理退出家庭组，组内其他号码和套餐保持不变，您无需操作。",
    "loyalty.points.title": "您还有 {points} 积分可以兑换",
    "loyalty.points.detail": "号码注销后积分会清零，建议在 {effective_date} 销户生效前兑换话费、流量或礼品。",
    # --- Checklist: procedural items ----------------------------------------------------
    "identity.documents.title": "带上本人身份证原件",
    "identity.documents.detail": (
        "在营业厅或电话办理时，请准备好机主本人的有效身份证原件。"
        "如由他人代办，请带上机主签字的授权书，以及机主和代办人双方的身份证原件。"
    ),
    "identity.video.title": "完成视频身份核验",
    "identity.video.detail": "在 App 或网页上按提示完成一次视频核验，大约 1 分钟，7×24 小时都可以办理。",
    "number.bindings.title": "把绑定在这个号码上的账户换成新号码",
    "number.bindings.detail": (
        "销户前，请把银行、支付（微信、支付宝等）、社交和常用 App 中绑定的手机号换成新号码。"
        "号码注销一段时间后会重新分配给他人，提前换绑能保护您的账户和资金安全。"
    ),
    # --- Remedies -------------------------------------------------------------------
    "remedy.support.contact": "联系客服，我们帮您处理",
    "remedy.request.track": "凭查询码查看办理进度",
    "remedy.request.withdraw": "撤回当前申请后重新提交",
    "remedy.store.restore": "带上身份证到营业厅恢复号码",
    "remedy.porting.wait": "等待携号转网完成",
    "remedy.porting.cancel": "撤销携转申请，改为销户",
    "remedy.fee.pay": "在线支付",
    "remedy.fee.schedule_at_end": "改在 {end_date} 合约到期时销户，无需支付",
    "remedy.balance.pay": "在线缴清",
    "remedy.refund.original_method": "原路退回，无需申请",
    "remedy.dispute.follow": "查看核实进度",
    "remedy.device.return_store": "到任一营业厅归还",
    "remedy.device.return_courier": "预约免费上门取件",
    "remedy.device.pay_replacement": "保留设备，支付设备价值",
    "remedy.installment.pay_off": "一次性结清分期",
    "remedy.service.auto_cancel": "无需操作，我们为您退订",
    "remedy.service.cancel_with_provider": "在服务商处退订",
    "remedy.service.turn_off_renewal": "关闭自动续费",
    "remedy.service.choose_earlier_date": "把生效日选在 {renews_on} 之前",
    "remedy.family.transfer_primary": "指定新的主卡",
    "remedy.family.dissolve": "解散家庭组（成员号码保留）",
    "remedy.points.redeem": "去兑换积分",
    # --- Alternatives ---------------------------------------------------------------
    "alternative.schedule_at_contract_end.title": "在 {effective_date} 合约到期时销户，节省 {saving}",
    "alternative.schedule_at_contract_end.detail": (
        "把生效日选为 {effective_date}，提前解约支持金全部免除。现在就可以提交申请，"
        "其他待办照常进行，到期当天自动注销。"
    ),
    "alternative.pause_number.title": "保号停机：每月 {monthly_fee} 保留号码",
    "alternative.pause_number.detail": (
        "暂时用不上这个号码？办理保号停机，每月 {monthly_fee}，号码和绑定的账户都为您保留，"
        "最长 {months} 个月，随时恢复使用。"
    ),
    "alternative.downgrade_plan.title": "换成每月 {monthly_fee} 的基础套餐",
    "alternative.downgrade_plan.detail": (
        "号码继续保留，比现在的套餐（每月 {current_fee}）每月少花 {saving}，下个月起生效。"
    ),
    # --- Terms ----------------------------------------------------------------------
    "term.device.router": "路由器",
    "term.device.ont": "光猫",
    "term.device.set_top_box": "机顶盒",
    "term.device.handset": "手机",
    "term.device.modem": "宽带猫",
    "term.device.tablet": "平板电脑",
    "term.device.watch": "智能手表",
    "term.device.other": "设备",
    "term.contract.handset_subsidy": "购机补贴合约",
    "term.contract.plan_commitment": "套餐承诺消费合约",
    "term.contract.fixed_term": "固定期限合约",
    "term.contract.other": "合约",
    "term.waiver.terms_changed": "合约条款变更",
    "term.waiver.relocation": "迁居",
    "term.waiver.coverage": "网络覆盖问题",
    "term.waiver.deceased_holder": "机主身故",
    "term.waiver.goodwill": "客户关怀",
    "term.waiver.other": "特别减免",
    # --- Progress tracker: nodes, what the customer does next, timeline, ETA --------
    "node.submitted.title": "申请已提交",
    "node.identity_verified.title": "身份核验",
    "node.identity_verified.action": "请完成身份核验：App 内视频核验约 1 分钟，或带上身份证原件到任一营业厅办理。",
    "node.fees_settled.title": "费用结清",
    "node.fees_settled.action": "请在 App 内一键缴清清单里的费用，到账后这一步自动完成。",
    "node.services_cancelled.title": "退订增值业务",
    "node.services_cancelled.action": "请按清单提示在第三方平台退订相应会员，退订后这一步自动完成。",
    "node.devices_returned.title": "归还设备",
    "node.devices_returned.action": "请把租用的设备送到任一营业厅，或在 App 内预约免费上门取件。",
    "node.family_resolved.title": "家庭组安排",
    "node.family_resolved.action": "请在 App 内为家庭组指定新的主卡，或选择解散家庭组。",
    "node.cooling_off.title": "冷静期（可随时撤回）",
    "node.deactivated.title": "号码注销",
    "node.refund_issued.title": "余额退款",
    "node.follow_up.title": "回访",
    "timeline.submitted": "我们已收到您的销户申请，会像快递一样一步步告诉您进展。",
    "timeline.item_done": "已完成：{item}",
    "timeline.item_waived": "已为您免除：{item}",
    "timeline.identity_verified": "身份核验已通过。",
    "timeline.payment_received": "已收到您的付款 {amount}，感谢！",
    "timeline.device_returned": "设备 {serial} 已归还，谢谢您。",
    "timeline.service_cancelled": "增值业务 {code} 已退订，之后不再扣费。",
    "timeline.family_resolved": "家庭组已安排妥当。",
    "timeline.ready": "所有待办都已完成，冷静期结束并到生效日后，号码将自动注销。",
    "timeline.cooling_off_ended": "冷静期已结束。",
    "timeline.deactivated": "号码已注销，感谢您一直以来的陪伴。",
    "timeline.refund_issued": "退款 {amount} 已原路退回，请留意到账。",
    "timeline.follow_up_recorded": "回访已完成，感谢您的反馈。",
    "timeline.withdrawn": "申请已撤回，号码和套餐、业务、家庭组、余额都保持原样，您可以继续正常使用。",
    "timeline.rejected": "账户目前有需要先处理的限制（{hold}），申请已暂停。请联系客服或到营业厅，我们帮您看看怎么办。",
    "timeline.sla_breached": "这一步比承诺的时间慢了，我们已经在加急处理。",
    "eta.revised.later": "预计完成时间推迟到 {date}：有一项待办比预计用时更长，我们会继续跟进。",
    "eta.revised.earlier": "好消息：待办完成得比预计快，预计完成时间提前到 {date}。",
    "term.hold.legal_hold": "司法冻结",
    "term.hold.fraud_suspension": "安全停机",
    "term.hold.porting_in_progress": "携号转网办理中",
    "term.hold.other": "账户限制",
    # --- Risk factors (what pushes the chance that a first attempt stalls) ----------
    "risk.channel": "办理渠道",
    "risk.segment": "客户类别",
    "risk.tenure_months": "在网时长",
    "risk.plan_monthly_fee": "套餐月费",
    "risk.contracts_active": "未到期合约数量",
    "risk.early_termination_fee": "提前解约支持金金额",
    "risk.contract_remaining_months": "合约剩余月数",
    "risk.balance_net": "待结清余额",
    "risk.bills_unpaid": "未缴账单数量",
    "risk.disputed_amount": "有争议的账单金额",
    "risk.devices_rented_unreturned": "待归还的租用设备",
    "risk.installment_remaining": "剩余分期款",
    "risk.services_operator": "本公司增值业务",
    "risk.services_third_party": "第三方增值业务",
    "risk.family_role": "家庭组角色",
    "risk.family_members": "家庭组其他成员",
    "risk.prior_requests": "此前未完成的销户申请",
    "risk.payment_method": "付款方式",
    "risk.days_since_last_payment": "距上次缴费天数",
    "term.item.identity.documents": "到店核验身份",
    "term.item.identity.video": "视频身份核验",
    "term.item.contract.early_termination": "提前解约支持金",
    "term.item.contract.waived": "合约费用减免",
    "term.item.balance.settle": "结清余额",
    "term.item.balance.refund": "余额退款",
    "term.item.balance.disputed": "有争议的账单",
    "term.item.device.return": "归还设备",
    "term.item.device.installment": "结清设备分期",
    "term.item.service.cancel": "退订增值业务",
    "term.item.service.cancel_third_party": "退订第三方业务",
    "term.item.service.renews_before_effective": "续费提醒",
    "term.item.family.reassign": "家庭组主卡安排",
    "term.item.family.leave": "退出家庭组",
    "term.item.loyalty.points": "积分兑换",
    "term.item.number.bindings": "换绑手机号",
    "term.item.other": "待办事项",
}
