"""What the ingest walk reads and refuses (issue 12, items 16 and 17).

Non-regular files are skipped with a reason, links out of the folder are refused unless
asked for, loops end, an unreadable folder never costs the index its documents, and a
file name that is not valid UTF-8 is ingested under a safe display name.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from cristal.governance import get_tenant
from cristal.knowledge import get_collection, ingest_paths, search

pytestmark = pytest.mark.timeout(120)  # a FIFO or /dev/zero used to block ingest for ever


@pytest.fixture
def app(tmp_path):
    from cristal.app import App
    from cristal.config import load_settings

    app = App(load_settings(data_dir=str(tmp_path / "data")))
    yield app
    app.close()


def _ingest(app, docs: Path, **options):
    return ingest_paths(app.store, get_tenant(app.store, "default"), "kb", [docs], **options)


def _by_path(report) -> dict[str, tuple[str, str | None]]:
    return {f.path: (f.status, f.reason) for f in report.files}


def _find(app, words: str) -> list[str]:
    collection = get_collection(app.store, get_tenant(app.store, "default"), "kb")
    return [p.doc for p in search(app.store, None, collection, words, mode="lexical")]


def _docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "policy.md").write_text("# Policy\n\nThe hotel limit is 180 dollars a night.\n")
    return docs


def test_fifo_socket_and_device_links_are_skipped_with_a_reason(app, tmp_path):
    docs = _docs(tmp_path)
    os.mkfifo(docs / "pipe.txt")
    (docs / "zero.txt").symlink_to("/dev/zero")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(docs / "sock.md"))
    try:
        report = _ingest(app, docs)
        again = _ingest(app, docs, follow_outside=True)
    finally:
        server.close()
    found = _by_path(report)
    assert found["policy.md"][0] == "added"
    assert found["pipe.txt"][0] == "skipped" and "FIFO" in found["pipe.txt"][1]
    assert found["sock.md"][0] == "skipped" and "socket" in found["sock.md"][1]
    assert found["zero.txt"][0] == "skipped" and "--follow-outside" in found["zero.txt"][1]
    # Even when links may leave the folder, a device is never read.
    zero = _by_path(again)["zero.txt"]
    assert zero[0] == "skipped" and "character device" in zero[1]
    assert report.to_dict()["skipped"] == 3


def test_links_out_of_the_folder_are_refused_unless_asked(app, tmp_path):
    docs = _docs(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "more").mkdir(parents=True)
    (elsewhere / "secret.txt").write_text("The vault code is zanzibar.\n")
    (elsewhere / "more" / "notes.md").write_text("# Notes\n\nThe launch word is quetzal.\n")
    (docs / "link.txt").symlink_to(elsewhere / "secret.txt")
    (docs / "outside").symlink_to(elsewhere / "more", target_is_directory=True)

    report = _by_path(_ingest(app, docs))
    for name in ("link.txt", "outside"):
        status, reason = report[name]
        assert status == "skipped" and "outside" in reason and "--follow-outside" in reason
    assert _find(app, "zanzibar") == [] and _find(app, "quetzal") == []

    allowed = _by_path(_ingest(app, docs, follow_outside=True))
    assert allowed["link.txt"][0] == "added" and allowed["outside/notes.md"][0] == "added"
    assert _find(app, "zanzibar") == ["link.txt"]
    # Without the option again, what the links point to leaves the index.
    again = _ingest(app, docs)
    assert {f.status for f in again.files if f.path == "link.txt"} == {"skipped", "removed"}
    assert _find(app, "zanzibar") == []


def test_symlink_loops_end_and_are_reported(app, tmp_path):
    docs = _docs(tmp_path)
    (docs / "self.txt").symlink_to(docs / "self.txt")
    (docs / "up").symlink_to(docs, target_is_directory=True)
    outer = tmp_path / "outer" / "inner"
    outer.mkdir(parents=True)
    (outer / "page.md").write_text("# Page\n\nOuter text about ferrets.\n")
    (outer / "back").symlink_to(outer.parent, target_is_directory=True)
    (docs / "out").symlink_to(outer.parent, target_is_directory=True)

    report = _by_path(_ingest(app, docs, follow_outside=True))
    assert report["self.txt"][0] == "skipped" and "loop" in report["self.txt"][1]
    assert report["up/"][0] == "skipped" and "inside the ingested folder" in report["up/"][1]
    assert report["out/inner/back/"][0] == "skipped" and "loop" in report["out/inner/back/"][1]
    assert report["out/inner/page.md"][0] == "added"
    assert report["policy.md"][0] == "added"


def test_a_file_reached_twice_is_indexed_once_under_its_own_name(app, tmp_path):
    docs = _docs(tmp_path)
    (docs / "a-link.md").symlink_to(docs / "policy.md")
    os.link(docs / "policy.md", docs / "z-hard.md")
    report = _by_path(_ingest(app, docs))
    assert report["policy.md"][0] == "added"
    assert report["a-link.md"] == ("skipped", "the same file as policy.md: indexed once")
    assert report["z-hard.md"][0] == "skipped"
    assert _find(app, "hotel limit") == ["policy.md"]


_AS_UNPRIVILEGED = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: root reads everything
    libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP; harmless when not root
os.execv(sys.executable, [sys.executable, "-c", sys.argv[1], *sys.argv[2:]])
"""

