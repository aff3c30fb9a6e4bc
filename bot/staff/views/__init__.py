"""The console's pages, one module per group; each adds its routes with `register(console)`."""
from __future__ import annotations

from bot.staff.views import (
    account,
    admin,
    alerts,
    checkin,
    community,
    conversations,
    devices,
    numbers,
    reminders,
    residents,
    today,
    understood,
)

# In this order: the account pages first (log-in, log-out), then the desk and the rest.
PAGES = (account, alerts, today, conversations, understood, residents, devices, checkin, reminders, community,
         numbers, admin)


def register_all(console) -> None:  # type: ignore[no-untyped-def]
    for page in PAGES:
        page.register(console)
