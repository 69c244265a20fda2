"""Side-by-side differences between two template versions, per language and per module (difflib, line by line)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .models import Template


@dataclass
class DiffRow:
    kind: str  # equal, replace, delete, insert
    old: str
    new: str


@dataclass
class DiffSection:
    title: str
    rows: list[DiffRow] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(row.kind != "equal" for row in self.rows)


def side_by_side(old: str, new: str) -> list[DiffRow]:
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        left, right = a[i1:i2], b[j1:j2]
        for index in range(max(len(left), len(right))):
            rows.append(
                DiffRow(
                    tag,
                    left[index] if index < len(left) else "",
                    right[index] if index < len(right) else "",
                )
            )
    return rows


def template_diff(old: Template, new: Template) -> list[DiffSection]:
    """One section per language of the template text, then one per module and language (matched by module code)."""
    sections = []
    old_texts = {t.language: t for t in old.texts.all()}
    new_texts = {t.language: t for t in new.texts.all()}
    for language in sorted(set(old_texts) | set(new_texts)):
        o, n = old_texts.get(language), new_texts.get(language)
        old_text = f"{o.title}\n\n{o.text}" if o else ""
        new_text = f"{n.title}\n\n{n.text}" if n else ""
        sections.append(DiffSection(f"Text [{language}]", side_by_side(old_text, new_text)))
    old_modules = {link.module.code: link.module for link in old.template_modules.all()}
    new_modules = {link.module.code: link.module for link in new.template_modules.all()}
    for code in list(dict.fromkeys([*old_modules, *new_modules])):
        o_mod, n_mod = old_modules.get(code), new_modules.get(code)
        languages = sorted(set(o_mod.texts if o_mod else {}) | set(n_mod.texts if n_mod else {}))
        for language in languages:
            old_text = f"{o_mod.title_in(language)}\n{o_mod.text_in(language)}" if o_mod else ""
            new_text = f"{n_mod.title_in(language)}\n{n_mod.text_in(language)}" if n_mod else ""
            sections.append(DiffSection(f"Module {code} [{language}]", side_by_side(old_text, new_text)))
    return sections
