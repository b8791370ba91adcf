"""Results laid out as tables — the same ``Table`` is drawn in the terminal (render) and
written to .xlsx/.csv (export), so the two can never disagree."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cchc_cli.engine.compare import CHANGE_KINDS, Comparison, FieldChange, Side
from cchc_cli.engine.gains import Gains
from cchc_cli.engine.publish import (
    Campaign,
    CriterionView,
    FieldStanding,
    GroupLosses,
    field_index,
)
from cchc_cli.engine.ranking import GroupRanking, YearRanking
from cchc_cli.engine.setdiff import SetDiff
from cchc_cli.model.criteria import CriteriaSet
from cchc_cli.model.decimals import fixed
from cchc_cli.model.results import Totals, UnitResult
from cchc_cli.model.rules import describe
from cchc_cli.model.survey import SurveyResult, to_decimal
from cchc_cli.output.table import Column, Figure, NumberKind, Table
from cchc_cli.words import Lang, t


def group_summary_text(group: GroupRanking, lang: Lang) -> str:
    cs, summary = group.criteria, group.summary
    bands = " · ".join(f"{name or t('no_band', lang)}: {n}" for name, n in summary.bands.items())
    return t("rank.summary", lang, units=summary.units,
             mean=cs.index_text(summary.mean_index_exact, lang), bands=bands)


def rank_tables(ranking: YearRanking, lang: Lang) -> list[Table]:
    tables = []
    for group in ranking.groups:
        cs = group.criteria
        rows = []
        surveyed = any(unit.result.survey is not None for unit in group.units)
        for unit in group.units:
            result = unit.result
            name = result.unit.name
            if result.status == "provisional":
                name += f" ({t('rank.provisional', lang)})"
            index = result.index
            tot = result.totals
            adjust = [cs.display(tot.bonus), cs.display(tot.penalty)] if cs.adjustments else []
            satisfied = [result.satisfaction] if surveyed else []
            rows.append([f"{unit.rank}/{unit.of}", result.unit.code, name,
                         cs.display(tot.achieved), *adjust,
                         cs.display(tot.max_after_reduction),
                         index, result.band or t("no_band", lang), *satisfied])
        adjust_columns = [Column(t("bonus", lang), "points"), Column(t("penalty", lang), "points")
                          ] if cs.adjustments else []
        tables.append(Table(
            title=t("rank.group", lang, group=group.group, year=ranking.year or "—"),
            sheet=f"{ranking.year} · {group.group}" if ranking.year else group.group,
            columns=[Column(t("rank.rank", lang), "code"), Column(t("rank.code", lang), "code"),
                     Column(t("rank.name", lang)),
                     Column(t("rank.achieved", lang), "points"), *adjust_columns,
                     Column(t("rank.max_after", lang), "points"),
                     Column(t("rank.index", lang), "index"),
                     Column(t("rank.band", lang)),
                     *([Column(t("rank.satisfaction", lang), "index")] if surveyed else [])],
            rows=rows,
        ))
    return tables


def survey_tables(result: SurveyResult, lang: Lang, unit: str | None = None,
                  items: bool = True) -> list[Table]:
    """What ``cchc survey`` shows and writes: each unit's survey points and satisfaction
    index; each unit's items with the working (one unit's, or every unit's); the province's
    mean share of each question."""
    cs, survey = result.criteria, result.criteria.survey
    asked = [code for code in cs.leaves if survey.questions_of(code)]
    maximum = sum((cs.leaves[code].max for code in asked), start=Decimal(0))
    chosen = result.unit(unit) if unit is not None else None
    units = [chosen] if chosen is not None else [] if unit is not None \
        else list(result.units.values())
    summary = []
    for u in units:
        scored = [i for i in u.items.values() if i.points is not None]
        summary.append([u.code, u.questionnaires,
                        sum((i.points for i in scored if i.points is not None), start=Decimal(0)),
                        maximum, len(u.items) - len(scored) or None,
                        None if u.satisfaction_percent is None
                        else cs.display(u.satisfaction_percent)])
    forms = sum(u.questionnaires or 0 for u in result.units.values())
    tables = [Table(
        title=t("survey.title", lang, file=Path(result.answers.file).name),
        sheet=t("survey.sheet", lang),
        columns=[Column(t("survey.col.unit", lang), "code"),
                 Column(t("survey.col.forms", lang), "int"),
                 Column(t("survey.col.points", lang), "points"),
                 Column(t("survey.col.max", lang), "points"),
                 Column(t("survey.col.pending", lang), "int"),
                 Column(t("rank.satisfaction", lang), "index")],
        rows=summary,
        notes=(t("survey.summary", lang, units=len(result.units), id=cs.id,
                 forms=t("survey.tallied", lang) if result.answers.tallied
                 else t("survey.forms", lang, n=forms)),),
    )]
    if items:
        rows = []
        for u in units:
            for code, item in u.items.items():
                rows.append([u.code, code, item.answered or None,
                             None if item.share is None
                             else cs.rule_rounding.apply(to_decimal(item.share * 100)),
                             item.points, item.working[lang]])
        tables.append(Table(
            title=t("survey.items", lang, unit=units[0].code) if unit and units
            else t("survey.items.all", lang),
            sheet=t("survey.items.sheet", lang),
            columns=[Column(t("survey.col.unit", lang), "code"),
                     Column(t("survey.col.criterion", lang), "code"),
                     Column(t("survey.col.answers", lang), "int"),
                     Column(t("survey.col.share", lang), "index"),
                     Column(t("survey.col.points", lang), "points"),
                     Column(t("survey.col.working", lang), width=80)],
            rows=rows,
        ))
    tables.append(Table(
        title=t("survey.means", lang), sheet=t("survey.means.sheet", lang),
        columns=[Column(t("survey.col.question", lang), "code"),
                 Column(t("survey.col.criterion", lang), "code"),
                 Column(t("survey.col.groups", lang)), Column(t("survey.col.mean", lang), "index")],
        rows=[[q.column, q.item, ", ".join(q.groups),
               None if (m := result.means[q.column]) is None
               else cs.rule_rounding.apply(to_decimal(m * 100))]
              for q in survey.questions],
    ))
    return tables


def rank_file_tables(ranking: YearRanking, lang: Lang) -> list[Table]:
    """What ``rank -o`` writes: each group's ranking, then the workbooks not ranked with their
    problems — a ranking file never hides who is missing from it."""
    tables = rank_tables(ranking, lang)
    if ranking.not_ranked or not tables:
        tables.append(Table(
            title=t("rank.not_ranked.sheet", lang),
            columns=[Column(t("rank.file", lang), width=30), Column(t("rank.problem", lang),
                                                                     width=90)],
            rows=[[Path(entry.file).name, problem.line_text(lang)]
                  for entry in ranking.not_ranked for problem in entry.problems],
        ))
    return tables


# --- compare -----------------------------------------------------------------------------------


def _rank_text(side: Side) -> str:
    return "—" if side.rank is None else f"{side.rank}/{side.of}"


def rank_change_text(c: Comparison, lang: Lang) -> str:
    delta = c.delta_rank
    a, b = _rank_text(c.a), _rank_text(c.b)
    if delta is None:
        return t("cmp.rank.unknown", lang)
    key = "cmp.rank.up" if delta > 0 else "cmp.rank.down" if delta < 0 else "cmp.rank.same"
    return t(key, lang, n=abs(delta), a=a, b=b)


def compare_sentence(c: Comparison, lang: Lang) -> str:
    """The memo's line: "Năm 2023 so với năm 2022: tổng điểm đạt được giảm 7.95 điểm …"."""
    cs = c.b.result.criteria
    decimals = cs.rounding.decimals

    def verb(delta: Decimal | None) -> str:
        if delta is None or delta == 0:
            return t("cmp.same", lang)
        return t("cmp.up" if delta > 0 else "cmp.down", lang)

    index_delta = c.delta_index
    return t("cmp.sentence", lang, a=c.a.year, b=c.b.year,
             achieved_verb=verb(c.delta_achieved),
             achieved_delta=cs.points_text(abs(c.delta_achieved), lang),
             achieved_a=c.a.result.criteria.points_text(c.a.achieved, lang),
             achieved_b=cs.points_text(c.b.achieved, lang),
             index_verb=verb(index_delta),
             index_delta="—" if index_delta is None else fixed(abs(index_delta), decimals, lang),
             index_a=c.a.result.criteria.index_text(c.a.result.totals.index_exact, lang),
             index_b=cs.index_text(c.b.result.totals.index_exact, lang),
             rank_text=rank_change_text(c, lang))


