"""What actions share at run time: settings and the database, created on first use."""
from __future__ import annotations

import functools

from sqlalchemy.orm import sessionmaker

from actions.db.session import sessions_for
from bot.kernel.settings import Settings, load_settings


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()


def sessions() -> sessionmaker:
    return sessions_for(settings().database_url)


def reset() -> None:
    """Forget cached settings (tests change the environment between cases)."""
    settings.cache_clear()
