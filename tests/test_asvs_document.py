"""docs/asvs.md gives every requirement of the security checklist one row, with a status, and
what it names as proof still exists: a test by its name anywhere under tests/ (moving a test to
another file does not break the document, though it is reported), a file, a name in a file of
code, a section of a document. The counts at its top are the counts of its rows."""

import re
import warnings
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "asvs.md"
# The checklist is shared by the project's working copies and lives beside the repository.
CHECKLIST = ROOT.parent / "shared" / "SECURITY-CHECKLIST.md"

STATUSES = ("proved", "built, unproved", "missing", "n/a")
CODE_ROOTS = ("api", "casework", "console", "docker", "docs", "permissions", "scripts", "tests")

ROW = re.compile(r"^\|\s*(V\d+\.\d+\.\d+)\s*\|")
SPAN = re.compile(r"`([^`]+)`")
TEST_REF = re.compile(r"^(tests/[\w/]+\.py)::(test_\w+)$")
SECTION_REF = re.compile(r"^([\w./-]+\.(?:md|yaml|yml))#(.+)$")
NAME_REF = re.compile(r"^([\w./-]+\.\w+)::(\w+)$")
PATH_REF = re.compile(
    r"^(?:(?:" + "|".join(CODE_ROOTS) + r")/[\w./-]*|[\w-]+\.(?:lock|md|py|toml))$"
)
# An id or a range of ids joined by an en dash or a hyphen ("V3.3.2-V3.3.4", "1.2.6-1.2.8"), with
# the level after it where the checklist gives one ("(2)", "(3†)").
DASHES = "\u2013-"
IDS = re.compile(
    rf"(?<![\w.])V?(\d+)\.(\d+)\.(\d+)(?:\s*[{DASHES}]\s*V?(\d+)\.(\d+)\.(\d+))?(?:\s*\((\d†?)\))?"
)


class Row:
    def __init__(self, line_number: int, cells: list[str]) -> None:
        self.line_number = line_number
        self.id, self.level, self.requirement, self.status, self.proof = cells

    @property
    def chapter(self) -> str:
        return self.id.split(".")[0]

    @property
    def references(self) -> list[str]:
        return SPAN.findall(self.proof)

    def __str__(self) -> str:
        return f"docs/asvs.md:{self.line_number} {self.id}"


@cache
def rows() -> list[Row]:
    found = []
    for number, line in enumerate(DOCUMENT.read_text().splitlines(), start=1):
        if ROW.match(line):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            assert len(cells) == 5, f"docs/asvs.md:{number}: {len(cells)} cells, not 5"
            found.append(Row(number, cells))
    assert found, "no rows found in docs/asvs.md"
    return found