def _figures(label: str, a: Decimal | None, b: Decimal | None, kind: NumberKind,
             change: bool = True, decimals: tuple[int | None, int | None] = (None, None)
             ) -> list[Any]:
    """A row of the comparison's summary: the two years' figures (each with its own set's
    decimals when given) and the change."""
    delta = b - a if a is not None and b is not None else None
    return [label, *(None if v is None else Figure(v, kind, d)
                     for v, d in zip((a, b), decimals, strict=True)),
            "" if not change else None if delta is None
            else Figure(delta, f"{kind}_change")]  # type: ignore[arg-type]


def _adjustment_rows(a: Side, b: Side, lang: Lang) -> list[list[Any]]:
    """Bonus and penalty rows of the comparison, when either year's set has them."""
    if a.result.criteria.adjustments is None and b.result.criteria.adjustments is None:
        return []
    def shown(side: Side, key: str) -> Decimal:
        return side.result.display(getattr(side.result.totals, key))

    return [_figures(t(key, lang), shown(a, key), shown(b, key), "points")
            for key in ("bonus", "penalty")]


def _satisfaction_rows(a: Side, b: Side, lang: Lang) -> list[list[Any]]:
    """The satisfaction index of each year, when a survey's answers were given for either."""
    if a.result.survey is None and b.result.survey is None:
        return []
    return [_figures(t("satisfaction", lang), a.result.satisfaction, b.result.satisfaction,
                     "index", decimals=(a.result.criteria.rounding.decimals,
                                        b.result.criteria.rounding.decimals))]


