"""The life-cycle commands' shared pieces: a file-name stamp in local time, and their audit entries."""
from __future__ import annotations

import sys

from bot.kernel.settings import Settings


def stamp(settings: Settings) -> str:
    from bot.kernel.clock import local_now

    return local_now(settings).strftime("%Y%m%d-%H%M%S")


def audit(settings: Settings, command: str, actor: str, detail: str) -> None:
    """The audit entry of a backup or restore; the copy is made either way, so a failure is only reported."""
    from sqlalchemy.exc import SQLAlchemyError

    from actions.db.models import AuditLog
    from actions.db.schema import SchemaMismatch
    from actions.db.session import sessions_for

    try:
        with sessions_for(settings.database_url).begin() as session:
            session.add(AuditLog(actor=actor, action=command, target="database", detail=detail[:2000]))
    except (SchemaMismatch, SQLAlchemyError) as exc:
        print(f"[{command}] the audit entry could not be written: {exc}", file=sys.stderr)