def summary() -> dict[str, dict[str, int]]:
    """The summary table: chapter (or "all") -> status -> count, and "rows" -> count."""
    text = DOCUMENT.read_text()
    section = text.split("\n## Summary\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == ["chapter", *STATUSES, "rows"], header
    table = {}
    for line in lines[2:]:
        chapter, *counts = [cell.strip() for cell in line.strip("|").split("|")]
        table[chapter] = {name: int(n) for name, n in zip(header[1:], counts, strict=True)}
    return table


def expand(match: re.Match) -> list[str]:
    chapter, section, first, *end, _level = match.groups()
    if end[0] is None:
        return [f"V{chapter}.{section}.{first}"]
    assert (end[0], end[1]) == (chapter, section), f"a range across sections: {match[0]}"
    return [f"V{chapter}.{section}.{n}" for n in range(int(first), int(end[2]) + 1)]


@cache
def checklist() -> dict[str, str | None]:
    """Every requirement the checklist names (in its tables, its N/A lines and its closing
    paragraph), with its level where the checklist gives one."""
    if not CHECKLIST.exists():
        pytest.skip(f"the security checklist is not at {CHECKLIST}")
    text = CHECKLIST.read_text()
    levels: dict[str, str | None] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(r"V\d+\.\d+\.\d+", cells[0]):
            levels[cells[0]] = cells[1]
    outside = text.split("## Outside the focus chapters", 1)[1]
    named = [line for line in text.splitlines() if "**N/A:**" in line] + [outside]
    for passage in named:
        for match in IDS.finditer(passage):
            for requirement in expand(match):
                if levels.get(requirement) is None:
                    levels[requirement] = match[7]
    return levels


@cache
def sources_of_tests() -> dict[str, str]:
    return {
        path.relative_to(ROOT).as_posix(): path.read_text()
        for path in sorted((ROOT / "tests").rglob("*.py"))
    }


def where_defined(name: str) -> list[str]:
    definition = re.compile(rf"^\s*(?:async\s+)?def\s+{name}\s*\(", re.MULTILINE)
    return [path for path, text in sources_of_tests().items() if definition.search(text)]


def heading_exists(path: Path, heading: str) -> bool:
    wanted = re.compile(rf"^#{{1,6}}\s+{re.escape(heading)}\s*$", re.MULTILINE)
    return bool(wanted.search(path.read_text()))


# --- one row per requirement -----------------------------------------------------------------


def test_every_requirement_of_the_checklist_has_a_row_and_nothing_else_does():
    listed = {row.id for row in rows()}
    wanted = set(checklist())
    assert sorted(wanted - listed) == [], "requirements of the checklist with no row"
    assert sorted(listed - wanted) == [], "rows for requirements the checklist does not name"


def test_no_requirement_has_two_rows():
    twice = [requirement for requirement, n in Counter(r.id for r in rows()).items() if n > 1]
    assert twice == []


def test_each_row_gives_the_level_the_checklist_gives():
    levels = checklist()
    wrong = [
        f"{row}: level {row.level}, the checklist says {levels[row.id]}"
        for row in rows()
        if levels.get(row.id) is not None and row.level != levels[row.id]
    ]
    assert wrong == []


# --- statuses and their proofs -------------------------------------------------------------


def test_every_status_is_one_of_the_four():
    wrong = [f"{row}: {row.status!r}" for row in rows() if row.status not in STATUSES]
    assert wrong == []


def test_each_status_names_what_it_needs():
    """A proved row names a test (a scan is the test that runs it) or a document's section; a
    built but unproved one names the code that does it; the others say why."""
    problems = []
    for row in rows():
        references = row.references
        if row.status == "proved":
            if not any(TEST_REF.match(r) or SECTION_REF.match(r) for r in references):
                problems.append(f"{row}: proved, but names no test and no document section")
        elif row.status == "built, unproved":
            code = [
                r
                for r in references
                if (NAME_REF.match(r) or PATH_REF.match(r)) and not r.startswith("tests/")
            ]
            if not code:
                problems.append(f"{row}: built, but does not say where the code is")
        elif len(row.proof.split()) < 2:
            problems.append(f"{row}: {row.status}, but does not say why")
        if len(row.requirement) < 10:
            problems.append(f"{row}: no requirement written")
    assert problems == []


def test_every_test_named_still_exists():
    missing, moved = [], []
    for row in rows():
        for reference in row.references:
            match = TEST_REF.match(reference)
            if match is None:
                continue
            named_file, name = match.groups()
            found = where_defined(name)
            if not found:
                missing.append(f"{row}: no test named {name} under tests/")
            elif named_file not in found:
                moved.append(f"{row}: {name} is now in {', '.join(found)}, not {named_file}")
    for report in moved:
        warnings.warn(report, stacklevel=1)
    assert missing == []


def test_every_file_name_and_section_named_still_exists():
    problems = []
    for line_number, line in enumerate(DOCUMENT.read_text().splitlines(), start=1):
        where = f"docs/asvs.md:{line_number}"
        for reference in SPAN.findall(line):
            if TEST_REF.match(reference):
                continue
            if match := SECTION_REF.match(reference):
                path, heading = ROOT / match[1], match[2]
                if not path.is_file():
                    problems.append(f"{where}: no file {match[1]}")
                elif not heading_exists(path, heading):
                    problems.append(f"{where}: no section {heading!r} in {match[1]}")
            elif match := NAME_REF.match(reference):
                path, name = ROOT / match[1], match[2]
                if not path.is_file():
                    problems.append(f"{where}: no file {match[1]}")
                elif not re.search(rf"\b{re.escape(name)}\b", path.read_text()):
                    problems.append(f"{where}: {match[1]} does not mention {name}")
            elif PATH_REF.match(reference) and not (ROOT / reference).exists():
                problems.append(f"{where}: no file or directory {reference}")
    assert problems == []


# --- the summary ---------------------------------------------------------------------------


def test_the_summary_counts_the_rows():
    counted: dict[str, Counter] = {}
    for row in rows():
        counted.setdefault(row.chapter, Counter())[row.status] += 1
    counted["all"] = sum(counted.values(), Counter())
    expected = {
        chapter: {**{status: counts[status] for status in STATUSES}, "rows": counts.total()}
        for chapter, counts in counted.items()
    }
    assert summary() == expected