def field_notes(c: Comparison, f: FieldChange, lang: Lang) -> list[str]:
    """What a field's row cannot say when the two years follow different sets: the earlier
    year's title of the field, and the items that moved in or out of it."""
    ya, yb = c.a.year, c.b.year
    notes = [t("cmp.field.title_a", lang, year=ya, title=f.title_a)] if f.title_a else []
    notes += [t("cmp.field.moved_in", lang, year=ya, field=m.field_a,
                codes_a=", ".join(m.codes_a), codes_b=", ".join(m.codes_b))
              for m in f.moved_in]
    notes += [t("cmp.field.moved_out", lang, year=yb, field=m.field_b,
                codes_a=", ".join(m.codes_a), codes_b=", ".join(m.codes_b))
              for m in f.moved_out]
    return notes


def compare_tables(c: Comparison, lang: Lang) -> list[Table]:
    a, b = c.a, c.b
    cs_a, cs_b = a.result.criteria, b.result.criteria
    ya, yb = str(a.year), str(b.year)

    totals = Table(t("cmp.totals", lang), [Column("", width=24), Column(ya, width=12),
                                           Column(yb, width=12),
                                           Column(t("cmp.change", lang), width=30)], [
        [t("cmp.rank", lang), _rank_text(a), _rank_text(b), rank_change_text(c, lang)],
        _figures(t("rank.achieved", lang), a.achieved, b.achieved, "points"),
        *_adjustment_rows(a, b, lang),
        _figures(t("rank.max_after", lang), cs_a.display(a.result.totals.max_after_reduction),
                 cs_b.display(b.result.totals.max_after_reduction), "points", change=False),
        _figures(t("rank.index", lang), a.index, b.index, "index",
                 decimals=(cs_a.rounding.decimals, cs_b.rounding.decimals)),
        [t("band", lang), a.result.band or "—", b.result.band or "—", ""],
        *_satisfaction_rows(a, b, lang),
    ])

    def field_index(totals: Totals | None, cs: CriteriaSet) -> Decimal | None:
        exact = totals.index_exact if totals else None
        return None if exact is None else cs.display(exact)

    field_rows = []
    for f in c.fields:
        got_a = cs_a.display(f.a.achieved) if f.a else None
        got_b = cs_b.display(f.b.achieved) if f.b else None
        ia, ib = field_index(f.a, cs_a), field_index(f.b, cs_b)
        field_rows.append([
            f.code, f.title, got_a, got_b,
            got_b - got_a if got_a is not None and got_b is not None else None,
            None if ia is None else Figure(ia, "index", cs_a.rounding.decimals), ib,
            ib - ia if ia is not None and ib is not None else None])
        field_rows += [["", note, "", "", "", "", "", ""] for note in field_notes(c, f, lang)]
    fields = Table(t("cmp.fields", lang), [
        Column(t("lost.code", lang), "code"), Column(t("field", lang)),
        Column(t("cmp.achieved", lang, year=ya), "points"),
        Column(t("cmp.achieved", lang, year=yb), "points"),
        Column(t("cmp.delta", lang), "points_change"),
        Column(t("cmp.index", lang, year=ya), "index"),
        Column(t("cmp.index", lang, year=yb), "index"),
        Column(t("cmp.delta_index", lang), "index_change")], field_rows)

    tables = [totals, fields]
    for kind in CHANGE_KINDS:
        changes = c.of_kind(kind)
        if not changes:
            continue
        rows = []
        for ch in changes:
            code = ch.codes_b if ch.codes_a == ch.codes_b else f"{ch.codes_a} → {ch.codes_b}"
            rows.append([code, ch.title, cs_a.display(ch.deducted_a), cs_b.display(ch.deducted_b),
                         cs_b.display(ch.deducted_b - ch.deducted_a),
                         ch.reason_a, ch.reason_b, ch.responsible])
        tables.append(Table(t(f"cmp.kind.{kind}", lang), [
            Column(t("lost.code", lang), "code", width=9), Column(t("lost.item", lang), width=40),
            Column(t("cmp.lost", lang, year=ya), "points", width=10),
            Column(t("cmp.lost", lang, year=yb), "points", width=10),
            Column(t("cmp.delta", lang), "points_change", width=9),
            Column(t("cmp.reason", lang, year=ya), width=45),
            Column(t("cmp.reason", lang, year=yb), width=45),
            Column(t("lost.responsible", lang), width=28)], rows))
    unmatched = [[ya, i.code, i.leaf.title, cs_a.display(i.deducted)] for i in c.unmatched_a] \
        + [[yb, i.code, i.leaf.title, cs_b.display(i.deducted)] for i in c.unmatched_b]
    if unmatched:
        tables.append(Table(t("cmp.unmatched", lang), [
            Column(t("cmp.year", lang), "code"), Column(t("lost.code", lang), "code"),
            Column(t("lost.item", lang)), Column(t("lost.points", lang), "points")], unmatched))
    return tables


