"""English. Tone: positive and concrete, saying how to get each thing done."""

MESSAGES: dict[str, str] = {
    # --- Findings: blockers ---------------------------------------------------------
    "account.cancelled.title": "This number is already cancelled",
    "account.cancelled.detail": (
        "The number has been deactivated, so there is nothing more to do. For bills or refunds "
        "of the old account, contact us and we will sort it out."
    ),
    "request.open.title": "A cancellation request is already in progress",
    "request.open.detail": (
        "Its tracking code is {tracking_code}; use it to follow the progress at any time. "
        "To change anything, withdraw that request and submit a new one."
    ),
    "account.legal_hold.title": "The number is under a legal hold",
    "account.legal_hold.detail": (
        "At the request of the authorities the number is kept for now. As soon as the hold is "
        "lifted you can cancel online, and we will text you the moment it is."
    ),
    "account.suspended.title": "The number is currently suspended",
    "account.suspended.detail": (
        "Bring your ID to any of our stores to restore the number, usually on the spot, and "
        "then carry on with the cancellation."
    ),
    "account.porting.title": "A port-out of this number is in progress",
    "account.porting.detail": (
        "Once the port-out completes, our service ends automatically and no cancellation is "
        "needed. If you would rather cancel the number, withdraw the port-out request first."
    ),
    # --- Findings: contracts ----------------------------------------------------------
    "contract.early_termination.title": "Early-exit fee for contract {contract}: {amount}",
    "contract.early_termination.detail.handset_subsidy": (
        "Your {contract_kind} runs from {start_date} to {end_date}: {total_days} days, "
        "{days} of them still to go. The handset subsidy of {subsidy} is charged pro rata for "
        "the days left: {subsidy} × {days} ÷ {total_days} = {amount}. "
        "Cancel on or after {end_date}, when the contract ends, and there is nothing to pay."
    ),
    "contract.early_termination.detail.handset_subsidy_capped": (
        "Your {contract_kind} runs from {start_date} to {end_date}: {total_days} days, "
        "{days} of them still to go. The handset subsidy of {subsidy} pro rata comes to "
        "{uncapped}, but the fee never exceeds what you would still pay for the {months} "
        "months left ({commitment} × {months} = {cap}), so it is {amount}. "
        "Cancel on or after {end_date}, when the contract ends, and there is nothing to pay."
    ),
    "contract.early_termination.detail.plan_commitment": (
        "Your {contract_kind} ends on {end_date}, {months} months from now (a started month "
        "counts as a whole one). The fee is {commitment} a month × {months} months × "
        "{rate_percent}% = {amount}. Cancel on or after {end_date} and there is nothing to pay."
    ),
    "contract.early_termination.detail.fixed_term": (
        "Your {contract_kind} sets an early-exit fee of {fixed_penalty} and ends on "
        "{end_date}. Cancel on or after that date and there is nothing to pay."
    ),
    "contract.early_termination.detail.fixed_term_capped": (
        "Your {contract_kind} sets an early-exit fee of {fixed_penalty}, but the fee never "
        "exceeds what you would still pay for the {months} months left ({commitment} × "
        "{months} = {cap}), so it is {amount}. The contract ends on {end_date}; cancel on or "
        "after that date and there is nothing to pay."
    ),
    "contract.waived.title": "The early-exit fee for contract {contract} is waived",
    "contract.waived.detail": (
        "The {fee} this {contract_kind} would have cost is waived in full ({reason}); there is nothing to pay."
    ),
    "contract.waived.detail.nothing_due": (
        "The early-exit fee of this {contract_kind} is waived ({reason}); there is nothing to pay."
    ),
    # --- Findings: balance ----------------------------------------------------------
    "balance.settle.title": "Settle the balance of {amount}",
    "balance.settle.detail": (
        "This is {billed} of unpaid bills plus {unbilled} not yet billed, less your prepaid "
        "credit of {credit}. Pay it in the app in one step; it is credited the same day."
    ),
    "balance.settle.detail.no_credit": (
        "This is {billed} of unpaid bills plus {unbilled} not yet billed. Pay it in the app "
        "in one step; it is credited the same day."
    ),
    "balance.refund.title": "We will refund {amount}",
    "balance.refund.detail": (
        "Your prepaid credit of {credit}, less {billed} of unpaid bills and {unbilled} not yet "
        "billed, leaves {amount}. We refund it to your original payment method after "
        "deactivation; there is no form to fill in."
    ),
    "balance.disputed.title": "Disputed bills under review: {amount}",
    "balance.disputed.detail": (
        "The bills for {periods} are being reviewed; this does not hold up your cancellation. "
        "Once the review is done we settle the difference either way and let you know."
    ),
    # --- Findings: devices ----------------------------------------------------------
    "device.return.title": "Return the rented {device} ({serial})",
    "device.return.detail": (
        "Return it at any of our stores or book a free courier pickup in the app; it usually "
        "takes {est_min}–{est_max} working days. If you prefer to keep it, we charge its "
        "replacement value of {amount}."
    ),
    "device.installment.title": "Pay off the remaining {amount} for the {device} ({serial})",
    "device.installment.detail": (
        "Pay the remaining installments of {amount} in one go before deactivation, and the device is fully yours."
    ),
    # --- Findings: value-added services ------------------------------------------------
    "service.cancel.title": "We will cancel {service} for you",
    "service.cancel.detail": (
        "{service} ({amount} a month) is cancelled for you when the number is deactivated; "
        "there is nothing for you to do and no further charges."
    ),
    "service.cancel_third_party.title": "Cancel {service} with its provider",
    "service.cancel_third_party.detail": (
        "{service} ({amount} a month) comes from a third-party provider. Cancel it in their "
        "app or with their support, usually within {est_min}–{est_max} working days, and no "
        "further charges follow."
    ),
    "service.renews_before_effective.title": "{service} renews on {renews_on}",
    "service.renews_before_effective.detail": (
        "{service} renews automatically on {renews_on} for {amount}, on or before your "
        "effective date {effective_date}. Turn off auto-renewal now and this charge is avoided."
    ),
    # --- Findings: family and loyalty ---------------------------------------------------
    "family.reassign.title": "Choose a new primary for family group {group}",
    "family.reassign.detail": (
        "You are the primary of the family group, which has {others} other number(s). Choose "
        "a member as the new primary in the app, or dissolve the group (members keep their "
        "numbers on individual plans). We complete it within {est_min}–{est_max} working days."
    ),
    "family.leave.title": "The number will leave family group {group}",
    "family.leave.detail": (
        "At deactivation we take the number out of the family group for you; the other "
        "numbers and their plans stay as they are."
    ),
    "loyalty.points.title": "You have {points} points to redeem",
    "loyalty.points.detail": (
        "Points expire when the number is deactivated, so redeem them for credit, data or "
        "gifts before the effective date, {effective_date}."
    ),
    # --- Checklist: procedural items ----------------------------------------------------
    "identity.documents.title": "Bring your original ID",
    "identity.documents.detail": (
        "At a store or on the phone, have the account holder's original ID ready. If someone "
        "acts on your behalf, they bring an authorisation signed by you and the original IDs "
        "of you both."
    ),
    "identity.video.title": "Complete a video identity check",
    "identity.video.detail": (
        "Follow the prompts in the app or on the web for a video check of about a minute, any time of day."
    ),
    "number.bindings.title": "Move your accounts to a new number",
    "number.bindings.detail": (
        "Before deactivation, update this number at your banks, payment apps (WeChat Pay, "
        "Alipay and others), social and everyday apps. A deactivated number is reassigned to "
        "someone else after a while, so moving your accounts now keeps them and your money safe."
    ),
    # --- Remedies -------------------------------------------------------------------
    "remedy.support.contact": "Contact us and we will take care of it",
    "remedy.request.track": "Follow the progress with your tracking code",
    "remedy.request.withdraw": "Withdraw the current request and submit a new one",
    "remedy.store.restore": "Bring your ID to a store to restore the number",
    "remedy.porting.wait": "Let the port-out complete",
    "remedy.porting.cancel": "Withdraw the port-out and cancel instead",
    "remedy.fee.pay": "Pay online",
    "remedy.fee.schedule_at_end": "Cancel on {end_date} when the contract ends, and pay nothing",
    "remedy.balance.pay": "Pay online",
    "remedy.refund.original_method": "Refunded to your original payment method automatically",
    "remedy.dispute.follow": "Follow the review",
    "remedy.device.return_store": "Return it at any store",
    "remedy.device.return_courier": "Book a free courier pickup",
    "remedy.device.pay_replacement": "Keep it and pay its replacement value",
    "remedy.installment.pay_off": "Pay off the installments",
    "remedy.service.auto_cancel": "Nothing to do: we cancel it for you",
    "remedy.service.cancel_with_provider": "Cancel with the provider",
    "remedy.service.turn_off_renewal": "Turn off auto-renewal",
    "remedy.service.choose_earlier_date": "Choose an effective date before {renews_on}",
    "remedy.family.transfer_primary": "Choose a new primary",
    "remedy.family.dissolve": "Dissolve the group (members keep their numbers)",
    "remedy.points.redeem": "Redeem points",
    # --- Alternatives ---------------------------------------------------------------
    "alternative.schedule_at_contract_end.title": (
        "Cancel on {effective_date} when the contract ends and save {saving}"
    ),
    "alternative.schedule_at_contract_end.detail": (
        "Choose {effective_date} as the effective date and no early-exit fee is due. You can "
        "submit the request now; the other to-dos go ahead as usual and the number is "
        "deactivated on that day."
    ),
    "alternative.pause_number.title": "Keep the number for {monthly_fee} a month",
    "alternative.pause_number.detail": (
        "Not using the number for a while? Pause it for {monthly_fee} a month: the number and "
        "everything linked to it stay yours for up to {months} months, and you can resume any time."
    ),
    "alternative.downgrade_plan.title": "Switch to the basic plan at {monthly_fee} a month",
    "alternative.downgrade_plan.detail": (
        "Keep your number and spend {saving} less each month than on your current plan "
        "({current_fee} a month), starting next month."
    ),
    # --- Terms ----------------------------------------------------------------------
    "term.device.router": "router",
    "term.device.ont": "optical modem",
    "term.device.set_top_box": "set-top box",
    "term.device.handset": "phone",
    "term.device.modem": "modem",
    "term.device.tablet": "tablet",
    "term.device.watch": "smartwatch",
    "term.device.other": "device",
    "term.contract.handset_subsidy": "handset-subsidy contract",
    "term.contract.plan_commitment": "plan-commitment contract",
    "term.contract.fixed_term": "fixed-term contract",
    "term.contract.other": "contract",
    "term.waiver.terms_changed": "the contract terms changed",
    "term.waiver.relocation": "relocation",
    "term.waiver.coverage": "coverage problems",
    "term.waiver.deceased_holder": "bereavement",
    "term.waiver.goodwill": "a goodwill gesture",
    "term.waiver.other": "a special waiver",
    # --- Progress tracker: nodes, what the customer does next, timeline, ETA --------
    "node.submitted.title": "Request received",
    "node.identity_verified.title": "Identity check",
    "node.identity_verified.action": "Complete the identity check: a one-minute video check in the app, or bring your original ID to any store.",
    "node.fees_settled.title": "Fees settled",
    "node.fees_settled.action": "Pay the amounts on your checklist in the app; this step completes as soon as the payment arrives.",
    "node.services_cancelled.title": "Subscriptions cancelled",
    "node.services_cancelled.action": "Cancel the third-party memberships on your checklist on their platforms; this step then completes by itself.",
    "node.devices_returned.title": "Devices returned",
    "node.devices_returned.action": "Bring the rented device to any store, or book a free pick-up in the app.",
    "node.family_resolved.title": "Family plan arranged",
    "node.family_resolved.action": "Choose a new primary line for your family plan in the app, or dissolve the group.",
    "node.cooling_off.title": "Cooling-off (you can withdraw)",
    "node.deactivated.title": "Number deactivated",
    "node.refund_issued.title": "Refund issued",
    "node.follow_up.title": "Follow-up",
    "timeline.submitted": "We have your request and will show you every step, like a parcel.",
    "timeline.item_done": "Done: {item}",
    "timeline.item_waived": "Waived for you: {item}",
    "timeline.identity_verified": "Your identity is verified.",
    "timeline.payment_received": "We received your payment of {amount}. Thank you!",
    "timeline.device_returned": "Device {serial} is back with us. Thank you.",
    "timeline.service_cancelled": "Subscription {code} is cancelled; no more charges.",
    "timeline.family_resolved": "Your family plan is arranged.",
    "timeline.ready": "Every to-do is done. Your number is deactivated automatically once the cooling-off ends and the effective date comes.",
    "timeline.cooling_off_ended": "The cooling-off period has ended.",
    "timeline.deactivated": "Your number is deactivated. Thank you for being with us.",
    "timeline.refund_issued": "A refund of {amount} is on its way to your original payment method.",
    "timeline.follow_up_recorded": "Follow-up done. Thank you for your feedback.",
    "timeline.withdrawn": "Request withdrawn. Your number, plan, subscriptions, family plan and credit are exactly as before.",
    "timeline.rejected": "Your account has a restriction to sort out first ({hold}), so the request is on hold. Contact us or visit a store and we will find the way forward together.",
    "timeline.sla_breached": "This step is taking longer than we promised; we are speeding it up.",
    "eta.revised.later": "Now expected by {date}: one to-do is taking longer than planned, and we are following it up.",
    "eta.revised.earlier": "Good news: your to-dos went faster than planned, so we now expect to finish by {date}.",
    "term.hold.legal_hold": "legal hold",
    "term.hold.fraud_suspension": "security suspension",
    "term.hold.porting_in_progress": "number transfer in progress",
    "term.hold.other": "account restriction",
    # --- Risk factors (what pushes the chance that a first attempt stalls) ----------
    "risk.channel": "The channel used",
    "risk.segment": "Customer group",
    "risk.tenure_months": "Time with us",
    "risk.plan_monthly_fee": "Monthly plan fee",
    "risk.contracts_active": "Running contracts",
    "risk.early_termination_fee": "Early-termination fees",
    "risk.contract_remaining_months": "Months left on contracts",
    "risk.balance_net": "Balance to settle",
    "risk.bills_unpaid": "Unpaid bills",
    "risk.disputed_amount": "Disputed bill amount",
    "risk.devices_rented_unreturned": "Rented devices to return",
    "risk.installment_remaining": "Installments left",
    "risk.services_operator": "Our subscriptions",
    "risk.services_third_party": "Third-party subscriptions",
    "risk.family_role": "Role in a family plan",
    "risk.family_members": "Other family plan members",
    "risk.prior_requests": "Earlier unfinished requests",
    "risk.payment_method": "Payment method",
    "risk.days_since_last_payment": "Days since the last payment",
    "term.item.identity.documents": "identity check at the store",
    "term.item.identity.video": "video identity check",
    "term.item.contract.early_termination": "early-termination fee",
    "term.item.contract.waived": "contract fee waiver",
    "term.item.balance.settle": "balance settlement",
    "term.item.balance.refund": "credit refund",
    "term.item.balance.disputed": "disputed bill",
    "term.item.device.return": "device return",
    "term.item.device.installment": "installment payoff",
    "term.item.service.cancel": "subscription cancellation",
    "term.item.service.cancel_third_party": "third-party subscription cancellation",
    "term.item.service.renews_before_effective": "renewal reminder",
    "term.item.family.reassign": "family plan primary line",
    "term.item.family.leave": "leaving the family plan",
    "term.item.loyalty.points": "loyalty points",
    "term.item.number.bindings": "updating the number at banks and apps",
    "term.item.other": "to-do",
}
