"""What is knowledge is stated once: table kinds in `loaders.template.TableKind`, subjects in the
subject catalogue. No module names one by a string literal of its own — a rule fixed in one place
must not stay broken in another."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

from loaders import subjects
from loaders.template import KINDS, TableKind, table_kind

ROOT = Path(__file__).resolve().parents[1]
CODE = sorted(p for pkg in ("loaders", "knowledge", "bot") for p in (ROOT / pkg).rglob("*.py"))


def _string_literals(path: Path) -> list[tuple[int, str]]:
    out = []
    for t in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if t.type == tokenize.STRING and t.string[:1] in "\"'" and not t.string.startswith(('"""', "'''")):
            out.append((t.start[0], t.string[1:-1]))
    return out


def test_no_module_names_a_table_kind_by_a_literal_of_its_own():
    kinds = {k.value for k in TableKind}
    named = [
        f"{p.relative_to(ROOT)}:{line} {text}"
        for p in CODE
        if p.name != "template.py"
        for line, text in _string_literals(p)
        if text in kinds
    ]
    assert not named, named


def test_every_kind_a_title_can_have_is_a_member_and_titles_find_them():
    assert all(isinstance(k.key, TableKind) for k in KINDS)
    assert table_kind("2026年部门收支总表") == TableKind.TOTALS
    assert table_kind("公开03表 支出预算总表") == TableKind.SPENDING
    assert table_kind("财政拨款收入支出决算总表") == TableKind.FISCAL_TOTALS


def test_no_module_names_a_subject_of_the_catalogue_by_a_literal_of_its_own():
    """The “三公” family, the items printed whole and the narrative topics: their names, parts, rows
    and narrative phrasings are the catalogue's (loaders/data/subjects.toml); code refers to them
    through loaders.subjects. The two catalogues' own modules are where names are written."""
    guarded = {subjects.THREE_PUBLIC, *subjects.within(subjects.THREE_PUBLIC)}
    guarded |= {s.name for s in subjects.catalogue().values() if s.whole_item or s.topic}
    named = [
        f"{p.relative_to(ROOT)}:{line} {text}"
        for p in CODE
        if p.name not in ("template.py", "subjects.py")
        for line, text in _string_literals(p)
        if text in guarded
    ]
    assert len(guarded) >= 10 and not named, named