# --- criteria sets ----------------------------------------------------------------------------


def criteria_table(cs: CriteriaSet, lang: Lang) -> Table:
    """The tree of a set, one row a node (the code shows the depth)."""
    rows = []

    def walk(node, scoring: str) -> None:
        children = getattr(node, "criteria", None) or getattr(node, "subcriteria", None) or []
        scoring = node.scoring or scoring
        leaf = cs.leaves.get(node.code)
        title = node.title
        if leaf is not None and leaf.rule is not None:
            title += f"\n↳ {t('crit.rule', lang)}: {describe(leaf.rule, leaf.max, lang)}"
        rows.append([
            node.code, title, node.max,
            leaf.min if leaf is not None and leaf.min != 0 else None,
            t(f"crit.{leaf.scoring}", lang) if leaf is not None else "",
            t("criterion.yes", lang) if leaf is not None and leaf.reducible else "",
        ])
        for child in children:
            walk(child, scoring)

    for spec in cs.fields:
        walk(spec, "self")
    return Table(f"{cs.id} · {cs.title}", [
        Column(t("crit.code", lang), "code"), Column(t("crit.title", lang)),
        Column(t("crit.max", lang), "points"), Column(t("crit.min", lang), "points"),
        Column(t("crit.scoring", lang)), Column(t("crit.reducible", lang))], rows)


# --- documents: the lost-points appendix and the comparison memo ---------------------------------


@dataclass(frozen=True)
class Document:
    """What a report holds, whatever it is written as (.docx or .xlsx)."""

    title: str
    subtitle: str
    before: list[str]  # paragraphs above the tables
    tables: list[Table]
    after: list[str]  # paragraphs below
    heading: str | None = None  # above the title: "Phụ lục" (an annex of a decision)
    decree: bool = False  # laid out as Nghị định 30/2020/NĐ-CP sets an administrative document


# An office named at the start of a "responsible" text, as the memos write it.
_OFFICE = re.compile(
    r"^(Văn phòng|Thanh tra|Các phòng (?:nghiệp vụ|chuyên môn)|Phòng(?:\s[^\s.,;()]+){1,8}?)"
    r"(?=\s+(?:báo cáo|bổ sung|lập|chưa|không|có|phối hợp|cử|đã|là|và các)\b"
    r"|\s*[.,;(]|\s*$)")


def office_of(responsible: str) -> str | None:
    """The office a "Trách nhiệm" text names first (None when it names none)."""
    match = _OFFICE.match(responsible.strip())
    return match.group(1).strip() if match else None


