"""The `cchc` command: parse, call one library function, render, exit.

Exit codes are decided here and only here: 0 ok (warnings allowed), 1 the data has errors
(in any workbook the answer depends on), 2 usage error (typer/click), 3 an internal error — a
bug in cchc, shown with a traceback only under ``--debug`` — and 141 when the reader of stdout
went away (``| head``), as a shell reports a process ended by SIGPIPE. A closed stdout or
stderr (``>&-``) changes no exit code; a stdout that cannot take the result (a full disk) is
the problem ``stdout-write-failed``, exit 1 (see streams.py).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import sys

# pydantic looks for plugins among every installed package the first time a model is built
# (~40 ms here); the command uses none. Library users keep their plugins: only the command
# sets this, and only if they have not.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand, TyperGroup

from cchc_cli import __version__
from cchc_cli.clickwords import usage_pieces, wanted_lang, word_formatter, worded_params
from cchc_cli.engine.publish import campaign_dict, field_standings, standings_dict
from cchc_cli.engine.ranking import KEEP_ALL, YearRanking, rank_results, ranking_dict
from cchc_cli.folders import (
    compare_years,
    data_root,
    default_jobs,
    load_registry,
    rank_folder,
    score_file,
    survey_file,
    unit_history,
    validate_path,
    workbook_files,
    year_in_name,
    year_of_folder,
)
from cchc_cli.model.criteria import CriteriaSet, Registry
from cchc_cli.model.problems import CchcError, Problem, raise_if_errors
from cchc_cli.model.survey import SurveyResult
from cchc_cli.model.text import unit_code
from cchc_cli.output.chart import (
    CHART_SUFFIXES,
    compare_chart,
    heatmap_chart,
    history_chart,
    rank_chart,
)
from cchc_cli.output.files import TABLE_SUFFIXES, write_json, write_tables
from cchc_cli.output.guard import check_outputs
from cchc_cli.output.reports import (
    annex_document,
    appendix,
    by_field_tables,
    compare_tables,
    comparison_document,
    criteria_table,
    criterion_tables,
    diff_tables,
    losses_tables,
    rank_file_tables,
    status_tables,
    survey_tables,
)
from cchc_cli.output.streams import guard_standard_streams
from cchc_cli.output.template import write_template
from cchc_cli.output.terminal import (
    every_warning,
    make_console,
    progress,
    render_comparison,
    render_criteria_ok,
    render_gains,
    render_history,
    render_not_ranked,
    render_problems,
    render_rank_among_rest,
    render_ranking,
    render_registry,
    render_skipped,
    render_survey,
    render_table,
    render_unit,
)
from cchc_cli.reading.criteria_file import load_criteria
from cchc_cli.reading.workbook import read_unit
from cchc_cli.words import Lang, default_lang, t

EXIT_DATA, EXIT_USAGE, EXIT_INTERNAL = 1, 2, 3  # 0 is success; 2 a usage error, as click's
EXIT_PIPE = 128 + 13  # SIGPIPE


class Language(StrEnum):
    vi = "vi"
    en = "en"


# Options shared by several commands, declared once.
LangOption = Annotated[
    Language | None,
    typer.Option("--lang", help="Ngôn ngữ / language: vi (mặc định) hoặc en. Env: CCHC_LANG.",
                 show_default=False),
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="In mọi cảnh báo, không gộp theo loại.")
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Hiện traceback khi có lỗi nội bộ (cho nhà phát triển).")
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="In kết quả dạng JSON (stdout) thay cho bảng.")
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE.xlsx|FILE.csv",
                 help="Ghi bảng kết quả ra tệp Excel (.xlsx) hoặc CSV (UTF-8).",
                 show_default=False),
]


def _chart_path(value: Path | None) -> Path | None:
    """The chart's format is its suffix; another suffix is a usage error, caught before any
    work is done."""
    if value is not None and value.suffix.lower() not in CHART_SUFFIXES:
        raise typer.BadParameter(f"biểu đồ chỉ ghi được dạng {', '.join(CHART_SUFFIXES)} "
                                 f"(a chart is written as {', '.join(CHART_SUFFIXES)})")
    return value


ChartOption = Annotated[
    Path | None,
    typer.Option("--chart", metavar="FILE.png|FILE.svg|FILE.pdf", show_default=False,
                 callback=_chart_path,
                 help="Vẽ biểu đồ ra tệp .png, .svg hoặc .pdf (định dạng theo đuôi tệp)."),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Cho phép ghi đè một bảng tính có sẵn mà cchc không "
                       "ghi ra (không bao giờ ghi đè tệp đầu vào).")
]
CriteriaOption = Annotated[
    str | None,
    typer.Option("--criteria", "-c", metavar="ID|FILE.yaml",
                 help="Bộ tiêu chí dùng để chấm: mã bộ (vd. soc-trang-so-2019) hoặc tệp YAML. "
                      "Mặc định: bộ ghi ở ô “Bộ tiêu chí”, hoặc bộ duy nhất hợp nhóm và năm."),
]

YearFolderArgument = Annotated[
    Path, typer.Argument(help="Thư mục một năm: mỗi bảng tính một đơn vị.", metavar="FOLDER",
                         show_default=False)]
SurveyOption = Annotated[
    Path | None,
    typer.Option("--survey", metavar="ANSWERS", show_default=False,
                 help="Tệp phiếu điều tra XHH (.xlsx, .xls, .ods, .csv; từng phiếu hoặc đã tổng "
                      "hợp): các tiêu chí điều tra XHH được chấm từ phiếu, kèm chỉ số hài lòng."),
]


SurveysOption = Annotated[
    list[str] | None,
    typer.Option("--survey", metavar="[YEAR=]ANSWERS", show_default=False,
                 help="Tệp phiếu điều tra XHH của một năm (lặp lại cho nhiều năm): NĂM=TỆP, "
                      "hoặc TỆP có năm trong tên (xhh-2023.xlsx)."),
]


def _surveys(values: list[str] | None, lang: Lang,
             registry: Registry | None = None) -> dict[int, SurveyResult]:
    """Each ``--survey [YEAR=]FILE`` read for its year (given, or written in its name)."""
    found: dict[int, SurveyResult] = {}
    for value in values or []:
        year, path = _survey_path(value)
        if year is None:
            raise CchcError([Problem("survey-year-unknown", file=str(path))])
        found[year] = _survey(path, lang, registry=registry, year=year)  # type: ignore[assignment]
    return found


def _survey_path(value: str) -> tuple[int | None, Path]:
    """``2023=phieu.xlsx`` → (2023, phieu.xlsx); ``xhh-2023.xlsx`` → (2023, …); else no year."""
    year_text, sep, name = value.partition("=")
    if sep and year_text.strip().isdigit():
        return int(year_text), Path(name)
    return year_in_name(Path(value)), Path(value)


def _survey(path: Path | None, lang: Lang, *, criteria: CriteriaSet | None = None,
            registry: Registry | None = None, year: int | None = None
            ) -> SurveyResult | None:
    """The answers of ``--survey``, scored; their warnings on stderr."""
    if path is None:
        return None
    result = survey_file(path, criteria if criteria is not None and criteria.survey else None,
                         year=year, registry=registry)
    render_problems(make_console(stderr=True), result.problems, lang)
    return result


def _help_lang() -> str:
    return wanted_lang(sys.argv[1:], default_lang())


class _Worded:
    """A command (or group) whose --help and usage are in the user's words (clickwords.py)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return usage_pieces(super().collect_usage_pieces(ctx))  # type: ignore[misc]

    def get_params(self, ctx: Any) -> list[Any]:
        return worded_params(super().get_params(ctx), _help_lang())  # type: ignore[misc]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        word_formatter(formatter, _help_lang())
        super().format_help(ctx, formatter)  # type: ignore[misc]


