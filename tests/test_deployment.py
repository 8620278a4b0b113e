"""How the portal is shipped and served: the image, its pinned inputs, and gunicorn's logs."""

from __future__ import annotations

import re
import socket
import tomllib
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
ADDRESS = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


def _name(requirement: str) -> str:
    return re.split(r"[\s~=<>!;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


@pytest.mark.policy("9 나")
def test_the_image_runs_gunicorn_as_non_root_with_a_health_check():
    user = re.findall(r"^USER (\S+)", DOCKERFILE, re.M)
    assert user and user[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", DOCKERFILE, re.M)
    assert "collectstatic" in DOCKERFILE and "compilemessages" in DOCKERFILE
    assert "gunicorn nexcore_support.wsgi --config gunicorn.conf.py" in DOCKERFILE


@pytest.mark.policy("9 나")
def test_the_base_image_is_pinned_by_digest():
    assert re.search(r"^FROM python:3\.1[1-9]-slim@sha256:[0-9a-f]{64}$", DOCKERFILE, re.M)


@pytest.mark.policy("9 나")
def test_the_image_installs_only_hashed_locked_packages():
    assert "pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock" in (
        DOCKERFILE
    )
    assert not re.search(r"pip install(?!.*-r requirements\.lock)", DOCKERFILE)
    lock = (ROOT / "requirements.lock").read_text()
    pins = re.findall(r"^([A-Za-z0-9_.\-]+)==\S+", lock, re.M)
    assert pins and len(pins) == len(re.findall(r"^\S", lock, re.M))
    blocks = re.split(r"\n(?=\S)", lock.strip())
    assert all("--hash=sha256:" in block for block in blocks)
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert {_name(requirement) for requirement in declared} <= {_name(pin) for pin in pins}


@pytest.mark.parametrize(
    "kept_out", [".git", ".venv", "var", "*.sqlite3", "secret_key", "staticfiles", "tests"]
)
@pytest.mark.policy("9 나")
def test_local_secrets_data_and_history_stay_out_of_the_image(kept_out):
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert kept_out in ignored


@pytest.mark.infra
def test_the_image_copies_every_app():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert "COPY . ." in DOCKERFILE
    ours = [config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT]
    assert {"accounts", "privacy", "staff", "support", "selfservice", "retention"} <= set(ours)
    for app in ("nexcore_support", "core", *ours):
        assert app not in ignored and (ROOT / app).is_dir()
    for needed in ("manage.py", "gunicorn.conf.py", "templates", "static", "locale"):
        assert needed not in ignored


@pytest.mark.policy("9 나")
def test_an_oversized_request_is_logged_without_any_address(portal):
    with socket.create_connection(("127.0.0.1", int(portal.url.rsplit(":", 1)[1]))) as client:
        client.sendall(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = client.recv(1024)
    assert answer.startswith(b"HTTP/1.1 414")
    portal.visitor(address="198.51.100.99").get("/")
    log = portal.log()
    assert "Invalid request from ip=[address]" in log
    assert ADDRESS.findall(log) == [], log
