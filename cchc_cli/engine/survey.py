"""Survey answers to points: pure arithmetic over counted answers (model/survey.py says what
is computed). No files, no words beyond the working of each item, which is arithmetic."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from cchc_cli.model.criteria import CriteriaSet, Leaf
from cchc_cli.model.decimals import exact, fixed, localize, plain
from cchc_cli.model.problems import Problem
from cchc_cli.model.survey import (
    Combine,
    GroupAnswers,
    Survey,
    SurveyAnswers,
    SurveyItem,
    SurveyQuestion,
    SurveyResult,
    SurveyUnit,
    to_decimal,
)
from cchc_cli.model.text import fold

_WORDS = {"vi": ("phiếu", "điểm", "chưa đủ", "không có câu trả lời"),
          "en": ("answers", "points", "too few", "no answers")}


def _share(counts: dict[str, int], scale: dict[str, Decimal], combine: Combine,
           top: list[str]) -> Fraction | None:
    answered = sum(counts.values())
    if answered == 0:
        return None
    if combine == "top":
        return Fraction(sum(counts.get(t, 0) for t in top), answered)
    total = sum((Fraction(scale[o]) * n for o, n in counts.items()), start=Fraction(0))
    return total / 100 / answered


def _percent(share: Fraction, lang: str) -> str:
    return f"{fixed(to_decimal(share * 100), 2, lang)} %"


def _group_text(g: GroupAnswers, survey: Survey, scale: dict[str, Decimal], lang: str) -> str:
    answers = _WORDS[lang][0]
    counts = ", ".join(f"{o} {n}" for o, n in g.counts.items() if n)
    head = f"{g.group}: {g.answered} {answers}" + (f"; {counts}" if counts else "")
    if g.share is None:
        return head
    if survey.combine == "top":
        tops = " + ".join(str(g.counts.get(t, 0)) for t in survey.top)
        return f"{head} → ({tops})/{g.answered} = {_percent(g.share, lang)}"
    terms = " + ".join(f"{n}×{localize(plain(scale[o]), lang)}" for o, n in g.counts.items() if n)
    return f"{head} → ({terms})/{g.answered} = {_percent(g.share, lang)}"


def _item(cs: CriteriaSet, leaf: Leaf, questions: list[SurveyQuestion],
          answers: SurveyAnswers, unit: str) -> SurveyItem:
    survey = cs.survey
    assert survey is not None
    scale = survey.scale_of(questions[0])
    groups: list[GroupAnswers] = []
    for code in dict.fromkeys(g for q in questions for g in q.groups):
        counts = {o: 0 for o in scale}
        blanks = 0
        for q in questions:
            if code not in q.groups:
                continue
            for o, n in answers.counts.get((unit, code, q.column), {}).items():
                counts[o] = counts.get(o, 0) + n
            blanks += answers.blanks.get((unit, code, q.column), 0)
        answered = sum(counts.values())
        share = _share(counts, scale, survey.combine, survey.top) \
            if answered >= survey.min_answers else None
        groups.append(GroupAnswers(code, counts, blanks, share))
    pending = None
    if all(g.answered == 0 for g in groups):
        pending = "no-answers"
    elif any(g.share is None for g in groups):
        pending = "too-few"
    share = points = None
    if pending is None:
        weights = {g.code: Fraction(g.weight) for g in survey.groups}
        total = sum((weights[g.group] for g in groups), start=Fraction(0))
        share = sum((weights[g.group] * g.share for g in groups if g.share is not None),
                    start=Fraction(0)) / total
        points = cs.rule_rounding.apply(to_decimal(share * Fraction(leaf.max)))
    working = {lang: _working(cs, leaf, groups, share, points, pending, lang)
               for lang in ("vi", "en")}
    return SurveyItem(leaf.code, leaf.max, tuple(groups), share, points, working, pending)


def _working(cs: CriteriaSet, leaf: Leaf, groups: list[GroupAnswers], share: Fraction | None,
             points: Decimal | None, pending: str | None, lang: str) -> str:
    survey = cs.survey
    assert survey is not None
    scale = survey.scale
    parts = [_group_text(g, survey, scale, lang) for g in groups]
    if pending is not None or share is None or points is None:
        why = _WORDS[lang][3] if pending == "no-answers" else \
            f"{_WORDS[lang][2]} {survey.min_answers}"
        return "; ".join(parts) + f" → {why}"
    if len(groups) > 1:
        weights = {g.code: g.weight for g in survey.groups}
        terms = " + ".join(f"{localize(plain(weights[g.group]), lang)}×{_percent(g.share, lang)}"
                           for g in groups if g.share is not None)
        total = sum((weights[g.group] for g in groups), start=Decimal(0))
        parts.append(f"({terms})/{localize(plain(total), lang)} = {_percent(share, lang)}")
    return "; ".join(parts) + (f" × {localize(plain(leaf.max), lang)} = "
                               f"{localize(plain(points), lang)} {_WORDS[lang][1]}")


def _question_share(survey: Survey, q: SurveyQuestion, answers: SurveyAnswers,
                    unit: str, combine: Combine) -> Fraction | None:
    """A question's share for one unit, its groups weighted (``None`` if a group has too few
    answers)."""
    weights = {g.code: Fraction(g.weight) for g in survey.groups}
    total = Fraction(0)
    weight = Fraction(0)
    for code in q.groups:
        counts = answers.counts.get((unit, code, q.column), {})
        if sum(counts.values()) < survey.min_answers:
            return None
        share = _share(counts, survey.scale_of(q), combine, survey.top)
        if share is None:
            return None
        total += weights[code] * share
        weight += weights[code]
    return total / weight


def _satisfaction(survey: Survey, answers: SurveyAnswers, unit: str) -> Fraction | None:
    """The satisfaction index: each group's answers to all its questions combined by
    ``index``, weighted over the groups; ``None`` when a group has too few answers."""
    weights = {g.code: Fraction(g.weight) for g in survey.groups}
    total = weight = Fraction(0)
    for group in survey.groups:
        asked = [q for q in survey.questions if group.code in q.groups]
        if not asked:
            continue
        pooled = Fraction(0)
        answered = 0
        for q in asked:
            counts = answers.counts.get((unit, group.code, q.column), {})
            n = sum(counts.values())
            if n:
                share = _share(counts, survey.scale_of(q), survey.index, survey.top)
                assert share is not None
                pooled += share * n
                answered += n
        if answered < survey.min_answers * len(asked):
            return None
        total += weights[group.code] * pooled / answered
        weight += weights[group.code]
    return total / weight if weight else None


@exact
def score_survey(cs: CriteriaSet, answers: SurveyAnswers,
                 units: list[str] | None = None) -> SurveyResult:
    """Every unit's survey-scored items, satisfaction index, and the province's mean share per
    question. ``units`` (codes) are the units expected (a year's workbooks): one with no
    answers gets its items pending and a warning; answers for a unit not among them are
    warned of and not used. Without ``units``, the units are those found in the answers."""
    survey = cs.survey
    if survey is None:
        raise ValueError(f"the criteria set {cs.id} declares no survey")
    problems: list[Problem] = list(answers.problems)
    found = dict(answers.units)
    expected = {fold(code): code for code in units} if units is not None else \
        {key: code for key, (code, _place) in found.items()}
    for key, (code, place) in found.items():
        if key not in expected:
            sheet, _, cell = place.rpartition("!")
            problems.append(Problem("survey-unknown-unit", file=answers.file, sheet=sheet or None,
                                    cell=cell or None, params={"unit": code}))
    results: dict[str, SurveyUnit] = {}
    for key, code in sorted(expected.items(), key=lambda pair: pair[1]):
        unit = SurveyUnit(code)
        if answers.questionnaires is not None:
            unit.questionnaires = sum(n for (u, _g), n in answers.questionnaires.items()
                                      if u == key)
        if key not in found:
            problems.append(Problem("survey-unit-no-answers", file=answers.file,
                                    params={"unit": code}))
        for leaf in cs.leaves.values():
            questions = survey.questions_of(leaf.code)
            if questions:
                unit.items[leaf.code] = item = _item(cs, leaf, questions, answers, key)
                if item.pending is not None and key in found:  # answers, not for this item
                    short = [f"{g.group} {g.answered}" for g in item.groups if g.share is None]
                    problems.append(Problem("survey-too-few-answers", file=answers.file,
                                            criterion=leaf.code, params={
                                                "unit": code, "groups": ", ".join(short),
                                                "min": survey.min_answers}))
        unit.satisfaction = _satisfaction(survey, answers, key)
        results[key] = unit
    means: dict[str, Fraction | None] = {}
    for q in survey.questions:
        shares = [s for key in results
                  if (s := _question_share(survey, q, answers, key, survey.combine)) is not None]
        means[q.column] = sum(shares, start=Fraction(0)) / len(shares) if shares else None
    return SurveyResult(cs, answers, results, means, problems)