_INGEST = """
import json, sys
from pathlib import Path
from cristal.app import App
from cristal.config import load_settings
from cristal.governance import get_tenant
from cristal.knowledge import ingest_paths
app = App(load_settings(data_dir=sys.argv[1]))
report = ingest_paths(app.store, get_tenant(app.store, "default"), "kb", [Path(sys.argv[2])])
print(json.dumps(report.to_dict()))
app.close()
"""


def _ingest_unprivileged(data: Path, docs: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _AS_UNPRIVILEGED, _INGEST, str(data), str(docs)],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_unreadable_folder_or_file_never_removes_indexed_documents(app, tmp_path):
    docs = _docs(tmp_path)
    (docs / "private").mkdir()
    (docs / "private" / "pay.md").write_text("# Pay\n\nSalaries are paid on the 25th.\n")
    (docs / "locked.md").write_text("# Locked\n\nThe archive room is on floor 3.\n")
    first = _by_path(_ingest(app, docs))
    assert first["private/pay.md"][0] == "added" and first["locked.md"][0] == "added"
    app.close()
    (docs / "private").chmod(0)
    (docs / "locked.md").chmod(0)
    try:
        summary = _ingest_unprivileged(tmp_path / "data", docs)
    finally:
        (docs / "private").chmod(0o755)
        (docs / "locked.md").chmod(0o644)
    assert summary["removed"] == 0
    assert summary["unreadable"] == ["private/"]
    rows = {f["path"]: f for f in summary["files"]}
    assert rows["private/"]["status"] == "failed" and "kept" in rows["private/"]["reason"]
    assert rows["locked.md"]["status"] == "failed"
    assert "previously indexed version is kept" in rows["locked.md"]["reason"]
    assert _find(app, "salaries paid") == ["private/pay.md"]
    assert _find(app, "archive room") == ["locked.md"]


def test_a_file_name_that_is_not_utf8_is_ingested_under_a_safe_name(app, tmp_path):
    docs = _docs(tmp_path)
    raw = os.path.join(os.fsencode(docs), b"caf\xe9-menu.md")
    with open(raw, "wb") as handle:
        handle.write(b"# Menu\n\nEspresso costs two euros.\n")
    report = _by_path(_ingest(app, docs))
    assert report["caf\\xe9-menu.md"][0] == "added"
    assert _find(app, "espresso euros") == ["caf\\xe9-menu.md"]
    assert _by_path(_ingest(app, docs))["caf\\xe9-menu.md"][0] == "unchanged"
    os.remove(raw)
    assert _by_path(_ingest(app, docs))["caf\\xe9-menu.md"][0] == "removed"


def test_cli_ingest_reports_skips_and_takes_follow_outside(tmp_path):
    docs = _docs(tmp_path)
    (tmp_path / "secret.txt").write_text("Hidden text about walruses.\n")
    (docs / "link.txt").symlink_to(tmp_path / "secret.txt")
    with open(os.path.join(os.fsencode(docs), b"\xff\xfe.md"), "wb") as handle:
        handle.write(b"# Odd name\n\nStill readable.\n")

    def run(*extra: str) -> dict:
        out = subprocess.run(
            [sys.executable, "-m", "cristal", "ingest", str(docs), "--no-embed", "--json",
             *extra],
            capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "CRISTAL_DATA_DIR": str(tmp_path / "data")},
        )
        assert out.returncode == 0, out.stderr[-2000:]
        return json.loads(out.stdout.strip().splitlines()[-1])

    first = {f["path"]: f for f in run()["files"]}
    assert first["link.txt"]["status"] == "skipped"
    assert first["\\xff\\xfe.md"]["status"] == "added"
    second = {f["path"]: f for f in run("--follow-outside")["files"]}
    assert second["link.txt"]["status"] == "added"


def test_parse_file_refuses_a_fifo_instead_of_blocking(tmp_path):
    from cristal.knowledge import ParseFailed, parse_file

    os.mkfifo(tmp_path / "pipe.md")
    with pytest.raises(ParseFailed, match="FIFO"):
        parse_file(tmp_path / "pipe.md")
