"""What people call things, as the vocabulary uses it: read from the subject catalogue
(loaders/data/subjects.toml), where every word, row name and table word is stated once.

A word maps to the canonical names the knowledge base uses (a row name, a narrative fact key or
a table kind); a word may stand for several (车 → the 车辆 row of the 固定资产表 and the 车辆数 a
narrative states). `vocabulary` adds them for whatever is loaded; a target that no loaded
document has adds nothing."""

from __future__ import annotations

from loaders import subjects

SYNONYMS: dict[str, tuple[str, ...]] = subjects.synonyms()
# The totals every disclosure has, whatever its total rows are called (合计 | 合计 in 重庆's 收支总表):
# known as subjects even when no loaded table prints them by these names.
STANDING_ROWS = subjects.standing()
NARRATIVE_TOPICS = subjects.topics()  # narrative topics every disclosure template has
CONTAINING = subjects.containing()  # 医保 → every row whose name contains 医疗保险
TABLE_WORDS = subjects.table_words()  # how people name a whole table (its 合计 answers them)
