"""Every customer text rendered from a stored code, by stable key.

Each entry is ``NP_(key, English source text)``: the key is the gettext context and the
English text the msgid; the translations (zh-CN and en) live in
``cancelsvc/translations/<locale>/LC_MESSAGES/messages.po``. Placeholders are
``%(name)s``; ``cancelsvc.texts.render`` formats their values for the locale. A text with a
count is ``NPN_(key, singular, plural, count parameter)``.

Keys: ``<finding code>.title`` / ``.detail[.<variant>]``, ``remedy.<code>``,
``alternative.<code>.title`` / ``.detail``, ``<checklist code>.title`` / ``.detail`` for
the procedural items, ``node.<code>.title`` / ``.action``, ``timeline.<message>``,
``eta.revised.<direction>``, ``risk.<feature>`` and ``term.<group>.<value>`` for
enumerations shown in a sentence.
"""

from __future__ import annotations

from cancelsvc.texts.marks import NP_, NPN_, Plural

MESSAGES: dict[str, str | Plural] = dict((
    # --- Findings: blockers ---------------------------------------------------------
    NP_("account.cancelled.title", "This number is already cancelled"),
    NP_(
        "account.cancelled.detail",
        "The number has been deactivated, so there is nothing more to do. For bills or refunds "
        "of the old account, contact us and we will sort it out.",
    ),
    NP_("request.open.title", "A cancellation request is already in progress"),
    NP_(
        "request.open.detail",
        "Its tracking code is %(tracking_code)s; use it to follow the progress at any time. "
        "To change anything, withdraw that request and submit a new one.",
    ),
    NP_("account.legal_hold.title", "The number is under a legal hold"),
    NP_(
        "account.legal_hold.detail",
        "At the request of the authorities the number is kept for now. As soon as the hold is "
        "lifted you can cancel online, and we will text you the moment it is.",
    ),
    NP_("account.suspended.title", "The number is currently suspended"),
    NP_(
        "account.suspended.detail",
        "Bring your ID to any of our stores to restore the number, usually on the spot, and "
        "then carry on with the cancellation.",
    ),
    NP_("account.porting.title", "A port-out of this number is in progress"),
    NP_(
        "account.porting.detail",
        "Once the port-out completes, our service ends automatically and no cancellation is "
        "needed. If you would rather cancel the number, withdraw the port-out request first.",
    ),
    # --- Findings: contracts ----------------------------------------------------------
    NP_("contract.early_termination.title", "Early-exit fee for contract %(contract)s: %(amount)s"),
    NP_(
        "contract.early_termination.detail.handset_subsidy",
        "Your %(contract_kind)s runs from %(start_date)s to %(end_date)s: %(total_days)s days, "
        "%(days)s of them still to go. The handset subsidy of %(subsidy)s is charged pro rata for "
        "the days left: %(subsidy)s × %(days)s ÷ %(total_days)s = %(amount)s. "
        "Cancel on or after %(end_date)s, when the contract ends, and there is nothing to pay.",
    ),
    NP_(
        "contract.early_termination.detail.handset_subsidy_capped",
        "Your %(contract_kind)s runs from %(start_date)s to %(end_date)s: %(total_days)s days, "
        "%(days)s of them still to go. The handset subsidy of %(subsidy)s pro rata comes to "
        "%(uncapped)s, but the fee never exceeds what you would still pay for the %(months)s "
        "months left (%(commitment)s × %(months)s = %(cap)s), so it is %(amount)s. "
        "Cancel on or after %(end_date)s, when the contract ends, and there is nothing to pay.",
    ),
    NP_(
        "contract.early_termination.detail.plan_commitment",
        "Your %(contract_kind)s ends on %(end_date)s, %(months)s months from now (a started month "
        "counts as a whole one). The fee is %(commitment)s a month × %(months)s months × "
        "%(rate_percent)s%% = %(amount)s. Cancel on or after %(end_date)s and there is nothing to pay.",
    ),
    NP_(
        "contract.early_termination.detail.fixed_term",
        "Your %(contract_kind)s sets an early-exit fee of %(fixed_penalty)s and ends on "
        "%(end_date)s. Cancel on or after that date and there is nothing to pay.",
    ),
    NP_(
        "contract.early_termination.detail.fixed_term_capped",
        "Your %(contract_kind)s sets an early-exit fee of %(fixed_penalty)s, but the fee never "
        "exceeds what you would still pay for the %(months)s months left (%(commitment)s × "
        "%(months)s = %(cap)s), so it is %(amount)s. The contract ends on %(end_date)s; cancel on or "
        "after that date and there is nothing to pay.",
    ),
    NP_("contract.waived.title", "The early-exit fee for contract %(contract)s is waived"),
    NP_(
        "contract.waived.detail",
        "The %(fee)s this %(contract_kind)s would have cost is waived in full (%(reason)s); there is nothing to pay.",
    ),
    NP_(
        "contract.waived.detail.nothing_due",
        "The early-exit fee of this %(contract_kind)s is waived (%(reason)s); there is nothing to pay.",
    ),
    # --- Findings: balance ----------------------------------------------------------
    NP_("balance.settle.title", "Settle the balance of %(amount)s"),
    NP_(
        "balance.settle.detail",
        "This is %(billed)s of unpaid bills plus %(unbilled)s not yet billed, less your prepaid "
        "credit of %(credit)s. Pay it in the app in one step; it is credited the same day.",
    ),
    NP_(
        "balance.settle.detail.no_credit",
        "This is %(billed)s of unpaid bills plus %(unbilled)s not yet billed. Pay it in the app "
        "in one step; it is credited the same day.",
    ),
    NP_("balance.refund.title", "We will refund %(amount)s"),
    NP_(
        "balance.refund.detail",
        "Your prepaid credit of %(credit)s, less %(billed)s of unpaid bills and %(unbilled)s not yet "
        "billed, leaves %(amount)s. We refund it to your original payment method after "
        "deactivation; there is no form to fill in.",
    ),
    NP_("balance.disputed.title", "Disputed bills under review: %(amount)s"),
    NP_(
        "balance.disputed.detail",
        "The bills for %(periods)s are being reviewed; this does not hold up your cancellation. "
        "Once the review is done we settle the difference either way and let you know.",
    ),
    # --- Findings: devices ----------------------------------------------------------
    NP_("device.return.title", "Return the rented %(device)s (%(serial)s)"),
    NP_(
        "device.return.detail",
        "Return it at any of our stores or book a free courier pickup in the app; it usually "
        "takes %(est_min)s–%(est_max)s working days. If you prefer to keep it, we charge its "
        "replacement value of %(amount)s.",
    ),
    NP_("device.installment.title", "Pay off the remaining %(amount)s for the %(device)s (%(serial)s)"),
    NP_(
        "device.installment.detail",
        "Pay the remaining installments of %(amount)s in one go before deactivation, and the device is fully yours.",
    ),
    # --- Findings: value-added services ------------------------------------------------
    NP_("service.cancel.title", "We will cancel %(service)s for you"),
    NP_(
        "service.cancel.detail",
        "%(service)s (%(amount)s a month) is cancelled for you when the number is deactivated; "
        "there is nothing for you to do and no further charges.",
    ),
    NP_("service.cancel_third_party.title", "Cancel %(service)s with its provider"),
    NP_(
        "service.cancel_third_party.detail",
        "%(service)s (%(amount)s a month) comes from a third-party provider. Cancel it in their "
        "app or with their support, usually within %(est_min)s–%(est_max)s working days, and no "
        "further charges follow.",
    ),
    NP_("service.renews_before_effective.title", "%(service)s renews on %(renews_on)s"),
    NP_(
        "service.renews_before_effective.detail",
        "%(service)s renews automatically on %(renews_on)s for %(amount)s, on or before your "
        "effective date %(effective_date)s. Turn off auto-renewal now and this charge is avoided.",
    ),
    # --- Findings: family and loyalty ---------------------------------------------------
    NP_("family.reassign.title", "Choose a new primary for family group %(group)s"),
    NPN_(
        "family.reassign.detail",
        "You are the primary of the family group, which has %(others)s other number. Choose "
        "a member as the new primary in the app, or dissolve the group (members keep their "
        "numbers on individual plans). We complete it within %(est_min)s–%(est_max)s working days.",
        "You are the primary of the family group, which has %(others)s other numbers. Choose "
        "a member as the new primary in the app, or dissolve the group (members keep their "
        "numbers on individual plans). We complete it within %(est_min)s–%(est_max)s working days.",
        "others",
    ),
    NP_("family.leave.title", "The number will leave family group %(group)s"),
    NP_(
        "family.leave.detail",
        "At deactivation we take the number out of the family group for you; the other "
        "numbers and their plans stay as they are.",
    ),
    NP_("loyalty.points.title", "You have %(points)s points to redeem"),
    NP_(
        "loyalty.points.detail",
        "Points expire when the number is deactivated, so redeem them for credit, data or "
        "gifts before the effective date, %(effective_date)s.",
    ),
    NP_(
        "loyalty.points.detail.deactivation",
        "Points expire when the number is deactivated, on %(deactivation_date)s at the earliest, so "
        "redeem them for credit, data or gifts before then.",
    ),
    # --- Checklist: procedural items ----------------------------------------------------
    NP_("identity.documents.title", "Bring your original ID"),
    NP_(
        "identity.documents.detail",
        "At a store or on the phone, have the account holder's original ID ready. If someone "
        "acts on your behalf, they bring an authorisation signed by you and the original IDs "
        "of you both.",
    ),
    NP_("identity.video.title", "Complete a video identity check"),
    NP_(
        "identity.video.detail",
        "Follow the prompts in the app or on the web for a video check of about a minute, any time of day.",
    ),
    NP_("number.bindings.title", "Move your accounts to a new number"),
    NP_(
        "number.bindings.detail",
        "Before deactivation, update this number at your banks, payment apps (WeChat Pay, "
        "Alipay and others), social and everyday apps. A deactivated number is reassigned to "
        "someone else after a while, so moving your accounts now keeps them and your money safe.",
    ),
    # --- Remedies -------------------------------------------------------------------
    NP_("remedy.support.contact", "Contact us and we will take care of it"),
    NP_("remedy.request.track", "Follow the progress with your tracking code"),
    NP_("remedy.request.withdraw", "Withdraw the current request and submit a new one"),
    NP_("remedy.store.restore", "Bring your ID to a store to restore the number"),
    NP_("remedy.porting.wait", "Let the port-out complete"),
    NP_("remedy.porting.cancel", "Withdraw the port-out and cancel instead"),
    NP_("remedy.fee.pay", "Pay online"),
    NP_("remedy.fee.schedule_at_end", "Cancel on %(end_date)s when the contract ends, and pay nothing"),
    NP_("remedy.balance.pay", "Pay online"),
    NP_("remedy.refund.original_method", "Refunded to your original payment method automatically"),
    NP_("remedy.dispute.follow", "Follow the review"),
    NP_("remedy.device.return_store", "Return it at any store"),
    NP_("remedy.device.return_courier", "Book a free courier pickup"),
    NP_("remedy.device.pay_replacement", "Keep it and pay its replacement value"),
    NP_("remedy.installment.pay_off", "Pay off the installments"),
    NP_("remedy.service.auto_cancel", "Nothing to do: we cancel it for you"),
    NP_("remedy.service.cancel_with_provider", "Cancel with the provider"),
    NP_("remedy.service.turn_off_renewal", "Turn off auto-renewal"),
    NP_("remedy.service.choose_earlier_date", "Choose an effective date before %(renews_on)s"),
    NP_("remedy.family.transfer_primary", "Choose a new primary"),
    NP_("remedy.family.dissolve", "Dissolve the group (members keep their numbers)"),
    NP_("remedy.points.redeem", "Redeem points"),
    # --- Alternatives ---------------------------------------------------------------
    NP_(
        "alternative.schedule_at_contract_end.title",
        "Cancel on %(effective_date)s when the contract ends and save %(saving)s",
    ),
    NP_(
        "alternative.schedule_at_contract_end.detail",
        "Choose %(effective_date)s as the effective date and no early-exit fee is due. You can "
        "submit the request now; the other to-dos go ahead as usual and the number is "
        "deactivated on that day.",
    ),
    NP_("alternative.pause_number.title", "Keep the number for %(monthly_fee)s a month"),
    NP_(
        "alternative.pause_number.detail",
        "Not using the number for a while? Pause it for %(monthly_fee)s a month: the number and "
        "everything linked to it stay yours for up to %(months)s months, and you can resume any time.",
    ),
    NP_("alternative.downgrade_plan.title", "Switch to the basic plan at %(monthly_fee)s a month"),
    NP_(
        "alternative.downgrade_plan.detail",
        "Keep your number and spend %(saving)s less each month than on your current plan "
        "(%(current_fee)s a month), starting next month.",
    ),
    # --- Terms ----------------------------------------------------------------------
    NP_("term.device.router", "router"),
    NP_("term.device.ont", "optical modem"),
    NP_("term.device.set_top_box", "set-top box"),
    NP_("term.device.handset", "phone"),
    NP_("term.device.modem", "modem"),
    NP_("term.device.tablet", "tablet"),
    NP_("term.device.watch", "smartwatch"),
    NP_("term.device.other", "device"),
    NP_("term.contract.handset_subsidy", "handset-subsidy contract"),
    NP_("term.contract.plan_commitment", "plan-commitment contract"),
    NP_("term.contract.fixed_term", "fixed-term contract"),
    NP_("term.contract.other", "contract"),
    NP_("term.waiver.terms_changed", "the contract terms changed"),
    NP_("term.waiver.relocation", "relocation"),
    NP_("term.waiver.coverage", "coverage problems"),
    NP_("term.waiver.deceased_holder", "bereavement"),
    NP_("term.waiver.goodwill", "a goodwill gesture"),
    NP_("term.waiver.other", "a special waiver"),
    # --- Progress tracker: nodes, what the customer does next, timeline, ETA --------
    NP_("node.submitted.title", "Request received"),
    NP_("node.identity_verified.title", "Identity check"),
    NP_(
        "node.identity_verified.action",
        "Complete the identity check: a one-minute video check in the app, or bring your original ID to any store.",
    ),
    NP_("node.fees_settled.title", "Fees settled"),
    NP_(
        "node.fees_settled.action",
        "Pay the amounts on your checklist in the app; this step completes as soon as the payment arrives.",
    ),
    NP_("node.services_cancelled.title", "Subscriptions cancelled"),
    NP_(
        "node.services_cancelled.action",
        "Cancel the third-party memberships on your checklist on their platforms; this step then completes by itself.",
    ),
    NP_("node.devices_returned.title", "Devices returned"),
    NP_("node.devices_returned.action", "Bring the rented device to any store, or book a free pick-up in the app."),
    NP_("node.family_resolved.title", "Family plan arranged"),
    NP_(
        "node.family_resolved.action",
        "Choose a new primary line for your family plan in the app, or dissolve the group.",
    ),
    NP_("node.cooling_off.title", "Cooling-off (you can withdraw)"),
    NP_("node.deactivated.title", "Number deactivated"),
    NP_("node.deactivated.title.scheduled", "Deactivation scheduled: every to-do is done"),
    NP_("node.refund_issued.title", "Refund issued"),
    NP_("node.follow_up.title", "Follow-up"),
    NP_("timeline.submitted", "We have your request and will show you every step, like a parcel."),
    NP_("timeline.item_done", "Done: %(item)s"),
    NP_("timeline.item_waived", "Waived for you: %(item)s"),
    NP_("timeline.identity_verified", "Your identity is verified."),
    NP_("timeline.payment_received", "We received your payment of %(amount)s. Thank you!"),
    NP_("timeline.device_returned", "Device %(serial)s is back with us. Thank you."),
    NP_("timeline.service_cancelled", "Subscription %(code)s is cancelled; no more charges."),
    NP_("timeline.family_resolved", "Your family plan is arranged."),
    NP_("timeline.payment_received.public", "We received your payment. Thank you!"),
    NP_("timeline.device_returned.public", "Your %(device)s is back with us. Thank you."),
    NP_("timeline.service_cancelled.public", "One of your subscriptions is cancelled; no more charges for it."),
    NP_("timeline.refund_issued.public", "Your refund is on its way to your original payment method."),
    NP_(
        "timeline.ready",
        "Every to-do is done. Your number is deactivated automatically once the cooling-off ends and the effective date comes.",
    ),
    NP_("timeline.cooling_off_ended", "The cooling-off period has ended."),
    NP_("timeline.deactivated", "Your number is deactivated. Thank you for being with us."),
    NP_("timeline.refund_issued", "A refund of %(amount)s is on its way to your original payment method."),
    NP_("timeline.follow_up_recorded", "Follow-up done. Thank you for your feedback."),
    NP_(
        "timeline.follow_up_call_back",
        "Thank you for telling us. Someone from our team will call you within %(hours)s hours to put it right.",
    ),
    NP_(
        "timeline.withdrawn",
        "Request withdrawn. Your number, plan, subscriptions, family plan and credit are exactly as before.",
    ),
    NP_(
        "timeline.rejected",
        "Your account has a restriction to sort out first (%(hold)s), so the request is on hold. Contact us or visit a store and we will find the way forward together.",
    ),
    NP_("timeline.sla_breached", "This step is taking longer than we promised; we are speeding it up."),
    NP_(
        "eta.revised.later",
        "Now expected by %(date)s: one to-do is taking longer than planned, and we are following it up.",
    ),
    NP_(
        "eta.revised.earlier",
        "Good news: your to-dos went faster than planned, so we now expect to finish by %(date)s.",
    ),
    NP_("term.hold.legal_hold", "legal hold"),
    NP_("term.hold.fraud_suspension", "security suspension"),
    NP_("term.hold.porting_in_progress", "number transfer in progress"),
    NP_("term.hold.other", "account restriction"),
    # --- Risk factors (what pushes the chance that a first attempt stalls) ----------
    NP_("risk.channel", "The channel used"),
    NP_("risk.segment", "Customer group"),
    NP_("risk.tenure_months", "Time with us"),
    NP_("risk.plan_monthly_fee", "Monthly plan fee"),
    NP_("risk.contracts_active", "Running contracts"),
    NP_("risk.early_termination_fee", "Early-termination fees"),
    NP_("risk.contract_remaining_months", "Months left on contracts"),
    NP_("risk.balance_net", "Balance to settle"),
    NP_("risk.bills_unpaid", "Unpaid bills"),
    NP_("risk.disputed_amount", "Disputed bill amount"),
    NP_("risk.devices_rented_unreturned", "Rented devices to return"),
    NP_("risk.installment_remaining", "Installments left"),
    NP_("risk.services_operator", "Our subscriptions"),
    NP_("risk.services_third_party", "Third-party subscriptions"),
    NP_("risk.family_role", "Role in a family plan"),
    NP_("risk.family_members", "Other family plan members"),
    NP_("risk.prior_requests", "Earlier unfinished requests"),
    NP_("risk.payment_method", "Payment method"),
    NP_("risk.days_since_last_payment", "Days since the last payment"),
    NP_("term.item.identity.documents", "identity check at the store"),
    NP_("term.item.identity.video", "video identity check"),
    NP_("term.item.contract.early_termination", "early-termination fee"),
    NP_("term.item.contract.waived", "contract fee waiver"),
    NP_("term.item.balance.settle", "balance settlement"),
    NP_("term.item.balance.refund", "credit refund"),
    NP_("term.item.balance.disputed", "disputed bill"),
    NP_("term.item.device.return", "device return"),
    NP_("term.item.device.installment", "installment payoff"),
    NP_("term.item.service.cancel", "subscription cancellation"),
    NP_("term.item.service.cancel_third_party", "third-party subscription cancellation"),
    NP_("term.item.service.renews_before_effective", "renewal reminder"),
    NP_("term.item.family.reassign", "family plan primary line"),
    NP_("term.item.family.leave", "leaving the family plan"),
    NP_("term.item.loyalty.points", "loyalty points"),
    NP_("term.item.number.bindings", "updating the number at banks and apps"),
    NP_("term.item.other", "to-do"),
    # --- Messages to the customer (text message and e-mail; docs/notifications.md) ------
    # Each fits in two SMS parts with the longest plausible values (tests/notifications).
    NP_("sms.signed", "[%(operator)s] %(text)s"),
    NP_("sms.submitted",
        "Cancellation request %(code)s received. You can withdraw it until %(withdraw_until)s. "
        "Next: %(next_step)s. Progress: %(link)s"),
    NP_("sms.submitted.nothing",
        "Cancellation request %(code)s received. Nothing more is needed from you; you can withdraw "
        "it until %(withdraw_until)s. Progress: %(link)s"),
    NP_("sms.todo",
        "Your cancellation needs one thing from you: %(item)s, by %(due)s, at %(store)s. Please "
        "bring your original ID. Details: %(link)s"),
    NP_("sms.todo_reminder",
        "Reminder: %(item)s is due by %(due)s. Bring your original ID to %(store)s and it is done "
        "on the spot. Details: %(link)s"),
    NP_("sms.all_done",
        "All to-dos are done. Your number will be deactivated on %(deactivate_on)s; until then you "
        "can still withdraw: %(link)s"),
    NP_("sms.cooling_off_ending",
        "You can withdraw your cancellation until %(withdraw_until)s. If you still want it, there "
        "is nothing to do. %(link)s"),
    NP_("sms.deactivating",
        "Your number is being switched off now. Please update it at your bank and in your apps. "
        "Later messages go to %(contact)s. Questions: %(hotline)s"),
    NP_("sms.deactivating.no_contact",
        "Your number is being switched off now. Please update it at your bank and in your apps. "
        "Questions: %(hotline)s"),
    NP_("sms.deactivated",
        "Done: number %(number)s was deactivated on %(date)s. Thank you for being with us. "
        "Questions: %(hotline)s"),
    NP_("sms.deactivated.refund",
        "Done: number %(number)s was deactivated on %(date)s. Your refund of %(amount)s is on its "
        "way. Thank you for being with us."),
    NP_("sms.refund_issued",
        "Your refund of %(amount)s for %(number)s has been paid; it usually arrives within 3 "
        "working days. Questions: %(hotline)s"),
    NP_("sms.follow_up",
        "How did your cancellation go? Reply 1 if you are satisfied, or 2 if not and we will "
        "call you back. Thank you!"),
    NP_("sms.withdrawn",
        "Cancellation %(code)s is withdrawn. Your number, plan and credit stay exactly as they "
        "were."),
    NP_("sms.rejected",
        "Cancellation %(code)s is on hold for now: %(hold)s. Please call %(hotline)s and we will "
        "sort it out with you."),
    NP_("sms.sla_missed",
        "Sorry, the step \"%(step)s\" is taking longer than we promised; we are on it. Now expected by "
        "%(eta)s. Progress: %(link)s"),
    NP_("sms.status",
        "Cancellation %(code)s: %(state)s, expected by %(eta)s. Details: %(link)s"),
    NP_("sms.opted_out",
        "You will get no more progress updates by text; essential service notices still come. "
        "Reply START to turn updates back on."),
    NP_("sms.opted_in", "Progress updates by text are back on. Reply STOP to turn them off."),
    NP_("sms.withdraw_confirm", "To withdraw cancellation %(code)s, reply %(confirm)s within 10 minutes."),
    NP_("sms.withdraw_confirm.closed",
        "The cooling-off period of cancellation %(code)s is over, so it stays as it is. Questions: %(hotline)s"),
    NP_("sms.follow_up_thanks", "Thank you for your feedback, and all the best!"),
    NP_("sms.follow_up_thanks.sorry", "Sorry it did not go smoothly. We will call you back within 48 hours."),
    NP_("sms.language", "From now on our messages will be in English."),
    NP_("sms.help",
        "Reply CX for progress, STOP to stop updates, CH to withdraw during the cooling-off "
        "period. Questions: %(hotline)s"),
    NP_("sms.test", "Test message: text messages from %(operator)s are set up correctly."),
    NP_("sms.test.email", "Test message: e-mail from %(operator)s is set up correctly."),
    NP_("mail.subject", "About your cancellation %(code)s"),
    NP_("mail.subject.general", "A message from %(operator)s"),
    NP_("mail.greeting", "Hello,"),
    NP_("term.state.in_progress", "in progress"),
    NP_("term.state.ready", "all to-dos done"),
    NP_("term.state.completed", "number deactivated"),
    NP_("term.state.withdrawn", "withdrawn"),
    NP_("term.state.rejected", "stopped"),))
