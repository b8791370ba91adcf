"""YAML read with the line of every value, so a mistake can be pointed at.

PyYAML's composer gives each node its position; we build plain Python data from the nodes
and keep a map from each value's path (``("fields", 2, "max")``) to its 1-based line.
Two choices differ from ``yaml.safe_load`` on purpose:

* floats become ``Decimal`` from the text as written (``0.1`` stays 0.1 exactly);
* a ``code`` (and each entry of ``replaces``) is kept as the text written, so ``code: 1.10``
  is "1.10", not the number 1.1. Duplicate keys are reported, not silently overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from .text import clean_code

if TYPE_CHECKING:
    import yaml

Path = tuple[str | int, ...]

_FLOAT_TAG = "tag:yaml.org,2002:float"
_RAW_TEXT_KEYS = {"code", "replaces"}


@dataclass
class YamlDoc:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[Path, int]] = field(default_factory=list)

    def line_of(self, path: Path) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def format_path(path: Path) -> str:
    """``("fields", 2, "criteria", 0, "max")`` → ``fields[2].criteria[0].max``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_yaml(text: str) -> YamlDoc:
    """Parse ``text``; raises ``yaml.YAMLError`` (with its mark) on a syntax error."""
    import yaml  # only when a YAML file is actually read (loaded sets come from the cache)

    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    doc = YamlDoc(data=None)
    constructor = yaml.SafeLoader("")
    if root is not None:
        doc.data = _build(root, (), doc, constructor, raw_text=False)
    return doc


def _build(node: yaml.Node, path: Path, doc: YamlDoc, constructor: Any, raw_text: bool) -> Any:
    import yaml

    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node)
            if key in out:
                doc.duplicate_keys.append((path + (key,), key_node.start_mark.line + 1))
            out[key] = _build(value_node, path + (key,), doc, constructor, key in _RAW_TEXT_KEYS)
            doc.lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(child, path + (i,), doc, constructor, raw_text)
            for i, child in enumerate(node.value)
        ]
    if raw_text:
        return clean_code(str(node.value))
    if node.tag == _FLOAT_TAG:
        try:
            return Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            pass
    return constructor.construct_object(node)
