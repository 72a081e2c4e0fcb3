"""The demo operator: stores in five cities and customers whose lines hit every rule.

Dates are relative to ``today`` so contracts are always running when the demo is loaded.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from models.vocabulary import HoldKind

STORES = [
    {"code": "HZ-001", "name": "杭州西湖营业厅", "city": "杭州", "address": "杭州市西湖区文三路 259 号",
     "opening_hours": "周一至周日 9:00–18:00", "phone": "0571-8700 1000"},
    {"code": "SH-001", "name": "上海徐家汇营业厅", "city": "上海", "address": "上海市徐汇区肇嘉浜路 1111 号",
     "opening_hours": "周一至周日 9:00–19:00", "phone": "021-6400 1000"},
    {"code": "BJ-001", "name": "北京西单营业厅", "city": "北京", "address": "北京市西城区西单北大街 131 号",
     "opening_hours": "周一至周日 9:00–18:30", "phone": "010-6600 1000"},
    {"code": "GZ-001", "name": "广州天河营业厅", "city": "广州", "address": "广州市天河区天河路 208 号",
     "opening_hours": "周一至周日 9:30–18:30", "phone": "020-3800 1000"},
    {"code": "CD-001", "name": "成都春熙路营业厅", "city": "成都", "address": "成都市锦江区春熙路 99 号",
     "opening_hours": "周一至周日 9:00–18:00", "phone": "028-8600 1000"},
]

NAMES = [
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄涛", "周婷", "吴强",
    "徐丽", "孙浩", "马超", "朱琳", "胡军", "郭秀英", "何勇", "林晓燕", "高峰", "罗莉",
    "郑凯", "梁雪", "谢文", "宋佳",
]


def _d(today: date, days: int) -> str:
    return (today + timedelta(days=days)).isoformat()


def _msisdn(n: int) -> str:
    return f"+86138{n:08d}"


def _account(today: date, n: int, store: str, **overrides: Any) -> dict[str, Any]:
    account: dict[str, Any] = {
        "msisdn": _msisdn(n),
        "status": "active",
        "plan": {"code": "4G-58", "monthly_fee": "58.00"},
        "activated_on": _d(today, -900),
        "store_code": store,
        "unbilled_amount": "0.00",
        "prepaid_credit": "0.00",
        "loyalty_points": 0,
        "payment_method": "auto_debit",
        "last_payment_on": _d(today, -20),
        "holds": [],
        "family": None,
        "contracts": [],
        "bills": [],
        "devices": [],
        "services": [],
    }
    account.update(overrides)
    return account


def build(today: date) -> dict[str, Any]:
    """The import document of the demo operator."""
    month = today.strftime("%Y-%m")
    last = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    a = lambda n, store="HZ-001", **kw: _account(today, n, store, **kw)  # noqa: E731
    customers: list[dict[str, Any]] = []

    def customer(i: int, accounts: list[dict[str, Any]], **kw: Any) -> None:
        customers.append({
            "external_id": f"C-{1001 + i}",
            "name": NAMES[i % len(NAMES)],
            "id_doc": {"type": "cn_resident_id", "number": f"1101011990030{7000 + i:04d}"[:17] + "X"},
            "phone": accounts[0]["msisdn"] if accounts else None,
            "email": f"customer{1001 + i}@example.com",
            "locale": kw.pop("locale", "zh-CN"),
            "timezone": "Asia/Shanghai",
            "segment": kw.pop("segment", "regular"),
            "accounts": accounts,
        })

    # C-1001 张伟: the spec's sample line — everything at once, plus a clean second line.
    customer(0, [
        a(1, plan={"code": "5G-128", "monthly_fee": "128.00"}, unbilled_amount="23.50", loyalty_points=1200,
          family={"group_code": "FAM-77", "role": "primary"},
          contracts=[
              {"external_id": "K-1", "kind": "handset_subsidy", "start_date": _d(today, -320),
               "end_date": _d(today, 40), "monthly_commitment": "99.00", "subsidy_amount": "1200.00"},
              {"external_id": "K-2", "kind": "plan_commitment", "start_date": _d(today, -170),
               "end_date": _d(today, 190), "monthly_commitment": "128.00", "penalty_rate": "0.30"},
              {"external_id": "K-3", "kind": "fixed_term", "start_date": _d(today, -320),
               "end_date": _d(today, 40), "monthly_commitment": "0.00", "fixed_penalty": "200.00",
               "waiver_reason": "terms_changed"},
          ],
          bills=[{"period": last, "amount_due": "128.00", "amount_paid": "0.00",
                  "due_date": _d(today, -8), "disputed": False}],
          devices=[
              {"serial": "ONT-123", "kind": "router", "ownership": "rented", "replacement_value": "300.00",
               "returned_on": None},
              {"serial": "860000000000001", "kind": "handset", "ownership": "installment",
               "installment_remaining": "800.00"},
          ],
          services=[{"code": "VIDEO-VIP", "name": "视频会员", "provider": "operator", "monthly_fee": "0.99",
                     "auto_renew": True, "renews_on": _d(today, 8), "status": "active"}]),
        a(2),
    ])
    # Family FAM-77 members of 张伟's plan.
    customer(1, [a(3, family={"group_code": "FAM-77", "role": "member"})])
    customer(2, [a(4, "HZ-001", family={"group_code": "FAM-77", "role": "member"}, loyalty_points=300)])
    # Clean lines: green results.
    for i, (n, store) in enumerate([(5, "SH-001"), (6, "BJ-001"), (7, "GZ-001"), (8, "CD-001")], start=3):
        customer(i, [a(n, store)], locale="en" if n == 6 else "zh-CN")
    # Blockers.
    customer(7, [a(9, "SH-001", status="cancelled")])
    customer(8, [a(10, "SH-001", holds=[HoldKind.LEGAL_HOLD])])
    customer(9, [a(11, "BJ-001", holds=[HoldKind.FRAUD_SUSPENSION]), a(12, "BJ-001", status="suspended")])
    customer(10, [a(13, "BJ-001", holds=[HoldKind.PORTING_IN_PROGRESS],
                    contracts=[{"external_id": "K-13", "kind": "plan_commitment", "start_date": _d(today, -100),
                                "end_date": _d(today, 265), "monthly_commitment": "88.00"}])])
    # Contracts of each kind.
    customer(11, [
        a(14, "GZ-001", contracts=[{"external_id": "K-14", "kind": "handset_subsidy", "start_date": _d(today, -400),
                                    "end_date": _d(today, 330), "monthly_commitment": "0.00",
                                    "subsidy_amount": "2400.00"}]),
        a(15, "GZ-001", contracts=[{"external_id": "K-15", "kind": "fixed_term", "start_date": _d(today, -200),
                                    "end_date": _d(today, 60), "monthly_commitment": "30.00",
                                    "fixed_penalty": "500.00"}]),
    ], segment="vip")
    customer(12, [a(16, "CD-001", contracts=[{"external_id": "K-16", "kind": "plan_commitment",
                                              "start_date": _d(today, -30), "end_date": _d(today, 700),
                                              "monthly_commitment": "199.00", "penalty_rate": "0.20"}])])
    # Balances.
    customer(13, [
        a(17, "SH-001", bills=[{"period": last, "amount_due": "58.00", "amount_paid": "20.00",
                                "due_date": _d(today, -10)},
                               {"period": month, "amount_due": "58.00", "amount_paid": "0.00",
                                "due_date": _d(today, 15)}], unbilled_amount="12.30"),
        a(18, "SH-001", prepaid_credit="45.60"),
    ], segment="senior")
    customer(14, [a(19, "BJ-001", bills=[{"period": last, "amount_due": "236.00", "amount_paid": "58.00",
                                          "due_date": _d(today, -12), "disputed": True}])])
    # Devices.
    customer(15, [
        a(20, "GZ-001", devices=[{"serial": "ONT-2020", "kind": "router", "ownership": "rented",
                                  "replacement_value": "300.00"},
                                 {"serial": "STB-2020", "kind": "set_top_box", "ownership": "rented",
                                  "replacement_value": "150.00", "returned_on": _d(today, -3)}]),
        a(21, "GZ-001", devices=[{"serial": "860000000000021", "kind": "handset", "ownership": "installment",
                                  "installment_remaining": "1299.00"},
                                 {"serial": "860000000000022", "kind": "handset", "ownership": "owned"}]),
    ])
    # Value-added services.
    customer(16, [a(22, "CD-001", services=[
        {"code": "CLOUD-50G", "name": "云盘 50G", "provider": "operator", "monthly_fee": "5.00",
         "auto_renew": True, "renews_on": _d(today, 20)},
        {"code": "MUSIC-TP", "name": "第三方音乐会员", "provider": "third_party", "monthly_fee": "15.00",
         "auto_renew": True, "renews_on": _d(today, 0)},
        {"code": "RINGTONE", "name": "彩铃", "provider": "operator", "monthly_fee": "3.00", "status": "cancelled"},
    ])])
    customer(17, [a(23, "HZ-001", services=[
        {"code": "GAME-TP", "name": "游戏加速包", "provider": "third_party", "monthly_fee": "9.90",
         "auto_renew": False},
    ], loyalty_points=5000)])
    # A second family: primary whose members have all left (no reassignment needed).
    customer(18, [a(24, "SH-001", family={"group_code": "FAM-88", "role": "primary"})])
    customer(19, [a(25, "SH-001", status="cancelled", family={"group_code": "FAM-88", "role": "member"})])
    # A third family with two members, primary in Beijing.
    customer(20, [a(26, "BJ-001", family={"group_code": "FAM-99", "role": "primary"},
                    contracts=[{"external_id": "K-26", "kind": "plan_commitment", "start_date": _d(today, -300),
                                "end_date": _d(today, 65), "monthly_commitment": "158.00"}]),
                  a(27, "BJ-001", family={"group_code": "FAM-99", "role": "member"})])
    customer(21, [a(28, "BJ-001", family={"group_code": "FAM-99", "role": "member"})])
    # Lines for walking a request end to end (clean apart from one to-do each).
    customer(22, [a(29, "HZ-001", unbilled_amount="18.00"),
                  a(30, "HZ-001", services=[{"code": "VIDEO-VIP", "name": "视频会员", "provider": "operator",
                                             "monthly_fee": "0.99", "auto_renew": True,
                                             "renews_on": _d(today, 30)}])])
    customer(23, [a(31, "CD-001", prepaid_credit="8.80", loyalty_points=80),
                  a(32, "CD-001", status="suspended")], locale="en")
    return {"stores": [dict(s) for s in STORES], "customers": customers}