def satisfaction_text(result: UnitResult, lang: Lang) -> str:
    """"Chỉ số hài lòng (điều tra XHH): 87,14 % · 120 phiếu" — a unit scored with --survey."""
    survey = result.survey
    assert survey is not None
    forms = survey.questionnaires
    return t("satisfaction.line", lang, label=t("satisfaction", lang),
             index=result.criteria.index_text(survey.satisfaction_percent, lang),
             forms=t("survey.forms", lang, n=forms) if forms is not None
             else t("survey.tallied", lang))


def appendix(result: UnitResult, lang: Lang, by_office: bool = False) -> Document:
    """The appendix of an office's memo (Sở Tài chính, April 2021): the totals line, then every
    appraised criterion that lost points (in criterion order, or grouped by office with subtotals),
    then what the survey took."""
    cs, tot = result.criteria, result.totals

    def pts(value: Decimal) -> str:
        return cs.points_text(value, lang)

    lost = [i for i in result.lost if i.leaf.scoring == "self"]
    survey = [i for i in result.lost if i.leaf.scoring == "survey"]
    columns = [Column(t("doc.col.tt", lang), width=8), Column(t("doc.col.item", lang), width=40),
               Column(t("doc.col.reason", lang), width=55),
               Column(t("doc.col.points", lang), "points", width=10),
               Column(t("doc.col.office", lang), width=45)]

    def row(item) -> list:
        return [item.code, item.leaf.title, item.reason, cs.display(item.deducted),
                item.responsible]

    rows: list[list] = []
    if by_office:
        groups: dict[str, list] = {}
        for item in lost:
            groups.setdefault(office_of(item.responsible) or "", []).append(item)
        for office in sorted(groups, key=lambda o: (o == "", o)):
            items = groups[office]
            rows += [row(i) for i in items]
            name = office or t("doc.office.unknown", lang)
            rows.append(["", t("doc.subtotal", lang, office=name), "",
                         cs.display(sum((i.deducted for i in items), Decimal(0))), ""])
    else:
        rows = [row(i) for i in lost]
    listed = sum((i.deducted for i in lost), Decimal(0))
    from_survey = sum((i.deducted for i in survey), Decimal(0))
    rows.append(["", t("doc.sum", lang), "", cs.display(listed), ""])
    totals_line = t("summary.line", lang, max=pts(tot.max), reduction=pts(tot.reduction),
                    max_after=pts(tot.max_after_reduction), achieved=pts(tot.achieved),
                    deducted=pts(tot.deducted))
    after = [t("doc.sum.listed", lang, points=pts(listed), n=len(lost))]
    if survey:
        named = "; ".join(f"{i.code}: {pts(i.deducted)}" for i in survey)
        after.append(t("doc.sum.survey", lang, points=pts(from_survey), items=named))
    after.append(t("doc.sum.total", lang, listed=pts(listed), survey=pts(from_survey),
                   total=pts(tot.deducted)))
    after += adjustments_lines(result, lang)
    title = t("doc.appendix.title", lang, year=result.unit.year)
    before = [totals_line]
    if result.survey is not None:
        before.append(satisfaction_text(result, lang))
    return Document(
        title=title,
        subtitle=t("doc.appendix.subtitle", lang, unit=result.unit.name),
        before=before,
        tables=[Table(title, columns, rows, notes=tuple(before),
                      sheet=t("doc.appendix.sheet", lang))],
        after=after,
    )


def signed_points(cs: CriteriaSet, value: Decimal, sign: str, lang: Lang) -> str:
    """"+0,5" for a bonus, "−1" for a penalty; plain "0" when there is none."""
    return cs.points_text(value, lang) if value == 0 else sign + cs.points_text(value, lang)


def adjustments_lines(result: UnitResult, lang: Lang) -> list[str]:
    """Bonus and penalty, each on its own line with its items, then where they leave the
    unit — for every output that shows a unit's totals (empty when the set has none)."""
    cs, tot = result.criteria, result.totals
    if cs.adjustments is None:
        return []

    lines = []
    for kind, sign, total in (("bonus", "+", tot.bonus), ("penalty", "\u2212", tot.penalty)):
        mine = [a for a in result.adjustments if a.kind == kind]
        listed = "; ".join(f"{a.code} {a.title}: {signed_points(cs, a.final, sign, lang)}"
                           for a in mine)
        lines.append(f"{t(kind, lang)}: {signed_points(cs, total, sign, lang)}"
                     + (f" ({listed})" if listed else ""))
    if cs.adjustments.applies_to == "points":
        lines.append(f"{t('adjusted_achieved', lang)}: "
                     f"{cs.points_text(tot.adjusted_achieved, lang)}")
    else:
        lines.append(f"{t('base_index', lang)}: {cs.index_text(tot.base_index_exact, lang)}")
    lines.append(f"{t('index', lang)}: {cs.index_text(tot.index_exact, lang)}")
    return lines


