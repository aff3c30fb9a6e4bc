"""Installing the speech model from an address (a local server stands in for the official one)."""
import hashlib
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from voice.model_setup import ModelSetupError, install_model
from voice.recognizer import is_model_dir


def _archive(with_model: bool = True) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zipped:
        parts = ("am/final.mdl", "conf/model.conf", "graph/HCLr.fst") if with_model else ("README",)
        for part in parts:
            zipped.writestr(f"vosk-model-small-cn-0.22/{part}", b"model bytes")
    return data.getvalue()


@pytest.fixture()
def server():
    served = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            body = served.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield served, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_verified_archive_is_installed_once(server, tmp_path) -> None:
    served, base = server
    served["/model.zip"] = _archive()
    target = tmp_path / "models" / "vosk-model-small-cn-0.22"
    digest = hashlib.sha256(served["/model.zip"]).hexdigest()
    assert install_model(target, digest, base + "/model.zip") == target and is_model_dir(target)
    served.clear()  # already there: nothing is fetched again
    assert install_model(target, digest, base + "/model.zip") == target


def test_a_wrong_checksum_installs_nothing(server, tmp_path) -> None:
    served, base = server
    served["/model.zip"] = _archive()
    target = tmp_path / "model"
    with pytest.raises(ModelSetupError, match="refused, nothing installed"):
        install_model(target, "0" * 64, base + "/model.zip")
    assert not target.exists()


def test_no_checksum_no_install(tmp_path) -> None:
    with pytest.raises(ModelSetupError, match="XIAONUAN_VOSK_MODEL_SHA256"):
        install_model(tmp_path / "model", "")


def test_unreachable_address_says_text_mode(tmp_path) -> None:
    with pytest.raises(ModelSetupError, match="text mode"):
        install_model(tmp_path / "model", "a" * 64, "http://127.0.0.1:9/model.zip", timeout_s=2)


def test_an_archive_without_a_model_is_refused(server, tmp_path) -> None:
    served, base = server
    served["/empty.zip"] = _archive(with_model=False)
    with pytest.raises(ModelSetupError, match="does not contain a Vosk model"):
        install_model(tmp_path / "model", hashlib.sha256(served["/empty.zip"]).hexdigest(), base + "/empty.zip")


def test_the_official_archive_is_checked_by_default() -> None:
    from bot.kernel.settings import load_settings
    from voice.model_setup import OFFICIAL_BYTES

    settings = load_settings({})
    assert settings.vosk_model_sha256 == "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba"
    assert OFFICIAL_BYTES == 43_898_754
    assert load_settings({"XIAONUAN_VOSK_MODEL_SHA256": "AB" * 32}).vosk_model_sha256 == "ab" * 32
