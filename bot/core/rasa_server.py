"""`python -m bot.core.rasa_server run …`: Rasa's own command line, started the fast way.

* `skops.io` (which Rasa's logistic-regression classifier loads the model with) is imported
  first: imported after TensorFlow it walks every loaded module (about 6,000), half of the
  server's cold start (issue 20).
* Jieba's dictionary is loaded on a thread while Rasa imports and loads the model, instead of on
  the first person's first turn (0.5 s).
* Our Rasa compatibility patches (`bot/core/rasa_compat.py`) are applied before Rasa starts.

Everything else is `rasa` exactly as `python -m rasa` runs it, with the same arguments.
"""
from __future__ import annotations

import logging
import sys
import threading
from typing import List, Optional

logger = logging.getLogger(__name__)


def warm_jieba() -> None:
    """Load Jieba's default dictionary (Rasa's JiebaTokenizer uses it), logging instead of failing."""
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
    except Exception:  # the first turn loads it then; never stop the server for this
        logger.exception("could not load Jieba's dictionary ahead of the first turn")


def main(argv: Optional[List[str]] = None) -> None:
    import skops.io  # noqa: F401  before TensorFlow (see above)

    jieba_thread = threading.Thread(target=warm_jieba, name="warm-jieba", daemon=True)
    jieba_thread.start()
    from bot.core import rasa_compat

    rasa_compat.apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
