"""Criteria files: a set's YAML read with the line of every value, checked against the strict
models (cchc_cli.model.criteria) and the tree's own rules, every problem at its line; and the
sets of some folders gathered into a registry.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cchc_cli.model.criteria import CriteriaSet, FieldSpec, Item, Registry
from cchc_cli.model.decimals import plain
from cchc_cli.model.problems import PYDANTIC_VI, CchcError, Problem
from cchc_cli.model.rules import RULE_KINDS
from cchc_cli.reading.yamltext import MAX_BYTES, TOO_LARGE, YamlDoc, format_path, parse_yaml


def _code_along(data: Any, loc: Iterable[Any]) -> str | None:
    """The last ``code`` met walking ``loc`` through the raw data (the criterion at fault)."""
    code = None
    node = data
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("code"), str):
            code = node["code"]
    return code


def _validation_problems(err: ValidationError, doc: YamlDoc, file: str) -> list[Problem]:
    problems = []
    for item in err.errors():
        loc = tuple(part for part in item["loc"] if not isinstance(part, str) or part[0] != "_")
        # a rule's kind is pydantic's tag in the path (rule.tiers.value): not a YAML key
        loc = tuple(part for i, part in enumerate(loc)
                    if not (part in RULE_KINDS and i and (loc[i - 1] == "rule"
                                                          or isinstance(loc[i - 1], int))))
        msg_en = item["msg"].removeprefix("Value error, ")
        msg_vi = PYDANTIC_VI.get(item["type"], msg_en)
        try:
            msg_vi = msg_vi.format(**{k: str(v) for k, v in item.get("ctx", {}).items()})
        except (KeyError, IndexError, ValueError):
            pass  # a message without those placeholders
        if item["type"] == "literal_error":
            msg_vi = f"{msg_vi}: {msg_en}"
        problems.append(
            Problem(
                "criteria-invalid",
                file=file,
                line=doc.line_of(loc),
                path=format_path(loc) or None,
                criterion=_code_along(doc.data, loc),
                params={"detail_vi": msg_vi, "detail_en": msg_en},
            )
        )
    return problems


def _tree_problems(cs: CriteriaSet, doc: YamlDoc, file: str) -> list[Problem]:
    """Checks pydantic cannot express: sums, unique and nested codes, band order."""
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}

    def at(path: tuple, code: str | None, name: str, **params: Any) -> None:
        problems.append(Problem(name, file=file, line=doc.line_of(path),
                                path=format_path(path), criterion=code, params=params))

    def visit(node: FieldSpec | Item, path: tuple, parent: str | None) -> None:
        line = doc.line_of(path + ("code",))
        if node.code in seen:
            at(path + ("code",), node.code, "criteria-duplicate-code", other_line=seen[node.code])
        else:
            seen[node.code] = line
        if parent is not None and not node.code.startswith(parent + "."):
            at(path + ("code",), node.code, "criteria-code-not-nested", parent=parent)
        key = "criteria" if isinstance(node, FieldSpec) else "subcriteria"
        children: list[Item] = getattr(node, key)
        if children:
            total = sum((c.max for c in children), Decimal(0))
            if total != node.max:
                at(path + ("max",), node.code, "criteria-max-mismatch",
                   max=plain(node.max), sum=plain(total))
            for i, child in enumerate(children):
                visit(child, path + (key, i), node.code)

    for i, spec in enumerate(cs.fields):
        visit(spec, ("fields", i), None)
    fields_sum = sum((f.max for f in cs.fields), Decimal(0))
    if fields_sum != cs.total:
        at(("total",), None, "criteria-total-mismatch", sum=plain(fields_sum),
           total=plain(cs.total))
    if cs.adjustments is not None:  # bonus/penalty rows share the sheets with the items
        for kind in ("bonus", "penalty"):
            for i, adj in enumerate(getattr(cs.adjustments, kind)):
                if adj.code in seen:
                    at(("adjustments", kind, i, "code"), adj.code, "criteria-duplicate-code",
                       other_line=seen[adj.code])
    lowers = [band.lower for band in cs.bands]
    if lowers != sorted(lowers, reverse=True) or len(set(lowers)) != len(lowers):
        problems.append(Problem("criteria-invalid", file=file, line=doc.line_of(("bands",)),
                                path="bands", params={
                                    "detail_vi": "các xếp loại phải theo thứ tự ngưỡng giảm dần",
                                    "detail_en": "bands must be listed by descending lower bound",
                                }))
    return problems


_READ_AS_NONE = {"criteria-number-range", "criteria-bad-value"}


def check_criteria_text(text: str, file: str) -> tuple[CriteriaSet | None, list[Problem]]:
    """Parse and check one criteria YAML; returns the set (if valid) and every problem."""
    import yaml

    try:
        doc = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        detail = getattr(exc, "problem", None) or str(exc)
        return None, [Problem("criteria-yaml-syntax", file=file,
                              line=mark.line + 1 if mark else None, params={"detail": detail})]
    except CchcError as err:  # past a limit: nothing more is read
        return None, [p.with_file(file) for p in err.problems]
    problems = [p.with_file(file) for p in doc.problems]
    if not isinstance(doc.data, dict):
        problems.append(Problem("criteria-invalid", file=file, line=1, params={
            "detail_vi": "tệp phải là một bảng khóa: giá trị (id, title, fields, …)",
            "detail_en": "the file must be a mapping (id, title, fields, …)"}))
        return None, problems
    try:
        cs = CriteriaSet.model_validate(doc.data)
    except ValidationError as err:
        # a value refused while reading reads as None: pydantic need not say so again
        refused = {p.path for p in problems if p.code in _READ_AS_NONE}
        return None, problems + [p for p in _validation_problems(err, doc, file)
                                 if p.path not in refused]
    problems += _tree_problems(cs, doc, file)
    if problems:
        return None, problems
    cs._id_line = doc.line_of(("id",))
    return cs, []


def load_criteria(path: str | os.PathLike[str]) -> CriteriaSet:
    """Load one criteria YAML file; raises :class:`CchcError` listing every problem."""
    path = Path(path)
    if path.exists() and not (path.is_file() or path.is_dir()):  # a pipe or a device: no end
        raise CchcError([Problem("unreadable-file", file=str(path),
                                 params={"detail": "not a regular file"})])
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # what lies beyond the limit is never read
        if len(data) > MAX_BYTES:
            raise CchcError([TOO_LARGE.with_file(str(path))])
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CchcError([Problem("unreadable-file", file=str(path),
                                 params={"detail": exc.__class__.__name__})]) from exc
    cs, problems = check_criteria_text(text, str(path))
    if cs is None:
        raise CchcError(problems)
    cs._path = path
    return cs


def load_sets(dirs: Iterable[str | os.PathLike[str]]) -> Registry:
    """Every set in ``dirs`` (and their subfolders). A broken file does not stop the others;
    a folder that does not exist is said, not silent."""
    sets: list[CriteriaSet] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for directory in map(Path, dirs):
        if not directory.is_dir():  # a typo in CCHC_CRITERIA or --criteria
            problems.append(Problem("criteria-folder-missing", file=str(directory)))
            continue
        for file in sorted(directory.rglob("*.yaml")):
            if file.is_dir():  # a folder named like a set: its files are listed anyway
                continue
            # realpath, not resolve(): a symlink loop is a file that cannot be read, and says
            # so below, not a RuntimeError here
            real = os.path.realpath(file)
            if real in seen:  # a folder named twice, or one inside another
                continue
            seen.add(real)
            try:
                sets.append(load_criteria(file))
            except CchcError as err:
                problems += err.problems
    return Registry(sets, problems)
