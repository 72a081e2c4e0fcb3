"""SQLAlchemy 2 models of cancelsvc.

This package owns the ``db`` object and imports nothing from the service, so the
data layer can be used (and tested) on its own.
"""

from models.base import Base, db
from models.customer import Customer, FamilyGroup, Store
from models.account import Account
from models.holdings import Bill, Contract, Device, ValueAddedService
from models.auth import ApiKey, StaffUser

__all__ = [
    "Account",
    "ApiKey",
    "Base",
    "Bill",
    "Contract",
    "Customer",
    "Device",
    "FamilyGroup",
    "StaffUser",
    "Store",
    "ValueAddedService",
    "db",
]