class _Command(_Worded, TyperCommand):
    pass


class _Group(_Worded, TyperGroup):
    pass


app = typer.Typer(
    name="cchc",
    cls=_Group,
    help="Chấm điểm Chỉ số cải cách hành chính (CCHC) từ bảng tính của đơn vị.\n\n"
         "Scores the administrative-reform (CCHC) index from units' workbooks.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
criteria_app = typer.Typer(help="Bộ tiêu chí: kiểm tra và liệt kê. Criteria sets.",
                           no_args_is_help=True, cls=_Group)
app.add_typer(criteria_app, name="criteria")


def _lang(option: Language | None) -> Lang:
    return "en" if option is Language.en else "vi" if option is Language.vi else default_lang()


def _reader_gone() -> NoReturn:
    """stdout's reader closed the pipe (``cchc … | head``): nothing more can be said, so end
    quietly. Output still buffered would fail again when Python flushes at exit ("Exception
    ignored … BrokenPipeError"): point stdout and stderr at /dev/null first."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):  # not a real file (a test's capture)
            pass
    os.close(devnull)
    sys.exit(EXIT_PIPE)


@contextmanager
def _guard(lang: Lang, debug: bool, verbose: bool = False) -> Iterator[None]:
    """Turn library errors into problem lines and exit codes; hide tracebacks; with
    ``verbose``, every warning in full."""
    with every_warning(verbose):
        try:
            yield
            sys.stdout.flush()  # a failure to write the result is told in the command's language
        except CchcError as err:
            render_problems(make_console(stderr=True), err.problems, lang)
            raise typer.Exit(EXIT_DATA) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt, typer.TyperException):
            raise  # usage errors keep click's message and exit code 2
        except BrokenPipeError:
            _reader_gone()
        except Exception as exc:
            if debug:
                raise
            detail = f"{exc.__class__.__name__}: {exc}"
            make_console(stderr=True).print(t("internal", lang, detail=detail), soft_wrap=True,
                                            style="red")
            raise typer.Exit(EXIT_INTERNAL) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cchc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="In phiên bản rồi thoát.")] = False,
) -> None:
    """Chấm điểm Chỉ số CCHC từ bảng tính của đơn vị."""


def _chosen_criteria(value: str | None) -> tuple[CriteriaSet | None, Registry | None]:
    if value is None:
        return None, None
    return _criteria_named(value)


def _criteria_named(value: str) -> tuple[CriteriaSet, Registry | None]:
    """A criteria set by its id or its YAML file (and the registry it came from, if any)."""
    if value.lower().endswith((".yaml", ".yml")) or Path(value).is_file():
        return load_criteria(value), None
    registry = load_registry()
    return registry.get(value), registry


@app.command(cls=_Command)
def score(
    file: Annotated[Path, typer.Argument(help="Bảng tính của một đơn vị (.xlsx, .xls, .ods).",
                                         metavar="FILE", show_default=False)],
    detail: Annotated[bool, typer.Option("--detail", "-d", help="Liệt kê từng tiêu chí bị trừ "
                                         "điểm, lý do và trách nhiệm (phụ lục bị trừ điểm).")]
    = False,
    json: JsonOption = False,
    criteria: CriteriaOption = None,
    survey: SurveyOption = None,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Chấm một đơn vị: hạ chuẩn, điểm đạt được, chỉ số, xếp loại và điểm theo lĩnh vực.

    Scores one unit: reduction, points achieved, index, band, and the result by field;
    with --detail, every criterion that lost points with its reason and office.

    Ví dụ / examples:

      cchc score samples/2020/STC.xlsx

      cchc score samples/2020/STC.xlsx --detail

      cchc score samples/2019/STC.xlsx --json --lang en
    """
    language = _lang(lang)
    with _guard(language, debug, verbose):
        chosen, registry = _chosen_criteria(criteria)
        answers = _survey(survey, language, criteria=chosen, registry=registry)
        result = score_file(file, criteria=chosen, survey=answers)
        if result.warnings:
            render_problems(make_console(stderr=True), result.warnings, language)
        if json:
            write_json(result.as_dict(), sys.stdout)
        else:
            render_unit(make_console(), result, language, detail=detail)


@app.command(cls=_Command)
def rank(
    folder: YearFolderArgument,
    group: Annotated[str | None, typer.Option("--group", "-g", help="Chỉ xếp hạng một nhóm "
                                              "(vd. “Sở, ban ngành tỉnh”).")] = None,
    json: JsonOption = False,
    output: OutputOption = None,
    chart: ChartOption = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", metavar="CODE",
                                             help="Đơn vị tô đậm trên biểu đồ.")] = None,
    force: ForceOption = False,
    survey: SurveyOption = None,
    by_field: Annotated[bool, typer.Option("--by-field", help="Xếp hạng từng lĩnh vực: điểm, "
                                           "điểm sau hạ chuẩn, chỉ số và hạng của mỗi đơn vị "
                                           "trong lĩnh vực; với --chart, bản đồ nhiệt đơn vị × "
                                           "lĩnh vực.")] = False,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Xếp hạng mọi đơn vị của một năm trong từng nhóm, theo chỉ số chính xác.

    Ranks every unit of a year within its group by the exact index (equal indices share a
    rank: 1, 1, 3). Workbooks that cannot be scored are listed as not ranked, with their
    problems, and the exit code is then 1.

    Ví dụ / examples:

      cchc rank samples/2023

      cchc rank samples/2022 --output xep-hang-2022.xlsx

      cchc rank samples/2023 --json

      cchc rank samples/2023 --chart xep-hang.png --unit STC

      cchc rank samples/2023 --survey samples/survey/2023.xlsx

      cchc rank samples/2023 -o ket-qua-2023.html
    """
    language = _lang(lang)
    with _guard(language, debug, verbose):
        registry = load_registry()
        answers = _folder_survey(survey, folder, language, registry)
        # the bar's length, counted only where a bar is drawn (a scan of the folder's files)
        total = len(workbook_files(folder)) if sys.stderr.isatty() and folder.is_dir() else 0
        page = output is not None and output.suffix.lower() == ".html"
        with progress(total, language) as advance:
            ranking = rank_folder(folder, registry, on_file=advance, jobs=default_jobs(),
                                  survey=answers,
                                  keep=KEEP_ALL if by_field or page else None)
        if group:
            ranking = _only_group(ranking, group, language)
        inputs = [*ranking.workbooks, *([survey] if survey else [])]
        if by_field:
            if chart:
                check_outputs((chart, CHART_SUFFIXES), inputs=inputs, force=force)
                _written(heatmap_chart(ranking, chart, language, inputs=inputs, force=force),
                         language)
            standings = field_standings(ranking)
            _publish(ranking, by_field_tables(standings, ranking.year, language),
                     standings_dict(standings), language, json=json, output=output,
                     inputs=inputs, force=force)
            return
        check_outputs((output, (*TABLE_SUFFIXES, ".html")), (chart, CHART_SUFFIXES),
                      inputs=inputs, force=force)
        if page and output:
            from cchc_cli.output.html import write_html

            write_html(ranking, output, language, inputs=inputs, force=force)
        elif output:
            write_tables(output, rank_file_tables(ranking, language), decimals=_decimals(ranking),
                         inputs=inputs, force=force)
        if chart:
            _written(rank_chart(ranking, chart, language, unit=unit, inputs=inputs, force=force),
                     language)
            if unit:
                render_problems(make_console(stderr=True), _not_charted(ranking, unit), language)
        if json:
            write_json(ranking_dict(ranking, language), sys.stdout)
        elif not output:
            render_ranking(make_console(), ranking, language)
        render_skipped(make_console(stderr=True), ranking, language)
        render_problems(make_console(stderr=True), ranking.survey_warnings, language)
        if ranking.not_ranked:
            render_not_ranked(make_console(stderr=True), ranking, language)
            raise typer.Exit(_exit_for(ranking.not_ranked))


UnitOption = Annotated[str, typer.Option("--unit", "-u", metavar="CODE",
                                         help="Mã đơn vị, vd. STC.", show_default=False)]
DataOption = Annotated[
    Path | None,
    typer.Option("--data", metavar="DIR", envvar="CCHC_DATA", show_default=False,
                 help="Thư mục gốc chứa các thư mục năm (2022/, 2023/ …). Mặc định: biến "
                      "CCHC_DATA, rồi thư mục hiện tại."),
]


@app.command(cls=_Command)
def compare(
    year_a: Annotated[int, typer.Argument(metavar="YEAR_A", help="Năm trước, vd. 2022.",
                                          show_default=False)],
    year_b: Annotated[int, typer.Argument(metavar="YEAR_B", help="Năm sau, vd. 2023.",
                                          show_default=False)],
    unit: UnitOption,
    data: DataOption = None,
    json: JsonOption = False,
    output: OutputOption = None,
    chart: ChartOption = None,
    force: ForceOption = False,
    survey: SurveysOption = None,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """So sánh một đơn vị giữa hai năm: thứ hạng, điểm, chỉ số, lĩnh vực và từng tiêu chí.

    Compares a unit between two years: rank within its group, points, index and band side by
    side with the change (differences of the displayed figures), then by field, then the
    criteria that lost more or fewer points or became (not) applicable, with the reasons.

    Ví dụ / examples:

      cchc compare 2022 2023 --unit STC --data samples

      cd samples && cchc compare 2022 2023 --unit STC

      cchc compare 2020 2022 --unit STC --data samples --output so-sanh.xlsx

      cchc compare 2022 2023 --unit STC --data samples --chart linh-vuc.png
    """
    if year_a == year_b:
        raise typer.BadParameter(f"hai năm phải khác nhau (the two years must differ): {year_a}")
    language = _lang(lang)
    with _guard(language, debug, verbose):
        surveys = _surveys(survey, language)
        comparison = compare_years(data, year_a, year_b, unit, jobs=default_jobs(),
                                   surveys=surveys)
        root = data_root(data)
        inputs = [*workbook_files(root / str(year_a)), *workbook_files(root / str(year_b)),
                  *(Path(s.answers.file) for s in surveys.values())]
        check_outputs((output, TABLE_SUFFIXES), (chart, CHART_SUFFIXES), inputs=inputs,
                      force=force)
        if output:
            write_tables(output, compare_tables(comparison, language), inputs=inputs,
                         decimals=comparison.b.result.criteria.rounding.decimals, force=force)
        if chart:
            _written(compare_chart(comparison, chart, language, inputs=inputs, force=force),
                     language)
        if json:
            write_json(comparison.as_dict(), sys.stdout)
        elif not output:
            render_comparison(make_console(), comparison, language)
        if render_rank_among_rest(make_console(stderr=True), (comparison.a, comparison.b),
                                  language):
            raise typer.Exit(EXIT_DATA)


@app.command(cls=_Command)
def gains(
    folder: YearFolderArgument,
    unit: UnitOption,
    target_rank: Annotated[int | None, typer.Option(
        "--target-rank", "-r", min=1, metavar="N",
        help="Hạng muốn đạt: tìm ít tiêu chí nhất cần lấy lại điểm.")] = None,
    json: JsonOption = False,
    output: OutputOption = None,
    force: ForceOption = False,
    survey: SurveyOption = None,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Mỗi tiêu chí bị trừ điểm đáng giá bao nhiêu: điểm, chỉ số và thứ hạng nếu lấy lại.

    For a unit in a year: every item that lost points, sorted by what recovering it would
    bring — points, index (percentage points) and the rank the unit would then hold among that
    year's units of its group (their results unchanged) — with the reason and the office
    responsible; then the fewest items that would lift it one place, to the next band, and to
    --target-rank.

    Ví dụ / examples:

      cchc gains samples/2023 --unit STC

      cchc gains samples/2023 --unit STC --target-rank 10

      cchc gains samples/2023 --unit STC --output STC-2023-lay-lai-diem.xlsx
    """
    from cchc_cli.folders import gains_of_folder
    from cchc_cli.output.reports import gains_tables

    language = _lang(lang)
    with _guard(language, debug, verbose):
        answers = _folder_survey(survey, folder, language)
        result = gains_of_folder(folder, unit, target_rank=target_rank, jobs=default_jobs(),
                                 survey=answers)
        if target_rank is not None and target_rank >= result.rank:
            why = t("gains.why.beyond" if target_rank > result.of else "gains.why.already",
                    language, rank=result.rank, of=result.of)
            render_problems(make_console(stderr=True), [Problem(
                "gains-target-ignored", params={"target": target_rank, "why": why})], language)
        if output:
            write_tables(output, gains_tables(result, language),
                         inputs=[*workbook_files(folder), *([survey] if survey else [])],
                         decimals=result.criteria.rounding.decimals, force=force)
        if json:
            write_json(result.as_dict(), sys.stdout)
        elif not output:
            render_gains(make_console(), result, language)
        if render_rank_among_rest(make_console(stderr=True), [result], language):
            raise typer.Exit(EXIT_DATA)


