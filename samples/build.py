"""Rebuild the sample workbooks from their sources: ``python samples/build.py``.

* ``samples/src/<year>-<CODE>.yaml`` states what one unit and its appraisers wrote for each
  criterion (criteria not listed got full marks) → ``samples/<year>/<CODE>.xlsx``.
* ``samples/src/<year>-units.yaml`` lists synthetic units by name and target index; their
  reductions and deductions are drawn at random from a fixed seed, spread over the criteria,
  so that each workbook scores that index.

The published figures of Sở Tài chính are not in the sources: the engine must reach them from
the workbooks (tests/test_samples.py checks that it does).
"""

from __future__ import annotations

import random
import sys
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from cchc_cli.folders import load_registry  # noqa: E402
from cchc_cli.model.criteria import CriteriaSet, Registry  # noqa: E402
from cchc_cli.reading.yamltext import parse_yaml  # noqa: E402
from tests.builders import Entry, unit_sheets, write_workbook  # noqa: E402

CENT = Decimal("0.01")
GROUP = "Sở, ban ngành tỉnh"
REASONS = {
    "1": ["Báo cáo định kỳ gửi trễ hạn", "Thiếu tài liệu kiểm chứng",
          "Kế hoạch chưa xác định rõ sản phẩm, thời hạn hoàn thành",
          "Nhiệm vụ được giao hoàn thành trễ hạn"],
    "2": ["Văn bản QPPL trình trễ tiến độ", "Chưa xử lý kết quả rà soát văn bản",
          "Thiếu báo cáo theo dõi thi hành pháp luật"],
    "3": ["Còn hồ sơ TTHC giải quyết trễ hạn", "Chưa công khai đầy đủ TTHC",
          "Chưa đề xuất phương án đơn giản hóa TTHC"],
    "4": ["Chưa rà soát quy định chức năng, nhiệm vụ", "Số lượng lãnh đạo phòng vượt quy định"],
    "5": ["Kế hoạch đào tạo, bồi dưỡng thực hiện chưa đạt",
          "Có công chức vi phạm kỷ luật, kỷ cương hành chính"],
    "6": ["Quy chế chi tiêu nội bộ ban hành chậm", "Giải ngân vốn đầu tư công chưa đạt kế hoạch"],
    "7": ["Tỷ lệ hồ sơ tiếp nhận, xử lý trực tuyến thấp", "Tỷ lệ văn bản điện tử chưa đạt",
          "Chưa duy trì, cải tiến Hệ thống quản lý chất lượng"],
}
OFFICES = ["Văn phòng", "Thanh tra", "Phòng Kế hoạch – Tài chính", "Phòng Tổ chức cán bộ",
           "Các phòng chuyên môn"]


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(value)  # type: ignore[arg-type]


def build_unit(source: Path, registry: Registry, out: Path = HERE) -> Path:
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
        raw["self_score"] = raw.pop("self")  # the sources say "self", as the sheet does
        if raw.get("figures"):  # name → [the unit's figure, the council's]
            raw["figures"] = {name: tuple(map(_decimal, pair))
                              for name, pair in raw["figures"].items()}
        entries[code] = Entry(**raw)
    year, code = source.stem.split("-", 1)
    return write_workbook(out / year / f"{code}.xlsx", unit_sheets(cs, info, entries))


def synthesize(cs: CriteriaSet, index: Decimal, rng: random.Random,
               reduced: list[str] | None) -> dict[str, Entry]:
    """Entries whose workbook scores ``index`` (as displayed) under ``cs``."""
    leaves = cs.leaves
    reducible = [code for code, leaf in leaves.items() if leaf.reducible]
    for _attempt in range(100):
        chosen = reduced if reduced is not None else rng.sample(reducible, rng.randint(2, 7))
        max_after = cs.total - sum(leaves[code].max for code in chosen)
        achieved = (max_after * index / 100).quantize(CENT, rounding=ROUND_CEILING)
        if cs.display(achieved * 100 / max_after) == index:
            break
        if reduced is not None:  # not every maximum reaches every index in hundredths
            raise ValueError(f"no achieved points in hundredths give {index} % of {max_after}")
    reduced = chosen
    remaining = max_after - achieved
    entries = {code: Entry(self_na=True, na=True, reason="Không phát sinh") for code in reduced}
    lost: dict[str, Decimal] = {}
    candidates = [code for code in leaves if code not in reduced]
    rng.shuffle(candidates)
    while remaining > 0:
        for code in candidates:
            room = leaves[code].max - lost.get(code, Decimal(0))
            if remaining <= 0 or room <= 0:
                continue
            step = min(room, remaining, Decimal(rng.choice([25, 50, 50, 75, 100])) * CENT)
            if remaining - step < CENT * 25:  # finish exactly with the last hundredths
                step = min(room, remaining)
            lost[code] = lost.get(code, Decimal(0)) + step
            remaining -= step
    for code, points in lost.items():
        leaf = leaves[code]
        final = leaf.max - points
        if leaf.scoring == "survey":
            entries[code] = Entry(survey=final)
            continue
        claimed = leaf.max if rng.random() < 0.5 else final
        entries[code] = Entry(self_score=claimed, appraised=final,
                              reason=rng.choice(REASONS.get(leaf.field, REASONS["1"])),
                              responsible=rng.choice(OFFICES))
    return entries


def build_units(source: Path, registry: Registry, out: Path = HERE) -> list[Path]:
    doc: dict[str, Any] = parse_yaml(source.read_text(encoding="utf-8")).data
    cs = registry.get(doc["criteria"])
    year = int(source.stem.split("-", 1)[0])
    written = []
    for unit in doc["units"]:
        rng = random.Random(f"{doc['seed']}-{unit['code']}")
        entries = synthesize(cs, Decimal(unit["index"]), rng, unit.get("reduced"))
        info = {"Mã đơn vị": unit["code"], "Tên đơn vị": unit["name"], "Năm": year,
                "Nhóm": GROUP, "Bộ tiêu chí": cs.id}
        written.append(write_workbook(out / str(year) / f"{unit['code']}.xlsx",
                                      unit_sheets(cs, info, entries)))
    return written


def main() -> None:
    registry = load_registry()
    for source in sorted((HERE / "src").glob("*.yaml")):
        made = build_units(source, registry) if source.stem.endswith("-units") \
            else [build_unit(source, registry)]
        print(f"{source.relative_to(HERE.parent)} → {len(made)} workbook(s)")


if __name__ == "__main__":
    main()