def comparison_document(c: Comparison, lang: Lang) -> Document:
    """The comparison part of a memo like Sở Tài chính's of 2024: both years, the change, and the
    criteria that lost more points than the year before, with the reasons."""
    unit = c.b.result.unit

    def year_line(side: Side) -> str:
        cs = side.result.criteria
        return t("doc.cmp.year", lang, year=side.year, rank=_rank_text(side),
                 achieved=cs.points_text(side.result.totals.achieved, lang),
                 index=cs.index_text(side.result.totals.index_exact, lang))

    tables = compare_tables(c, lang)
    return Document(
        title=t("doc.cmp.title", lang, a=c.a.year, b=c.b.year),
        subtitle=f"{unit.name} ({unit.code})",
        before=[year_line(c.a), year_line(c.b), compare_sentence(c, lang)],
        tables=[tables[0]] + [tb for tb in tables[2:]
                              if tb.title == t("cmp.kind.lost_more", lang)],
        after=[t("cmp.unchanged", lang, n=c.unchanged)],
    )


# --- gains -------------------------------------------------------------------------------------


def gains_heading(g: Gains, lang: Lang) -> str:
    cs, unit = g.criteria, g.result.unit
    return t("gains.heading", lang, name=unit.name, code=unit.code, year=g.year or unit.year,
             group=g.group, rank=g.rank, of=g.of,
             index=cs.index_text(g.result.totals.index_exact, lang),
             band=g.result.band or t("no_band", lang))


def gains_tables(g: Gains, lang: Lang) -> list[Table]:
    """The items that lost points, by what recovering each would bring."""
    cs = g.criteria
    now = g.result.index or Decimal(0)
    rows = [[x.item.code, x.item.leaf.title, cs.display(x.points), cs.display(x.index_exact),
             cs.display(x.index_exact) - now, f"{x.rank}/{g.of}",
             x.item.reason or (t("survey.reason", lang) if x.item.leaf.scoring == "survey"
                               else ""),
             x.item.responsible] for x in g.gains]
    return [Table(
        title=t("gains.title", lang),
        notes=(gains_heading(g, lang),),
        sheet=t("gains.points", lang),
        columns=[Column(t("lost.code", lang), "code"), Column(t("lost.item", lang), width=45),
                 Column(t("gains.points", lang), "points"),
                 Column(t("gains.index", lang), "index"),
                 Column(t("gains.delta", lang), "index_change"),
                 Column(t("gains.rank", lang), "code"),
                 Column(t("lost.reason", lang), width=50),
                 Column(t("lost.responsible", lang), width=35)],
        rows=rows,
    ), Table(title=t("gains.plans", lang), columns=[Column(t("gains.plans", lang), width=95)],
             rows=[[line] for line in gains_plan_lines(g, lang)],
             sheet=t("gains.plan.sheet", lang))]


def gains_plan_lines(g: Gains, lang: Lang) -> list[str]:
    """One sentence per goal: the fewest items that reach it, or why none do."""
    cs = g.criteria
    lines = []
    for plan in g.plans:
        sign = "≥" if plan.inclusive else ">"
        goal = t(f"gains.goal.{plan.goal}", lang, rank=g.rank, of=g.of, target=plan.target,
                 sign=sign, lower=cs.index_text(plan.threshold, lang)
                 if plan.threshold is not None else "")
        values = {"goal": goal, "n": len(plan.items),
                  "codes": ", ".join(x.item.code for x in plan.items),
                  "points": cs.points_text(plan.points, lang),
                  "index": cs.index_text(plan.index_exact, lang),
                  "rank_after": plan.rank, "of": g.of,
                  "band": plan.band or t("no_band", lang),
                  "noun": "criterion" if len(plan.items) == 1 else "criteria",
                  "alternatives": t("gains.alternatives", lang,
                                    codes=", ".join(plan.alternatives))
                  if plan.alternatives else ""}
        lines.append(t("gains.plan" if plan.reachable else "gains.unreachable", lang,
                       **values))
    if not lines:  # nothing above to reach: say so rather than leave the heading empty
        lines.append(t("gains.at_top", lang, rank=g.rank, of=g.of))
    return lines


