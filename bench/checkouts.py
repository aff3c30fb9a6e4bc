"""The servers of another checkout (or git ref), for benchmarks that compare two versions in one run.

`CheckoutStack(source)` starts, in a child process running inside that checkout, the real action
server and Rasa server on a throwaway copy of the demo district (that checkout's own
`bot.ops.launcher.start_demo_stack`, model trained there if it has none), and tells this process
their URL, database and process ids. A `source` that is not a directory is a git ref of this
repository: it is checked out into a temporary worktree (removed afterwards). The checkout runs with
this interpreter unless it has its own `.venv`.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Optional

REPO = Path(__file__).resolve().parent.parent

# Runs inside the other checkout: only APIs every version since the concurrency benchmark has.
_CHILD = r"""
import json, sys, tempfile
from pathlib import Path
from bot.ops.launcher import start_demo_stack
workdir = Path(tempfile.mkdtemp(prefix="xn-compare-"))
stack, startup = start_demo_stack(workdir, sys.argv[1], sys.argv[2] or None)
print(json.dumps({"rasa_url": stack.rasa_url, "database_url": stack.settings.database_url,
                  "pids": [p.pid for p in stack.processes], "logs": [str(l) for l in stack.logs],
                  "startup_s": startup}), flush=True)
try:
    sys.stdin.read()
finally:
    stack.stop()
"""


def resolve(source: str) -> tuple:
    """(checkout directory, temporary worktree to remove or None, label)."""
    path = Path(source).expanduser()
    if path.is_dir():
        return path.resolve(), None, source
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", source], check=True,
                            capture_output=True, text=True).stdout.strip()
    worktree = Path(tempfile.mkdtemp(prefix=f"xn-ref-{commit}-"))
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(worktree), source], check=True,
                   capture_output=True)
    return worktree, worktree, f"{source} ({commit})"


class CheckoutStack:
    """The servers of one checkout, running until `stop()`."""

    def __init__(self, source: str, secret: str, fixed_now: Optional[str] = None,
                 environment: Optional[dict] = None) -> None:
        self.root, self._worktree, self.label = resolve(source)
        commit = subprocess.run(["git", "-C", str(self.root), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        self.commit = commit or "?"
        python = self.root / ".venv" / "bin" / "python"
        executable = str(python) if python.exists() else sys.executable
        self._process = subprocess.Popen([executable, "-c", _CHILD, secret, fixed_now or ""], cwd=self.root,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                         env={**os.environ, **(environment or {})})
        line = self._process.stdout.readline() if self._process.stdout else ""
        if not line:
            self.stop()
            raise RuntimeError(f"the servers of {source} did not start")
        info = json.loads(line)
        self.rasa_url: str = info["rasa_url"]
        self.database_url: str = info["database_url"]
        self.pids: List[int] = info["pids"]
        self.logs: List[Path] = [Path(log) for log in info["logs"]]
        self.startup_s: float = info["startup_s"]

    def stop(self) -> None:
        if self._process.poll() is None and self._process.stdin:
            self._process.stdin.close()
            try:
                self._process.wait(60)
            except subprocess.TimeoutExpired:
                self._process.kill()
        if self._worktree is not None:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(self._worktree)],
                           capture_output=True)
            shutil.rmtree(self._worktree, ignore_errors=True)

    def __enter__(self) -> "CheckoutStack":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
