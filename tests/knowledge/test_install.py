"""A fresh `pip install -e .` parses every format we claim (issue 12, item 1).

HTML extraction once failed on a new machine because `lxml.html.clean` (imported by
jusText under trafilatura) lives in `lxml_html_clean`, which only arrived through an
extra that another package asked for. The rule checked here: every distribution
imported while parsing a file of each supported format is one we declare, or one that
something we declare requires unconditionally (no extras, markers evaluated here).
"""

from __future__ import annotations

import importlib.metadata as md
import json
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from cristal.knowledge import parse_file, supported_suffixes

ROOT = Path(__file__).resolve().parents[2]


def test_example_html_page_parses_through_the_real_parser() -> None:
    page = ROOT / "examples" / "docs" / "hr" / "employee-help-center.html"
    doc = parse_file(page)  # raises ParseFailed with lxml's message when lxml_html_clean is absent
    assert doc.format == "html"
    assert len(doc.text) > 500
    assert any(b.kind == "heading" for b in doc.blocks)


def _samples(folder: Path, office: dict[str, bytes]) -> list[Path]:
    content = {
        **office,
        ".html": (ROOT / "examples/docs/hr/employee-help-center.html").read_bytes(),
        ".eml": b"Subject: hi\r\nContent-Type: text/html\r\n\r\n<p>hello <b>world</b></p>\r\n",
        ".csv": b"a,b\n1,2\n",
        ".md": b"# Title\n\nSome text.\n",
    }
    files = []
    for suffix in supported_suffixes():
        path = folder / f"sample{suffix}"
        path.write_bytes(content.get(suffix, "plain text, 日本語も。\n".encode()))
        files.append(path)
    return files


_PROBE = """
import importlib.abc, json, sys
blocked = set(json.loads(sys.argv[1]))

class Fresh(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (not in a fresh install)")
        return None

sys.meta_path.insert(0, Fresh())
from cristal.knowledge import parse_file
failed = {}
for path in sys.argv[2:]:
    try:
        parse_file(path)
    except Exception as exc:
        failed[path] = str(exc)
print(json.dumps(failed))
"""


def _closure() -> set[str]:
    """Distributions a fresh install is guaranteed to have: ours and their plain requirements."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    todo = [Requirement(r) for r in project["dependencies"]]
    seen: set[str] = set()
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name in seen:
            continue
        seen.add(name)
        wanted = {canonicalize_name(e) for e in req.extras}
        for line in md.requires(req.name) or []:
            sub = Requirement(line)
            if sub.marker is None or sub.marker.evaluate({"extra": ""}):
                todo.append(sub)
            elif any(sub.marker.evaluate({"extra": e}) for e in wanted):
                todo.append(Requirement(str(sub).split(";")[0]))  # an extra we ask for
    return seen


def test_every_format_parses_with_declared_dependencies_only(
    tmp_path: Path, office_samples: dict[str, bytes]
) -> None:
    """Parse a sample of each format with every distribution outside the closure hidden."""
    allowed = _closure() | {"cristal"}
    blocked = sorted(
        module
        for module, dists in md.packages_distributions().items()
        if not any(canonicalize_name(d) in allowed for d in dists)
    )
    files = _samples(tmp_path, office_samples)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(blocked), *map(str, files)],
        capture_output=True, text=True, check=False, timeout=240,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    failed = json.loads(out.stdout.strip().splitlines()[-1])
    assert not failed, (
        f"with only the declared dependencies installed, parsing fails: {failed}; add what is "
        "missing to [project].dependencies in pyproject.toml"
    )