# --- publishing the year (engine/publish.py) ------------------------------------------------


def _name(result: UnitResult, lang: Lang) -> str:
    name = result.unit.name
    return f"{name} ({t('rank.provisional', lang)})" if result.status == "provisional" else name


def annex_document(ranking: YearRanking, lang: Lang, decision: str | None = None) -> Document:
    """The annex of the decision that announces the index: per group, every unit's points,
    maximum after reduction, index, band and rank, then its index in each field ("—" for a
    field reduced whole); the group's totals line; the workbooks not ranked."""
    tables = []
    for group in ranking.groups:
        cs = group.criteria
        rows = []
        for n, unit in enumerate(group.units, start=1):
            r = unit.result
            rows.append([n, _name(r, lang), cs.display(r.totals.achieved),
                         cs.display(r.totals.max_after_reduction), r.index,
                         r.band or t("no_band", lang), f"{unit.rank}/{unit.of}",
                         *(field_index(r, f.code) for f in cs.fields)])
        tables.append(Table(
            title=t("annex.group", lang, group=group.group),
            sheet=group.group,
            columns=[Column(t("annex.stt", lang), "int", width=6),
                     Column(t("rank.name", lang), width=17),
                     Column(t("rank.achieved", lang), "points", width=8),
                     Column(t("rank.max_after", lang), "points", width=8),
                     Column(t("rank.index", lang), "index", width=8),
                     Column(t("rank.band", lang), width=8),
                     Column(t("rank.rank", lang), "code", width=8),
                     *(Column(t("annex.field", lang, code=f.code), "index", width=8)
                       for f in cs.fields)],
            rows=rows,
            notes=(group_summary_text(group, lang),),
        ))
    after = []
    fields = {f"{f.code}. {f.title}": None for g in ranking.groups for f in g.criteria.fields}
    if fields:
        after.append(t("annex.fields", lang, fields="; ".join(fields)))
    if ranking.not_ranked:
        after.append(t("annex.not_ranked", lang, n=len(ranking.not_ranked),
                       files=", ".join(Path(n.file).name for n in ranking.not_ranked)))
    return Document(
        heading=t("annex.heading", lang),
        title=t("annex.title", lang, year=ranking.year or "—"),
        subtitle=t("annex.attached", lang, decision=decision or t("annex.decision", lang)),
        before=[], tables=tables, after=after, decree=True)


def by_field_tables(standings: list[FieldStanding], year: int | None, lang: Lang
                    ) -> list[Table]:
    """``rank --by-field``: each field of each group, its units ranked on it."""
    tables = []
    for s in standings:
        cs = s.criteria
        tables.append(Table(
            title=t("field.group", lang, code=s.code, title=s.title, group=s.group,
                    year=year or "—"),
            sheet=t("field.sheet", lang, code=s.code, group=s.group),
            columns=[Column(t("rank.rank", lang), "code"), Column(t("rank.code", lang), "code"),
                     Column(t("rank.name", lang)),
                     Column(t("rank.achieved", lang), "points"),
                     Column(t("rank.max_after", lang), "points"),
                     Column(t("rank.index", lang), "index")],
            rows=[[f"{p.rank}/{p.of}" if p.rank is not None else "—", p.result.unit.code,
                   _name(p.result, lang), cs.display(p.totals.achieved),
                   cs.display(p.totals.max_after_reduction),
                   None if p.totals.index_exact is None else cs.display(p.totals.index_exact)]
                  for p in s.units]))
    return tables


def criterion_tables(views: list[CriterionView], year: int | None, lang: Lang) -> list[Table]:
    """``cchc criterion CODE``: every unit on one criterion, the most points lost first."""
    tables = []
    for v in views:
        cs = v.criteria
        rows = []
        for r in v.rows:
            item = r.item
            rows.append([r.result.unit.code, _name(r.result, lang), item.leaf.max,
                         "" if item.applicable else t("criterion.yes", lang), item.self_points,
                         item.appraised, item.final,
                         cs.display(item.deducted) if item.applicable else None,
                         item.reason, item.responsible])
        tables.append(Table(
            title=t("criterion.title", lang, code=v.code, title=v.title, group=v.group,
                    year=year or "—"),
            sheet=f"{v.code} · {v.group}",
            columns=[Column(t("rank.code", lang), "code"), Column(t("rank.name", lang), width=30),
                     Column(t("col.max", lang).replace("\n", " "), "points"),
                     Column(t("criterion.reduced", lang)),
                     Column(t("col.self", lang).replace("\n", " "), "points"),
                     Column(t("col.appraised", lang).replace("\n", " "), "points"),
                     Column(t("col.final", lang).replace("\n", " "), "points"),
                     Column(t("col.deducted", lang).replace("\n", " "), "points"),
                     Column(t("lost.reason", lang), width=40),
                     Column(t("lost.responsible", lang), width=30)],
            rows=rows))
    return tables