@app.command(cls=_Command)
def history(
    unit: UnitOption,
    data: DataOption = None,
    json: JsonOption = False,
    chart: ChartOption = None,
    force: ForceOption = False,
    survey: SurveysOption = None,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Một đơn vị qua các năm: điểm, chỉ số, thứ hạng, xếp loại mỗi năm.

    A unit over the years: every year folder under the data root that holds it, one row a
    year with a bar of its index; --chart draws index and rank as PNG, SVG or PDF.

    Ví dụ / examples:

      cchc history --unit STC --data samples

      cchc history --unit STC --data samples --chart stc.png
    """
    language = _lang(lang)
    with _guard(language, debug, verbose):
        story = unit_history(data, unit, jobs=default_jobs(),
                             surveys=_surveys(survey, language))
        if chart:
            inputs = [s.result.file for s in story.years if s.result.file]
            _written(history_chart(story, chart, language, inputs=inputs, force=force), language)
        if json:
            write_json(story.as_dict(), sys.stdout)
        else:
            render_history(make_console(), story, language)
        if render_rank_among_rest(make_console(stderr=True), story.years, language):
            raise typer.Exit(EXIT_DATA)


@app.command(name="survey", cls=_Command)
def survey_command(
    answers: Annotated[Path, typer.Argument(
        metavar="ANSWERS", show_default=False,
        help="Tệp phiếu điều tra XHH: mỗi dòng một phiếu (mã đơn vị, đối tượng, mã phiếu, "
             "các câu hỏi), hoặc đã tổng hợp (mã đơn vị, đối tượng, câu hỏi, số trả lời mỗi "
             "phương án). .xlsx, .xls, .ods hoặc .csv (UTF-8).")],
    criteria: Annotated[str | None, typer.Option(
        "--criteria", "-c", metavar="ID|FILE.yaml",
        help="Bộ tiêu chí khai báo điều tra XHH (survey:). Mặc định: bộ duy nhất của năm "
             "khai báo điều tra XHH.")] = None,
    year: Annotated[int | None, typer.Option("--year", "-y", metavar="YEAR", help="Năm đánh "
                    "giá: chọn bộ tiêu chí khai báo điều tra XHH của năm đó (mặc định: năm "
                    "ghi trong tên tệp).", show_default=False)] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", metavar="CODE",
                                             help="Chi tiết từng tiêu chí của một đơn vị, kèm "
                                                  "cách tính.")] = None,
    json: JsonOption = False,
    output: OutputOption = None,
    force: ForceOption = False,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Chấm các tiêu chí điều tra XHH từ phiếu, và chỉ số hài lòng của từng đơn vị.

    Scores the survey-scored criteria from the answers themselves: per unit and criterion the
    answers counted, the share, the points and the working; each unit's satisfaction index;
    the province's mean by question. The survey is declared in the criteria set (survey:).

    Ví dụ / examples:

      cchc survey samples/survey/2023.xlsx

      cchc survey samples/survey/2023.xlsx --unit STC

      cchc survey samples/survey/2023-tong-hop.xlsx -o diem-xhh.xlsx
    """
    language = _lang(lang)
    with _guard(language, debug, verbose):
        chosen, registry = _chosen_criteria(criteria)
        check_outputs((output, TABLE_SUFFIXES), inputs=[answers], force=force)
        result = survey_file(answers, chosen, year=year, registry=registry)
        render_problems(make_console(stderr=True), result.problems, language)
        if unit is not None and result.unit(unit) is None:
            raise CchcError([Problem("unit-not-found", file=str(answers),
                                     params={"unit": unit, "folder": answers.name})])
        if output:
            write_tables(output, survey_tables(result, language),
                         decimals=result.criteria.rounding.decimals, inputs=[answers],
                         force=force)
        if json:
            write_json(result.as_dict(language), sys.stdout)
        elif not output:
            render_survey(make_console(), result, language, unit=unit)


def _folder_survey(survey: Path | None, folder: Path, lang: Lang,
                   registry: Registry | None = None) -> SurveyResult | None:
    """``--survey`` for a year folder: the answers read by the set of the folder's year."""
    return _survey(survey, lang, registry=registry,
                   year=year_of_folder(folder) if folder.is_dir() else None)


def _ranked_in_full(folder: Path, survey: Path | None, lang: Lang
                    ) -> tuple[YearRanking, list[Path]]:
    """A year ranked with every unit's fields and items kept (what the publications read),
    and the inputs no output may be written over."""
    registry = load_registry()
    answers = _folder_survey(survey, folder, lang, registry)
    ranking = rank_folder(folder, registry, jobs=default_jobs(), survey=answers, keep=KEEP_ALL)
    return ranking, [*ranking.workbooks, *([survey] if survey else [])]


def _written(path: Path, lang: Lang) -> None:
    """A file written besides what is printed (a chart): said on stderr, as reports are."""
    make_console(stderr=True).print(t("report.written", lang, path=str(path)), soft_wrap=True)


def _publish(ranking: YearRanking, tables: list, data: object, lang: Lang, *, json: bool,
             output: Path | None, inputs: list[Path], force: bool) -> None:
    """Show or write what was computed from a ranking, then name the workbooks not ranked and
    exit as ``rank`` does: a shorter list is never silent."""
    check_outputs((output, TABLE_SUFFIXES), inputs=inputs, force=force)
    if output:
        write_tables(output, tables, decimals=_decimals(ranking), inputs=inputs, force=force)
    if json:
        write_json({"year": ranking.year, "folder": str(ranking.folder), "data": data,
                    "not_ranked": [{"file": n.file, "problems": [p.as_dict(lang)
                                                               for p in n.problems]}
                                   for n in ranking.not_ranked]}, sys.stdout)
    elif not output:
        console = make_console()
        for table in tables:
            render_table(console, table, _decimals(ranking), lang,
                         caption=table.notes[0] if table.notes else None)
            console.print()
    render_problems(make_console(stderr=True), ranking.survey_warnings, lang)
    if ranking.not_ranked:
        render_not_ranked(make_console(stderr=True), ranking, lang)
        raise typer.Exit(_exit_for(ranking.not_ranked))


@app.command(cls=_Command)
def criterion(
    code: Annotated[str, typer.Argument(metavar="CODE", help="Mã tiêu chí được chấm, vd. 1.4.3.",
                                        show_default=False)],
    folder: YearFolderArgument,
    json: JsonOption = False,
    output: OutputOption = None,
    force: ForceOption = False,
    survey: SurveyOption = None,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Mọi đơn vị trên một tiêu chí: tối đa, hạ chuẩn, tự đánh giá, thẩm định, bị trừ, lý do.

    Every unit on one criterion: its maximum, whether it was reduced, the self-assessed and
    appraised scores, the points lost, the reason and the office responsible — the most points
    lost first.

    Ví dụ / examples:

      cchc criterion 1.4.3 samples/2023

      cchc criterion 7.2.1 samples/2023 -o tieu-chi-7.2.1.xlsx
    """
    from cchc_cli.engine.publish import criterion_dict, criterion_view

    language = _lang(lang)
    with _guard(language, debug, verbose):
        ranking, inputs = _ranked_in_full(folder, survey, language)
        views = criterion_view(ranking, code)
        _publish(ranking, criterion_tables(views, ranking.year, language), criterion_dict(views),
                 language, json=json, output=output, inputs=inputs, force=force)


@app.command(cls=_Command)
def losses(
    folder: YearFolderArgument,
    top: Annotated[int | None, typer.Option("--top", "-n", min=1, metavar="N",
                                            help="Chỉ N tiêu chí bị trừ nhiều nhất mỗi nhóm.")]
    = None,
    json: JsonOption = False,
    output: OutputOption = None,
    force: ForceOption = False,
    survey: SurveyOption = None,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Các tiêu chí cả tỉnh bị trừ nhiều điểm nhất, kèm các lý do thường gặp.

    The criteria the province lost most on, summed over each group's units: points lost,
    units that lost any, share of the group's total loss, and the most common reasons — what
    next year's guidance should target.

    Ví dụ / examples:

      cchc losses samples/2023 --top 10

      cchc losses samples/2023 -o bi-tru-2023.xlsx
    """
    from cchc_cli.engine.publish import losses as losses_of
    from cchc_cli.engine.publish import losses_dict

    language = _lang(lang)
    with _guard(language, debug, verbose):
        ranking, inputs = _ranked_in_full(folder, survey, language)
        found = losses_of(ranking, top)
        _publish(ranking, losses_tables(found, ranking.year, language), losses_dict(found),
                 language, json=json, output=output, inputs=inputs, force=force)


@app.command(cls=_Command)
def status(
    folder: YearFolderArgument,
    strict: Annotated[bool, typer.Option("--strict", help="Mã thoát 1 nếu còn đơn vị chưa "
                                         "sẵn sàng xếp hạng hoặc chưa nộp.")] = False,
    json: JsonOption = False,
    output: OutputOption = None,
    force: ForceOption = False,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Tiến độ nộp bảng tính của một năm: ai đã gửi gì, còn thiếu gì, ai sẵn sàng xếp hạng.

    The campaign's progress: one line per workbook (self-assessment and appraisal items
    filled, second round, survey points, errors, warnings, ready to rank), then the units of
    the previous year's folder with no workbook yet. Incomplete is a state, not a failure:
    exit 0 when the table could be drawn; --strict exits 1 unless every unit is ready.

    Ví dụ / examples:

      cchc status samples/2023

      cchc status du-lieu-cchc/2024 --strict
    """
    from cchc_cli.folders import campaign_status

    language = _lang(lang)
    with _guard(language, debug, verbose):
        campaign = campaign_status(folder)
        tables = status_tables(campaign, language)
        inputs = workbook_files(folder)
        check_outputs((output, TABLE_SUFFIXES), inputs=inputs, force=force)
        if output:
            write_tables(output, tables, inputs=inputs, force=force)
        if json:
            write_json(campaign_dict(campaign, language), sys.stdout)
        elif not output:
            console = make_console()
            for table in tables:
                render_table(console, table, 2, language,
                             caption=table.notes[0] if table.notes else None)
                console.print()
        render_problems(make_console(stderr=True),
                        [p for u in campaign.units for p in u.errors], language)
        if strict and (campaign.ready < len(campaign.units) or campaign.missing):
            raise typer.Exit(EXIT_DATA)


@app.command(cls=_Command)
def validate(
    path: Annotated[Path, typer.Argument(metavar="FILE|FOLDER", show_default=False,
                                         help="Một bảng tính, hoặc thư mục một năm.")],
    json: JsonOption = False,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Kiểm tra bảng tính: liệt kê mọi lỗi của mọi bảng tính cùng lúc, kèm ô và tiêu chí.

    Lists every problem of every workbook at once — file, sheet, cell, criterion — without
    stopping at the first; exit code 1 when any of them is an error.

    Ví dụ / examples:

      cchc validate samples/2023

      cchc validate samples/2020/STC.xlsx --json
    """
    language = _lang(lang)
    with _guard(language, debug, verbose):
        checked = validate_path(path, jobs=default_jobs())
        if json:
            write_json([p.as_dict(language) for p in checked.problems], sys.stdout)
        else:
            console = make_console()
            render_problems(console, checked.problems, language)
            if checked.files == 0:
                pass  # nothing was checked: the problem above says why
            elif checked.problems:
                console.print(t("validate.summary", language, files=checked.files,
                                bad=checked.files_with_errors, errors=len(checked.errors),
                                warnings=len(checked.problems) - len(checked.errors)))
            else:
                console.print(t("validate.clean", language, files=checked.files))
        if checked.errors:
            raise typer.Exit(EXIT_DATA)


def _only_group(ranking: YearRanking, group: str, lang: Lang) -> YearRanking:
    """The units of ``group`` alone, ranked as ``rank_folder(group=…)`` ranks them, from the
    one scoring of the whole folder, so that a group matching none of them (a typo) is
    ``unknown-group`` naming the groups present — with the problems of the workbooks that
    could not be scored, as one of them may be of that group."""
    results = [u.result for g in ranking.groups for u in g.units
               if u.result.criteria.matches_group(group)]
    if not results:
        present = ", ".join(g.group for g in ranking.groups) or "—"
        render_problems(make_console(stderr=True), [
            Problem("unknown-group", file=str(ranking.folder),
                    params={"group": group, "present": present}), *ranking.unscored], lang)
        raise typer.Exit(EXIT_USAGE)  # a usage error: the option names no group here
    return replace(ranking, groups=rank_results(results))


def _not_charted(ranking: YearRanking, unit: str) -> list[Problem]:
    """A --unit the chart does not show is said, not left to a chart with nothing highlighted."""
    if ranking.find(unit) is not None:
        return []
    codes = ", ".join(u.code for g in ranking.groups for u in g.units) or "—"
    return [Problem("chart-unit-not-found", file=str(ranking.folder),
                    params={"unit": unit, "codes": codes})]


def _decimals(ranking: YearRanking) -> int:
    return ranking.groups[0].criteria.rounding.decimals if ranking.groups else 2


# click's usage error, as typer carries it (its own copy of click, or click itself)
UsageError = next(k for k in typer.BadParameter.__mro__ if k.__name__ == "UsageError")


def _one_report(**given: object) -> None:
    """``report`` writes one kind of document: options of another kind are refused (exit 2),
    never silently ignored."""
    kinds = {"file": "FILE", "compare": "--compare", "rank_dir": "--rank"}
    chosen = [kinds[key] for key in kinds if given[key] is not None]
    if len(chosen) > 1:
        raise UsageError(f"{' và '.join(chosen)} không dùng cùng nhau: mỗi lần viết một báo "
                         f"cáo ({' and '.join(chosen)} cannot be used together)")
    belongs = {"by_office": ("--by-office", "FILE"), "unit": ("--unit", "--compare"),
               "decision": ("--decision", "--rank")}
    for key, (option, owner) in belongs.items():
        if given[key] and owner not in chosen:
            raise UsageError(f"{option} chỉ dùng với {owner} ({option} is used only with "
                             f"{owner})")


@app.command(cls=_Command)
def report(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE.docx|FILE.xlsx",
                                         help="Tệp báo cáo: Word (.docx) hoặc Excel (.xlsx).",
                                         show_default=False)],
    file: Annotated[Path | None, typer.Argument(metavar="FILE", show_default=False,
                                                help="Bảng tính của một đơn vị.")] = None,
    by_office: Annotated[bool, typer.Option("--by-office", help="Nhóm các dòng theo phòng "
                                            "chịu trách nhiệm, có cộng điểm từng phòng.")]
    = False,
    compare: Annotated[tuple[int, int] | None, typer.Option(
        "--compare", metavar="YEAR_A YEAR_B", show_default=False,
        help="Báo cáo so sánh hai năm của --unit thay cho phụ lục bị trừ điểm.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", metavar="CODE",
                                             help="Mã đơn vị (với --compare).")] = None,
    rank_dir: Annotated[Path | None, typer.Option(
        "--rank", metavar="YEAR_DIR", show_default=False,
        help="Phụ lục của quyết định công bố Chỉ số: mọi đơn vị của thư mục năm, theo nhóm, "
             "kèm chỉ số từng lĩnh vực.")] = None,
    decision: Annotated[str | None, typer.Option(
        "--decision", metavar="TEXT", show_default=False,
        help="Quyết định mà phụ lục kèm theo, vd. “Quyết định số 25/QĐ-UBND ngày 08/01/2024 "
             "của Ủy ban nhân dân tỉnh”.")] = None,
    data: DataOption = None,
    force: ForceOption = False,
    survey: SurveysOption = None,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Viết phụ lục "những nội dung bị trừ điểm" hoặc phần so sánh hai năm của công văn.

    Writes the lost-points appendix of a unit (as Sở Tài chính's April 2021 memo has it: the totals
    line, then every appraised criterion that lost points with its reason and office, then what the
    survey took) as Word or Excel; --by-office groups it by office with subtotals. With --compare
    YEAR_A YEAR_B --unit CODE, writes the comparison part of a memo like Sở Tài chính's 2024 memo.

    Ví dụ / examples:

      cchc report samples/2020/STC.xlsx -o phu-luc-2020.docx

      cchc report samples/2020/STC.xlsx --by-office -o phu-luc-theo-phong.xlsx

      cchc report --compare 2022 2023 --unit STC --data samples -o so-sanh.docx
    """
    from cchc_cli.output.docx import write_document

    _one_report(file=file, compare=compare, rank_dir=rank_dir, by_office=by_office, unit=unit,
                decision=decision)
    language = _lang(lang)
    with _guard(language, debug, verbose):
        if rank_dir is not None:
            ranking, inputs = _ranked_in_full(
                rank_dir, _survey_path(survey[0])[1] if survey else None, language)
            path = write_document(annex_document(ranking, language, decision), output,
                                  decimals=_decimals(ranking), lang=language, inputs=inputs,
                                  force=force)
            make_console(stderr=True).print(t("report.written", language, path=str(path)),
                                            soft_wrap=True)
            if ranking.not_ranked:
                render_not_ranked(make_console(stderr=True), ranking, language)
                raise typer.Exit(_exit_for(ranking.not_ranked))
            return
        if compare is not None:
            if not unit:
                raise typer.BadParameter("--compare cần --unit (needs --unit)")
            surveys = _surveys(survey, language)
            comparison = compare_years(data, compare[0], compare[1], unit, jobs=default_jobs(),
                                       surveys=surveys)
            root = data_root(data)
            inputs = [p for year in compare for p in workbook_files(root / str(year))]
            inputs += [Path(s.answers.file) for s in surveys.values()]
            document = comparison_document(comparison, language)
            decimals = comparison.b.result.criteria.rounding.decimals
            ranked = [comparison.a, comparison.b]
        else:
            if file is None:
                raise typer.BadParameter("cần FILE hoặc --compare (FILE or --compare needed)")
            answers = _survey(_survey_path(survey[0])[1], language) if survey else None
            result = score_file(file, survey=answers)
            if result.warnings:
                render_problems(make_console(stderr=True), result.warnings, language)
            document = appendix(result, language, by_office=by_office)
            inputs, decimals = [file], result.criteria.rounding.decimals
            inputs += [Path(answers.answers.file)] if answers else []
            ranked = []
        path = write_document(document, output, decimals=decimals, lang=language,
                              inputs=inputs, force=force)
        make_console(stderr=True).print(t("report.written", language, path=str(path)),
                                        soft_wrap=True)
        if render_rank_among_rest(make_console(stderr=True), ranked, language):
            raise typer.Exit(EXIT_DATA)


@app.command(cls=_Command)
def template(
    output: Annotated[Path, typer.Option("--output", "-o", metavar="FILE.xlsx",
                                         help="Tệp mẫu sẽ ghi.", show_default=False)],
    unit: Annotated[str | None, typer.Option("--unit", "-u", metavar="CODE",
                                             help="Mã đơn vị, vd. STC.")] = None,
    year: Annotated[int | None, typer.Option("--year", "-y", help="Năm đánh giá.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Tên đơn vị.")] = None,
    group: Annotated[str | None, typer.Option("--group", "-g", help="Nhóm của đơn vị.")]
    = None,
    criteria: CriteriaOption = None,
    appraisal: Annotated[Path | None, typer.Option(
        "--appraisal", metavar="SELF.xlsx", show_default=False,
        help="Bảng tự đánh giá của đơn vị: thêm trang Thẩm định điền sẵn điểm tự đánh giá "
             "để Hội đồng sửa, và trang Điều tra XHH.")] = None,
    force: ForceOption = False,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Ghi bảng tính mẫu cho một đơn vị: đủ mọi tiêu chí, khó điền sai.

    Writes the canonical workbook for a unit: every scored item pre-filled (code as text,
    title, max), score cells that accept only a number within the item's range, a
    "Không phát sinh" drop-down only where a reduction is allowed, subtotal formulas, the
    sheets protected except the cells to fill. With --appraisal SELF.xlsx, the unit's filled
    self-assessment is copied and an appraisal sheet prefilled with its scores is added.

    Ví dụ / examples:

      cchc template --criteria soc-trang-so-2021 --unit STC --year 2024 -o STC-2024.xlsx

      cchc template --appraisal STC-2024-tu-danh-gia.xlsx -o STC-2024-tham-dinh.xlsx
    """
    language = _lang(lang)
    with _guard(language, debug, verbose):
        filled = None
        if appraisal is not None:
            filled = read_unit(appraisal)
            if filled.info is None:
                raise CchcError(filled.problems)
            council = [row for row in (filled.appraisal.rows.values() if filled.appraisal
                                       else []) if any(row.values.get(k) is not None
                                                       for k in ("points", "points2"))]
            if council:
                raise CchcError([Problem("template-has-appraisal", file=str(appraisal),
                                         sheet=filled.appraisal.name if filled.appraisal
                                         else None, params={"n": len(council)})])
            unit = unit or filled.info.code
            year = year or filled.info.year
            name = name or filled.info.name
            group = group or filled.info.group
            criteria = criteria or filled.info.criteria_set
        if not unit or not year:
            raise typer.BadParameter("--unit và --year là bắt buộc (required)")
        chosen, registry = _chosen_criteria(criteria)
        if chosen is None:
            chosen = (registry or load_registry()).select(year=year, group=group, set_id=None)
        path = write_template(chosen, output, code=unit_code(unit), name=name or unit,
                              year=year, group=group, filled=filled,
                              inputs=[appraisal] if appraisal else [], force=force)
        make_console(stderr=True).print(t("template.written", language, path=str(path),
                                          id=chosen.id, n=len(chosen.leaves)), soft_wrap=True)


@criteria_app.command("show", cls=_Command)
def criteria_show(
    set_id: Annotated[str, typer.Argument(metavar="ID|FILE.yaml", show_default=False,
                                          help="Mã bộ tiêu chí hoặc tệp YAML.")],
    json: JsonOption = False,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """In cây tiêu chí của một bộ: mã, nội dung, điểm tối đa, cách chấm, hạ chuẩn.

    Prints a criteria set's tree as a table: code, title, max (and min), how it is scored,
    whether it may be reduced.

    Ví dụ / example:

      cchc criteria show soc-trang-so-2021
    """
    language = _lang(lang)
    with _guard(language, debug, verbose):
        cs, _ = _criteria_named(set_id)
        if json:
            write_json(cs.model_dump(by_alias=True), sys.stdout)
        else:
            table = criteria_table(cs, language)
            render_table(make_console(), table, 2, language)


@criteria_app.command("check", cls=_Command)
def criteria_check(
    files: Annotated[list[Path], typer.Argument(help="Tệp YAML bộ tiêu chí.",
                                                metavar="FILE.yaml", show_default=False)],
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Kiểm tra tệp bộ tiêu chí: cú pháp, khóa, tổng điểm, mã lồng nhau (kèm số dòng).

    Checks criteria YAML files: syntax, keys, sums of max points, unique and nested codes;
    every problem is named with its line and path.

    Ví dụ / example:

      cchc criteria check criteria/soc-trang/so-2021.yaml
    """
    language = _lang(lang)
    problems = []
    with _guard(language, debug, verbose):
        for file in files:
            try:
                render_criteria_ok(make_console(), load_criteria(file), language)
            except CchcError as err:
                problems += err.problems
        if problems:
            raise CchcError(problems)


@criteria_app.command("import", cls=_Command)
def criteria_import(
    source: Annotated[Path, typer.Argument(
        metavar="ANNEX", show_default=False,
        help="Phụ lục bộ tiêu chí của tỉnh: bảng Word (.docx) hoặc bảng tính chấm điểm "
             "(.xlsx, .xls, .ods).")],
    output: Annotated[Path, typer.Option("--output", "-o", metavar="SET.yaml",
                                         show_default=False,
                                         help="Tệp YAML nháp sẽ ghi.")],
    set_id: Annotated[str, typer.Option("--id", metavar="ID", help="Mã bộ tiêu chí, vd. "
                                        "an-giang-so-2024.", show_default=False)] = "",
    province: Annotated[str, typer.Option("--province", metavar="TỈNH",
                                          help="Tên tỉnh.")] = "…",
    group: Annotated[str, typer.Option("--group", metavar="NHÓM",
                                       help="Nhóm đơn vị, vd. “Sở, ban ngành tỉnh”.")]
    = "Sở, ban ngành tỉnh",
    years: Annotated[str, typer.Option("--years", metavar="2025-|2024-2025",
                                       help="Các năm áp dụng.")] = "",
    force: ForceOption = False,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Dựng bộ tiêu chí (YAML nháp) từ chính bảng tiêu chí tỉnh ban hành, rồi kiểm tra nó.

    Reads the criteria table of the province's own annex (a Word table, or an Excel scoring
    form) into a YAML draft — fields, criteria, sub-criteria, maxima, survey-scored and
    reducible rows, the method text as comments — then checks it as `criteria check` does.
    Exit 0 when the draft checks clean, 1 when it needs fixing (it is written anyway).

    Ví dụ / examples:

      cchc criteria import phu-luc-bo-tieu-chi.docx -o criteria/tinh/so-2025.yaml --years 2025-

      cchc criteria import mau-cham-diem.xlsx -o bo-tieu-chi.yaml --province "An Giang"
    """
    from datetime import date

    from cchc_cli.folders import import_criteria
    from cchc_cli.model.text import fold

    language = _lang(lang)
    with _guard(language, debug, verbose):
        first, _, last = years.partition("-")
        first_year = int(first) if first.strip().isdigit() else date.today().year
        last_year = int(last) if last.strip().isdigit() else None
        set_id = set_id or re.sub(r"[^a-z0-9]+", "-", fold(output.stem) or "bo-tieu-chi"
                                  ).strip("-") or "bo-tieu-chi"
        result = import_criteria(source, output, set_id=set_id, province=province,
                                 group=group, first_year=first_year, last_year=last_year,
                                 force=force)
        render_problems(make_console(stderr=True), result.problems, language)
        make_console(stderr=True).print(t("import.written", language, path=str(result.path),
                                          n=len(result.criteria.leaves) if result.criteria
                                          else "—"), soft_wrap=True)
        if not result.clean:
            raise typer.Exit(EXIT_DATA)


@criteria_app.command("diff", cls=_Command)
def criteria_diff(
    a: Annotated[str, typer.Argument(metavar="A", help="Bộ cũ: mã bộ hoặc tệp YAML.",
                                     show_default=False)],
    b: Annotated[str, typer.Argument(metavar="B", help="Bộ mới: mã bộ hoặc tệp YAML.",
                                     show_default=False)],
    json: JsonOption = False,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """So sánh hai bộ tiêu chí: thêm, bỏ, đổi tên, đổi điểm, chuyển chỗ, đổi cách chấm.

    Two criteria sets compared: items added, removed, renamed (same code, new title), with a
    new maximum, moved to another parent, survey or reducible flags changed; and a suggested
    `replaces:` for the items of B that continue items of A under another code (by title).

    Ví dụ / examples:

      cchc criteria diff soc-trang-so-2019 soc-trang-so-2021

      cchc criteria diff soc-trang-so-2021 bo-moi.yaml --json
    """
    from cchc_cli.engine.setdiff import diff_sets

    language = _lang(lang)
    with _guard(language, debug, verbose):
        found = diff_sets(_criteria_named(a)[0], _criteria_named(b)[0])
        if json:
            write_json(found.as_dict(), sys.stdout)
            return
        console = make_console()
        for table in diff_tables(found, language):
            render_table(console, table, 2, language,
                         caption=table.notes[0] if table.notes else None)
            console.print()


@criteria_app.command("list", cls=_Command)
def criteria_list(
    folder: Annotated[list[Path] | None, typer.Option(
        "--criteria", "-c", metavar="DIR", show_default=False,
        help="Thêm thư mục chứa bộ tiêu chí (có thể lặp lại).")] = None,
    lang: LangOption = None,
    verbose: VerboseOption = False,
    debug: DebugOption = False,
) -> None:
    """Liệt kê các bộ tiêu chí có sẵn (kèm thư mục trong biến CCHC_CRITERIA).

    Lists the criteria sets cchc knows: built in, and in folders named by CCHC_CRITERIA.

    Ví dụ / example:

      cchc criteria list
    """
    language = _lang(lang)
    with _guard(language, debug, verbose):
        registry = load_registry(folder or None)
        render_registry(make_console(), registry, language)
        problems = registry.problems
        raise_if_errors(problems)
        render_problems(make_console(stderr=True), problems, language)  # warnings only


def _exit_for(not_ranked: list) -> int:
    """1 when workbooks could not be scored; 3 when cchc itself failed on one of them."""
    internal = any(p.code == "internal-error" for entry in not_ranked for p in entry.problems)
    return EXIT_INTERNAL if internal else EXIT_DATA


class Interrupted(BaseException):
    """SIGINT or SIGTERM: unwinds like an exception (temporary files are removed, workers
    stopped) but passes every ``except Exception`` and click's own KeyboardInterrupt handling."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


def _result_lost(err: CchcError) -> NoReturn:
    """stdout could not take the result (``stdout-write-failed``, streams.py): exit 1."""
    render_problems(make_console(stderr=True), err.problems, default_lang())
    sys.exit(EXIT_DATA)


def _utf8_streams() -> None:
    """Vietnamese must always print: stdout redirected to a file on Windows (cp1258) or a
    Latin-1 locale would otherwise end in UnicodeEncodeError, an internal error (3)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        if codecs.lookup(encoding).name != "utf-8" and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")


def main() -> None:
    import signal

    from cchc_cli.clickwords import is_usage_error, tell

    guard_standard_streams()
    _utf8_streams()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        try:
            code = app(standalone_mode=False)
        except Exception as exc:  # a usage error: told in the user's language, exit 2
            if not is_usage_error(exc):
                raise
            lang = wanted_lang(sys.argv[1:], default_lang())
            code = tell(exc, lang, lambda text: typer.echo(text, err=True))
        except (typer.Abort, EOFError):
            typer.echo(t("aborted", default_lang()), err=True)
            code = 1
        if isinstance(code, int) and code:
            sys.stdout.flush()
            sys.exit(code)
    except Interrupted as stop:
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second signal must not interrupt
            signal.signal(signum, signal.SIG_IGN)       # the cleanup that already ran
        name = signal.Signals(stop.signum).name
        make_console(stderr=True).print(t("interrupted", default_lang(), signal=name),
                                        soft_wrap=True)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        # temporary files are gone and workers killed; leave now, before the process pool's
        # threads can complain at exit about the pipes of workers that are no more
        os._exit(128 + stop.signum)
    except CchcError as err:  # stdout failed outside a command (--help, --version)
        _result_lost(err)
    finally:
        try:  # what is still buffered goes now, while a closed pipe can be handled
            sys.stdout.flush()
        except BrokenPipeError:
            _reader_gone()
        except CchcError as err:  # stdout failed on what was left (streams.py)
            _result_lost(err)
