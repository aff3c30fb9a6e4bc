"""The README is the front door: short, inside the repository, and every page it and docs/ link to exists."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 200

# [text](target "title"), ![alt](target), [label]: target, <scheme:...>, href="..." / src="..."
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>")
HTML_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)


def split_fences(text: str) -> Tuple[str, List[str]]:
    """(the text outside fenced code blocks, the lines inside them)."""
    outside: List[str] = []
    inside: List[str] = []
    fence = ""
    for line in text.splitlines():
        match = FENCE_LINE.match(line)
        if not fence and match:
            fence = match.group(1)
        elif fence and match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                and not line.strip().strip(fence[0]):
            fence = ""
        elif fence:
            inside.append(line)
        else:
            outside.append(line)
    return "\n".join(outside), inside


def _prose(text: str) -> str:
    """The text without fenced code blocks and inline code, where brackets are not links."""
    return CODE_SPAN.sub("", split_fences(text)[0])


def links(path: Path) -> List[str]:
    """Every link target in a Markdown file, outside code."""
    prose = _prose(path.read_text(encoding="utf-8"))
    found: List[str] = []
    for pattern in (INLINE_LINK, REFERENCE_DEFINITION, AUTOLINK, HTML_LINK):
        found.extend(match.group(1) for match in pattern.finditer(prose))
    return found


def relative_links(path: Path) -> Iterator[Tuple[str, Path]]:
    """(link, the file it names) for every link without a scheme; a bare #anchor names the file itself."""
    for target in links(path):
        if SCHEME.match(target) or target.startswith("//"):
            continue
        file_part = target.split("#", 1)[0].split("?", 1)[0]
        yield target, (path if not file_part else (path.parent / file_part))


def markdown_pages() -> List[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def test_the_link_finder_sees_links_and_skips_code(tmp_path: Path) -> None:
    sample = tmp_path / "sample.md"
    sample.write_text(
        "See [a](docs/a.md#x), ![img](pic.png \"t\") and <https://example.org>.\n"
        "[ref]: ../outside.md\n"
        '<a href="http://example.org/x">x</a>\n'
        "Not a link: `[b](nowhere.md)` and\n```\n[c](nowhere-either.md)\n```\n",
        encoding="utf-8")
    assert links(sample) == ["docs/a.md#x", "pic.png", "../outside.md", "https://example.org",
                             "http://example.org/x"]


def test_the_readme_is_at_most_200_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines; move detail to docs/"


def test_the_readme_keeps_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    commands = [line.split("#")[0].strip() for line in split_fences(text)[1]]
    assert "make run" in commands and "make test" in commands, "the two commands belong in a code block"


def test_the_readme_has_no_web_links() -> None:
    text = README.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text, re.IGNORECASE), "README.md must not point outside the repository"
    external = [target for target in links(README) if SCHEME.match(target) or target.startswith("//")]
    assert not external, f"README.md links outside the repository: {external}"


def test_the_readme_links_stay_inside_the_repository() -> None:
    outside = []
    for target, file in relative_links(README):
        resolved = file.resolve()
        if target.startswith("/") or ".." in Path(target.split("#", 1)[0]).parts or \
                (resolved != ROOT and ROOT not in resolved.parents):
            outside.append(target)
    assert not outside, f"README.md links leave the repository: {outside}"


@pytest.mark.parametrize("page", markdown_pages(), ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_names_an_existing_file(page: Path) -> None:
    missing = [target for target, file in relative_links(page)
               if target.startswith("/") or not file.resolve().exists()]
    assert not missing, f"{page.relative_to(ROOT)} links to files that do not exist: {missing}"


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {file.resolve() for _, file in relative_links(README)}
    unlinked = [page.name for page in sorted(DOCS.glob("*.md")) if page.resolve() not in linked]
    assert not unlinked, f"docs pages the README does not link: {unlinked}"


@pytest.mark.parametrize("page", ["architecture", "operations", "telegram", "staff-console", "security",
                                  "data-model", "migrations", "decisions", "benchmarks"])
def test_the_pages_the_readme_sends_readers_to_exist(page: str) -> None:
    assert (DOCS / f"{page}.md").is_file()
