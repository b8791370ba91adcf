"""Criteria sets: the shipped ones are valid, mistakes are named with line and path."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cchc_cli.folders import load_registry
from cchc_cli.model.problems import CchcError
from cchc_cli.reading.criteria_file import check_criteria_text, load_criteria

from .conftest import ROOT

MINIMAL = """\
id: test-set
title: Test
province: Tỉnh thử
group: Sở, ban ngành tỉnh
years: {from: 2021}
total: 3
rounding: {decimals: 2, mode: half_up}
bands:
  - {name: Tốt, lower: 90}
  - {name: Khá, lower: 80}
fields:
  - code: "1"
    title: Lĩnh vực một
    max: 3
    criteria:
      - code: "1.1"
        title: Tiêu chí
        max: 2
        subcriteria:
          - {code: "1.1.1", title: Con một, max: 1}
          - {code: "1.1.2", title: Con hai, max: 1, reducible: true}
      - {code: "1.2", title: Khảo sát, max: 1, scoring: survey}
"""


def check(text: str):
    return check_criteria_text(text, "set.yaml")


def test_shipped_sets_are_valid_and_total_100():
    for path in sorted((ROOT / "criteria").rglob("*.yaml")):
        cs = load_criteria(path)
        assert cs.total == 100
        assert sum(leaf.max for leaf in cs.leaves.values()) == 100
        assert "reconstructed" in path.read_text(encoding="utf-8").lower()


def test_seed_003_codes_are_in_the_2019_set_with_enough_points(cs2019):
    lost = {"1.1.2": "0.05", "1.1.4": "2", "1.2.2": "0.25", "1.2.3": "0.25", "1.2.4": "0.06",
            "1.2.7": "0.19", "1.4.3": "1.09", "1.5": "0.25", "1.6": "0.5", "1.7.1": "0.5",
            "1.7.3": "2", "2.1": "0.14", "2.4.1": "0.67", "2.4.2": "0.5", "4.2.2": "0.5",
            "4.4.2": "0.5", "4.4.3": "1", "3.1.1": "0.5", "3.1.2": "0.5", "3.3.1": "0.5",
            "7.1.3": "0.07", "7.1.5": "1", "7.1.6": "0.67", "7.1.7": "1", "7.1.8": "1",
            "7.1.9": "0.93", "7.1.10": "0.23", "7.1.11": "0.2", "7.2.1": "0.25"}
    assert len(lost) == 29
    for code, points in lost.items():
        assert cs2019.leaves[code].max >= Decimal(points), code


def test_minimal_set_loads_with_inherited_scoring_and_flattened_leaves():
    cs, problems = check(MINIMAL)
    assert problems == []
    assert list(cs.leaves) == ["1.1.1", "1.1.2", "1.2"]
    assert cs.leaves["1.2"].scoring == "survey"
    assert cs.leaves["1.1.1"].scoring == "self"
    assert cs.leaves["1.1.2"].ancestors == ("1", "1.1")
    assert cs.is_parent("1.1") and not cs.is_parent("1.1.1")


def test_codes_keep_the_text_written_so_1_10_is_not_1_1():
    text = MINIMAL.replace('code: "1.2", title: Khảo sát', 'code: 1.10, title: Khảo sát')
    cs, problems = check(text)
    assert problems == []
    assert "1.10" in cs.leaves


def test_max_points_are_exact_decimals():
    cs, _ = check(MINIMAL.replace("max: 1, scoring", "max: 0.1, scoring")
                  .replace("total: 3", "total: 2.1").replace("max: 3\n", "max: 2.1\n"))
    assert cs is not None
    assert cs.leaves["1.2"].max == Decimal("0.1")


@pytest.mark.parametrize("change, code, line, path", [
    # a parent's max that is not the sum of its children
    (("max: 2\n", "max: 2.5\n"), "criteria-max-mismatch", 18, "fields[0].criteria[0].max"),
    # the declared total
    (("total: 3", "total: 100"), "criteria-total-mismatch", 6, "total"),
    # a code used twice
    (('"1.1.2", title: Con hai', '"1.1.1", title: Con hai'), "criteria-duplicate-code", 21,
     "fields[0].criteria[0].subcriteria[1].code"),
    # a code outside its parent
    (('"1.1.2", title: Con hai', '"1.2.2", title: Con hai'), "criteria-code-not-nested", 21,
     "fields[0].criteria[0].subcriteria[1].code"),
    # an unknown key (a typo)
    (("reducible: true", "reduceable: true"), "criteria-invalid", 21,
     "fields[0].criteria[0].subcriteria[1].reduceable"),
    # a wrong value
    (("mode: half_up", "mode: round"), "criteria-invalid", 7, "rounding.mode"),
    (("max: 1, scoring", "max: một, scoring"), "criteria-invalid", 22,
     "fields[0].criteria[1].max"),
])
def test_mistakes_are_reported_with_line_and_path(change, code, line, path):
    old, new = change
    assert old in MINIMAL
    cs, problems = check(MINIMAL.replace(old, new, 1))
    assert cs is None
    found = [p for p in problems if p.code == code and p.path == path]
    assert found, [p.line_text() for p in problems]
    assert found[0].line == line
    assert found[0].file == "set.yaml"


def test_every_mistake_is_reported_at_once():
    text = MINIMAL.replace("total: 3", "total: 4").replace("max: 2\n", "max: 5\n")
    _, problems = check(text)
    assert {p.code for p in problems} >= {"criteria-max-mismatch", "criteria-total-mismatch"}


def test_yaml_syntax_error_and_duplicate_key():
    _, problems = check("id: [unclosed\n")
    assert problems[0].code == "criteria-yaml-syntax" and problems[0].line == 2
    _, problems = check(MINIMAL.replace("total: 3\n", "total: 3\ntotal: 3\n"))
    assert problems[0].code == "criteria-duplicate-key" and problems[0].line == 7


def test_messages_are_vietnamese_with_english_available():
    _, problems = check(MINIMAL.replace("reducible: true", "reduceable: true"))
    assert "khóa không được phép" in problems[0].message("vi")
    assert "Extra inputs" in problems[0].message("en")


def test_selection_by_group_and_year(registry):
    assert registry.select(year=2020, group="Sở, ban ngành tỉnh", set_id=None).id \
        == "soc-trang-so-2019"
    assert registry.select(year=2023, group="  SỞ BAN NGÀNH ", set_id=None).id \
        == "soc-trang-so-2021"
    assert registry.select(year=2023, group=None, set_id=None).id == "soc-trang-so-2021"


@pytest.mark.parametrize("kwargs, code", [
    ({"year": 2018, "group": None, "set_id": None}, "no-criteria-set"),
    ({"year": 2020, "group": "UBND huyện", "set_id": None}, "no-criteria-set"),
    ({"year": 2020, "group": None, "set_id": "khong-co"}, "unknown-criteria-set"),
    ({"year": 2023, "group": None, "set_id": "soc-trang-so-2019"}, "criteria-set-year"),
])
def test_selection_failures_are_catalogued(registry, kwargs, code):
    with pytest.raises(CchcError) as err:
        registry.select(**kwargs)
    assert err.value.problems[-1].code == code


def test_ambiguous_selection_asks_for_an_id(tmp_path: Path, registry):
    (tmp_path / "other.yaml").write_text(MINIMAL.replace("id: test-set", "id: other-set"),
                                         encoding="utf-8")
    (tmp_path / "another.yaml").write_text(MINIMAL.replace("id: test-set", "id: another-set"),
                                           encoding="utf-8")
    both = load_registry([tmp_path])
    with pytest.raises(CchcError) as err:
        both.select(year=2023, group="Sở, ban ngành tỉnh", set_id=None)
    assert err.value.problems[0].code == "ambiguous-criteria-set"
    assert "another-set" in err.value.problems[0].message()


def test_bands_are_judged_on_the_displayed_index(cs2021):
    # "group 1 above 90 %, group 2 from 80 % to 90 %": exactly 90 is group 2
    assert cs2021.band_for(Decimal("90.00")).name == "Nhóm 2"
    assert cs2021.band_for(Decimal("90.01")).name == "Nhóm 1"
    assert cs2021.band_for(Decimal("80")).name == "Nhóm 2"
    assert cs2021.band_for(Decimal("64.99")).name == "Nhóm 4"
    assert cs2021.band_for(Decimal("49.99")) is None
