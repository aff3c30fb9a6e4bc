"""The audit log: who did what, written in its own small transaction."""
from __future__ import annotations

import logging

from actions import runtime
from actions.db.models import AuditLog

logger = logging.getLogger(__name__)


def record(actor: str, action: str, target: str = "", detail: str = "") -> None:
    """Append an audit entry; a failure is logged, never raised into the dialogue."""
    try:
        with runtime.sessions().begin() as session:
            session.add(AuditLog(actor=actor, action=action, target=target, detail=detail[:2000]))
    except Exception:
        logger.exception("could not write audit entry %s %s", actor, action)
