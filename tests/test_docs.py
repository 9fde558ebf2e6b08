"""The docs stay true: the placeholder table is the generated one, the README stays short, and links lead somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ofsted_tracker.report_builder import placeholder_table
from ofsted_tracker.report_builder.context import PLACEHOLDERS, known_fields

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
TEMPLATE_PAGE = ROOT / "docs" / "report-template.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
README_LIMIT = (
    12_000  # bytes (issue 18: what it is, for whom, the two commands, one screen per audience)
)

FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$", re.M)


def prose(text: str) -> str:
    """The Markdown without code blocks and code spans, where a bracket is not a link."""
    return CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text, lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(
        r"\[([^\]]*)\]\([^)]*\)", r"\1", heading
    )  # a link in a heading anchors by its text
    text = re.sub(r"[^\w\- ]", "", text.replace("`", "").lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for _, heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(heading)
        found.add(base if base not in seen else f"{base}-{seen[base]}")
        seen[base] = seen.get(base, 0) + 1
    return found


def test_the_placeholder_table_is_the_generated_one():
    problems = placeholder_table.problems(TEMPLATE_PAGE.read_text(encoding="utf-8"))
    assert not problems, (
        "docs/report-template.md's placeholder table is not the one PLACEHOLDERS gives ("
        + "; ".join(problems)
        + "): run `make docs` and commit the result"
    )


@pytest.mark.parametrize("change", ["added", "removed", "reworded"])
def test_the_table_check_fails_when_placeholders_change(change):
    """The check above can fail: against a changed PLACEHOLDERS, today's page is named stale, and why."""
    text = TEMPLATE_PAGE.read_text(encoding="utf-8")
    changed = dict(PLACEHOLDERS)
    first = next(iter(changed))
    if change == "added":
        changed["new_placeholder"] = "A placeholder the page does not list yet"
        expected = "placeholder 'new_placeholder' is not in the table"
    elif change == "removed":
        del changed[first]
        expected = f"the table lists '{first}', which is not a placeholder"
    else:
        changed[first] += " (reworded)"
        expected = "differs"
    problems = placeholder_table.problems(text, changed)
    assert problems and any(expected in p for p in problems), problems
    assert not placeholder_table.problems(placeholder_table.rewritten(text, changed), changed)


def test_the_generated_table_lists_every_placeholder_once():
    rows = [line for line in placeholder_table.table().splitlines()[2:]]
    assert [row.split("`")[1] for row in rows] == list(PLACEHOLDERS)
    assert all(
        row.startswith("| `") and row.endswith(" |") and row.count(" | ") == 1 for row in rows
    )
    assert placeholder_table.table({"a": "x | y"}).splitlines()[-1] == "| `a` | x \\| y |"


def test_main_rewrites_only_the_marked_block(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text(
        f"# Before\n\n{placeholder_table.START}\nstale\n{placeholder_table.END}\n\nAfter\n",
        encoding="utf-8",
    )
    assert placeholder_table.main([str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert text == f"# Before\n\n{placeholder_table.block()}\n\nAfter\n"
    assert placeholder_table.main([str(page)]) == 0 and page.read_text(encoding="utf-8") == text
    page.write_text("no markers here", encoding="utf-8")
    assert placeholder_table.main([str(page)]) == 2
    assert "placeholders:start" in capsys.readouterr().err


def test_every_field_is_named_on_the_template_page():
    text = TEMPLATE_PAGE.read_text(encoding="utf-8")
    missing = sorted(name for name in known_fields() if f"`{name}`" not in text)
    assert not missing, f"fields not described in docs/report-template.md: {missing}"


def test_the_readme_is_short():
    size = README.stat().st_size
    assert size <= README_LIMIT, (
        f"README.md is {size:,} bytes, over {README_LIMIT:,}: move detail into docs/"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_a_file(page):
    broken = []
    for target in LINK.findall(prose(page.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto: ...
            continue
        name, _, anchor = target.partition("#")
        linked = (page.parent / name).resolve() if name else page
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no such heading in {linked.name}")
    assert not broken, f"{page.name}: " + "; ".join(broken)


DEPLOY_PATH = re.compile(r"(?<![\w/.])((?:deploy/|addin/server/static/images/)[\w./{},-]*[\w}])")


def test_every_deployment_file_the_it_page_names_exists():
    """Each ``deploy/...`` file docs/it.md names (in prose, code or a link) is in the repository, and so are the
    container's files; ``{16,32}`` in a name stands for each of its values."""
    text = (ROOT / "docs" / "it.md").read_text(encoding="utf-8")
    named = set(DEPLOY_PATH.findall(text)) | {"Dockerfile", "compose.yaml", ".dockerignore"}
    assert {"deploy/ofsted-tracker.service", "deploy/nginx.conf", "deploy/Caddyfile"} <= named
    missing = []
    for name in sorted(named):
        head, _, rest = name.partition("{")
        values, _, tail = rest.partition("}")
        for value in values.split(",") if rest else [""]:
            if not (ROOT / f"{head}{value}{tail}").exists():
                missing.append(f"{head}{value}{tail}")
    assert not missing, f"docs/it.md names files that do not exist: {missing}"