def losses_tables(groups: list[GroupLosses], year: int | None, lang: Lang) -> list[Table]:
    """``cchc losses``: the criteria each group lost most on, with the common reasons."""
    tables = []
    for g in groups:
        cs = g.criteria
        tables.append(Table(
            title=t("loss.title", lang, group=g.group, year=year or "—"),
            sheet=g.group,
            columns=[Column(t("lost.code", lang), "code"), Column(t("lost.item", lang), width=40),
                     Column(t("lost.points", lang), "points"),
                     Column(t("loss.units", lang), "int"),
                     Column(t("loss.share", lang), "index"),
                     Column(t("loss.reasons", lang), width=60)],
            rows=[[x.code, x.title, cs.display(x.lost), x.units,
                   cs.display(to_decimal(x.share * 100)),
                   "; ".join(f"{text} ({n})" for text, n in x.reasons)] for x in g.losses],
            notes=(t("loss.summary", lang, total=cs.points_text(g.total, lang)),)))
    return tables


def status_tables(campaign: Campaign, lang: Lang) -> list[Table]:
    """``cchc status``: one line per workbook, then the units not sent yet."""
    def part(done: int, needed: int) -> str:
        return f"{done}/{needed}"

    rows = []
    for u in campaign.units:
        p = u.progress
        rows.append([
            u.code or "—", Path(u.file).name,
            part(p.self_filled, p.self_needed) if p else "—",
            (part(p.appraised, p.appraisal_needed) if p.appraisal else t("status.none", lang))
            if p else "—",
            (t("status.yes", lang) if p.second_round else "") if p else "",
            part(p.survey_filled, p.survey_needed) if p and p.survey_needed else "—",
            len(u.errors), len(u.warnings),
            t("status.yes" if u.ready else "status.no", lang)])
    previous = (campaign.year - 1) if campaign.year else "—"
    tables = [Table(
        title=t("status.title", lang, year=campaign.year or "—"),
        columns=[Column(t("rank.code", lang), "code"), Column(t("rank.file", lang)),
                 Column(t("status.self", lang)), Column(t("status.appraisal", lang)),
                 Column(t("status.round2", lang)), Column(t("status.survey", lang)),
                 Column(t("status.errors", lang), "int"),
                 Column(t("status.warnings", lang), "int"), Column(t("status.ready", lang))],
        rows=rows,
        notes=(t("status.summary", lang, units=len(campaign.units), ready=campaign.ready,
                 missing=len(campaign.missing)),))]
    if campaign.missing:
        tables.append(Table(
            title=t("status.missing", lang, year=previous),
            columns=[Column(t("rank.code", lang), "code"), Column(t("rank.name", lang))],
            rows=[[code, name] for code, name in campaign.missing]))
    return tables


def diff_tables(d: SetDiff, lang: Lang) -> list[Table]:
    """``cchc criteria diff``: every change, then the suggested ``replaces:``."""
    tables = [Table(
        title=t("diff.title", lang, a=d.a.id, b=d.b.id),
        columns=[Column(t("diff.kind", lang)), Column(t("lost.code", lang), "code"),
                 Column(t("diff.before", lang), width=45), Column(t("diff.after", lang),
                                                                  width=45)],
        rows=[[t(f"diff.{c.kind}", lang), c.code, c.before or "", c.after or ""]
              for c in d.changes],
        notes=() if d.changes else (t("diff.none", lang),))]
    if d.suggestions:
        tables.append(Table(
            title=t("diff.suggest", lang, a=d.a.id, b=d.b.id),
            columns=[Column(d.b.id), Column("replaces"), Column(t("diff.similarity", lang)),
                     Column(d.b.id + " ", width=40), Column(d.a.id + " ", width=40)],
            rows=[[s.code, s.replaces, s.similarity, s.title_b, s.title_a]
                  for s in d.suggestions]))
    return tables
