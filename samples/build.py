"""Rebuild the sample workbooks from their sources: ``python samples/build.py``.

Each ``samples/src/<year>-<CODE>.yaml`` states what one unit and its appraisers wrote for each
criterion (criteria not listed got full marks); this script lays it out in the canonical
template as ``samples/<year>/<CODE>.xlsx``. The published figures are not in the sources: the
engine must reach them from the workbooks (tests/test_samples.py checks that it does).
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from cchc_cli.criteria import Registry  # noqa: E402
from cchc_cli.template import Entry, unit_sheets, write_workbook  # noqa: E402
from cchc_cli.yamlsource import parse_yaml  # noqa: E402


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(value)  # type: ignore[arg-type]


def build(source: Path, registry: Registry) -> Path:
    doc = parse_yaml(source.read_text(encoding="utf-8")).data
    info = doc["info"]
    cs = (registry.get(info["Bộ tiêu chí"]) if info.get("Bộ tiêu chí")
          else registry.select(year=int(info["Năm"]), group=info.get("Nhóm"), set_id=None))
    entries = {}
    for raw in doc["entries"]:
        raw = dict(raw)
        code = raw.pop("code")
        for key in ("self", "appraised", "appraised2", "survey"):
            raw[key] = _decimal(raw.get(key))
        entries[code] = Entry(**raw)
    year, code = source.stem.split("-", 1)
    return write_workbook(HERE / year / f"{code}.xlsx", unit_sheets(cs, info, entries))


def main() -> None:
    registry = Registry.load()
    for source in sorted((HERE / "src").glob("*.yaml")):
        print(build(source, registry).relative_to(HERE.parent))


if __name__ == "__main__":
    main()
