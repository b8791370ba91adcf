"""The year's results as one self-contained HTML page (``rank -o ket-qua-2023.html``): no
network, no external script, style or font, so it opens from a USB stick or the province's
portal. Per group: the ranking, sortable by any column, a search box, each unit expandable to
its fields and its lost points with reasons; a heat map of units × fields; the workbooks not
ranked; a print stylesheet.

A link can carry a state — ``#sort=index&dir=asc&expand=STC&q=tài`` — which the page applies
when it opens (what the browser test drives, and what a user shares).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from decimal import Decimal
from html import escape
from pathlib import Path

from cchc_cli.engine.publish import field_index
from cchc_cli.engine.ranking import GroupRanking, YearRanking
from cchc_cli.model.decimals import fixed
from cchc_cli.model.results import UnitResult
from cchc_cli.output.guard import CREATOR, OUTPUT_MARK, write_output
from cchc_cli.words import Lang, t

STYLE = """
:root { --ink: #1b1f24; --muted: #5b6470; --line: #d7dce2; --head: #eef1f5; }
* { box-sizing: border-box; }
body { font: 15px/1.45 "Times New Roman", "Liberation Serif", serif; color: var(--ink);
       margin: 1.5rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .25rem; }
p.note { color: var(--muted); margin: .25rem 0 .75rem; }
input.search { font: inherit; padding: .35rem .5rem; width: 22rem; max-width: 100%;
               border: 1px solid var(--line); border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .25rem .45rem; vertical-align: top; }
th { background: var(--head); text-align: center; }
th.sortable { cursor: pointer; user-select: none; }
th.sortable[aria-sort=ascending]::after { content: " ▲"; }
th.sortable[aria-sort=descending]::after { content: " ▼"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
button.expand { font: inherit; border: 1px solid var(--line); background: #fff;
                border-radius: 3px; cursor: pointer; padding: 0 .4rem; }
tr.detail > td { background: #fafbfc; }
tr.detail table { margin: .25rem 0; }
table.heat td.num { color: #111; }
.provisional { color: var(--muted); font-style: italic; }
@media print {
  input.search, button.expand { display: none; }
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
}
"""

SCRIPT = """
(function () {
  function fold(s) {
    return s.toLowerCase().replace(/đ/g, "d").normalize("NFD")
            .replace(/[\\u0300-\\u036f]/g, "");
  }
  function rowsOf(table) {
    return Array.prototype.slice.call(table.tBodies[0].rows)
      .filter(function (r) { return r.classList.contains("unit"); });
  }
  function sortBy(table, key, dir) {
    var body = table.tBodies[0];
    var ths = table.querySelectorAll("th.sortable");
    ths.forEach(function (th) {
      th.setAttribute("aria-sort", th.dataset.key === key ? dir : "none");
    });
    var numeric = table.querySelector('th[data-key="' + key + '"]').dataset.type === "num";
    var rows = rowsOf(table);
    rows.sort(function (a, b) {
      var x = a.dataset[key], y = b.dataset[key];
      var c;
      if (numeric) {
        var fx = x === "" ? -Infinity : parseFloat(x), fy = y === "" ? -Infinity : parseFloat(y);
        c = fx < fy ? -1 : fx > fy ? 1 : 0;
      } else {
        c = x.localeCompare(y, "vi");
      }
      if (c === 0) { c = parseInt(a.dataset.order, 10) - parseInt(b.dataset.order, 10); }
      return dir === "ascending" ? c : -c;
    });
    rows.forEach(function (r) {
      body.appendChild(r);
      var d = document.getElementById("detail-" + r.dataset.id);
      if (d) { body.appendChild(d); }
    });
  }
  function expand(id, open) {
    var d = document.getElementById("detail-" + id);
    var b = document.querySelector('button[data-id="' + id + '"]');
    if (!d || !b) { return; }
    d.hidden = !open;
    b.setAttribute("aria-expanded", open ? "true" : "false");
    b.textContent = open ? "−" : "+";
  }
  function search(q) {
    var key = fold(q.trim());
    document.querySelectorAll("table.ranking tr.unit").forEach(function (r) {
      var show = !key || fold(r.dataset.code + " " + r.dataset.name).indexOf(key) >= 0;
      r.hidden = !show;
      var d = document.getElementById("detail-" + r.dataset.id);
      if (d && !show) { d.hidden = true; }
    });
  }
  document.querySelectorAll("table.ranking").forEach(function (table) {
    table.querySelectorAll("th.sortable").forEach(function (th) {
      th.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "descending" ? "ascending" : "descending";
        if (th.dataset.type !== "num" && th.getAttribute("aria-sort") === "none") {
          dir = "ascending";
        }
        sortBy(table, th.dataset.key, dir);
      });
    });
  });
  document.querySelectorAll("button.expand").forEach(function (b) {
    b.addEventListener("click", function () {
      expand(b.dataset.id, b.getAttribute("aria-expanded") !== "true");
    });
  });
  var box = document.getElementById("search");
  if (box) { box.addEventListener("input", function () { search(box.value); }); }
  var state = {};
  location.hash.replace(/^#/, "").split("&").forEach(function (part) {
    var kv = part.split("=");
    if (kv[0]) { state[kv[0]] = decodeURIComponent(kv[1] || ""); }
  });
  if (state.sort) {
    var dir = state.dir === "asc" ? "ascending" : "descending";
    document.querySelectorAll("table.ranking").forEach(function (table) {
      if (table.querySelector('th[data-key="' + state.sort + '"]')) {
        sortBy(table, state.sort, dir);
      }
    });
  }
  if (state.expand) {
    document.querySelectorAll("tr.unit").forEach(function (r) {
      if (r.dataset.code.toUpperCase() === state.expand.toUpperCase()) {
        expand(r.dataset.id, true);
      }
    });
  }
  if (state.q && box) { box.value = state.q; search(state.q); }
  document.body.dataset.ready = "true";
})();
"""


def _num(value: Decimal | None, decimals: int, lang: Lang) -> str:
    return "—" if value is None else fixed(value, decimals, lang)


def _heat(index: Decimal | None) -> str:
    """A cell's colour: red (50 % and under) through yellow to green (100 %)."""
    if index is None:
        return "#f2f2f2"
    share = max(Decimal(0), min(Decimal(1), (index - 50) / 50))
    hue = int(share * 120)
    return f"hsl({hue}, 70%, 80%)"


def _detail(result: UnitResult, decimals: int, lang: Lang) -> str:
    cs = result.criteria
    fields = "".join(
        f"<tr><td>{escape(f.code)}. {escape(f.title)}</td>"
        f"<td class=num>{_num(cs.display(f.totals.achieved), decimals, lang)}</td>"
        f"<td class=num>{_num(cs.display(f.totals.max_after_reduction), decimals, lang)}</td>"
        f"<td class=num>{_num(field_index(result, f.code), decimals, lang)}</td></tr>"
        for f in result.fields)
    lost = "".join(
        f"<tr><td>{escape(i.code)}</td><td>{escape(i.leaf.title)}</td>"
        f"<td class=num>{_num(cs.display(i.deducted), decimals, lang)}</td>"
        f"<td>{escape(i.reason)}</td><td>{escape(i.responsible)}</td></tr>"
        for i in result.lost)
    return (f"<table><thead><tr><th>{escape(t('field', lang))}</th>"
            f"<th>{escape(t('rank.achieved', lang))}</th>"
            f"<th>{escape(t('rank.max_after', lang))}</th>"
            f"<th>{escape(t('rank.index', lang))}</th></tr></thead><tbody>{fields}</tbody>"
            f"</table><table><thead><tr><th>{escape(t('lost.code', lang))}</th>"
            f"<th>{escape(t('lost.item', lang))}</th><th>{escape(t('lost.points', lang))}</th>"
            f"<th>{escape(t('lost.reason', lang))}</th>"
            f"<th>{escape(t('lost.responsible', lang))}</th></tr></thead>"
            f"<tbody>{lost}</tbody></table>")


def _group(number: int, group: GroupRanking, lang: Lang, summary: str) -> str:
    cs = group.criteria
    d = cs.rounding.decimals
    surveyed = any(u.result.survey is not None for u in group.units)
    columns = [("rank", "num", t("rank.rank", lang)), ("code", "text", t("rank.code", lang)),
               ("name", "text", t("rank.name", lang)),
               ("achieved", "num", t("rank.achieved", lang)),
               ("max", "num", t("rank.max_after", lang)),
               ("index", "num", t("rank.index", lang)), ("band", "text", t("rank.band", lang))]
    if surveyed:
        columns.append(("satisfaction", "num", t("rank.satisfaction", lang)))
    head = "".join(f'<th class=sortable data-key="{key}" data-type="{kind}" '
                   f'aria-sort="{"ascending" if key == "rank" else "none"}">{escape(label)}</th>'
                   for key, kind, label in columns)
    rows = []
    width = len(columns) + 1
    for order, unit in enumerate(group.units):
        r = unit.result
        uid = f"{number}-{order}"
        exact_index = r.totals.index_exact
        provisional = escape(t("rank.provisional", lang))
        name = escape(r.unit.name) + (f" <span class=provisional>({provisional})</span>"
                                      if r.status == "provisional" else "")
        cells = [f"<td class=num>{unit.rank}/{unit.of}</td>", f"<td>{escape(r.unit.code)}</td>",
                 f"<td>{name}</td>",
                 f"<td class=num>{_num(cs.display(r.totals.achieved), d, lang)}</td>",
                 f"<td class=num>{_num(cs.display(r.totals.max_after_reduction), d, lang)}</td>",
                 f"<td class=num>{_num(r.index, d, lang)}</td>",
                 f"<td>{escape(r.band or t('no_band', lang))}</td>"]
        data = {"id": uid, "order": str(order), "rank": str(unit.rank), "code": r.unit.code,
                "name": r.unit.name, "achieved": str(r.totals.achieved),
                "max": str(r.totals.max_after_reduction),
                "index": "" if exact_index is None else str(exact_index), "band": r.band or ""}
        if surveyed:
            cells.append(f"<td class=num>{_num(r.satisfaction, d, lang)}</td>")
            exact_s = r.survey.satisfaction_percent if r.survey else None
            data["satisfaction"] = "" if exact_s is None else str(exact_s)
        attrs = " ".join(f'data-{k}="{escape(v)}"' for k, v in data.items())
        button = (f'<td><button class=expand type=button data-id="{uid}" aria-expanded=false '
                  f'title="{escape(t("html.expand", lang))}">+</button></td>')
        rows.append(f"<tr class=unit {attrs}>{button}{''.join(cells)}</tr>")
        rows.append(f'<tr class=detail id="detail-{uid}" hidden><td colspan={width}>'
                    f"{_detail(r, d, lang)}</td></tr>")
    return (f"<h2>{escape(group.group)}</h2><p class=note>{escape(summary)}</p>"
            f'<table class=ranking><thead><tr><th></th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _heatmap(group: GroupRanking, lang: Lang) -> str:
    cs = group.criteria
    d = cs.rounding.decimals
    head = "".join(f'<th title="{escape(f.title)}">'
                   f'{escape(t("annex.field", lang, code=f.code))}</th>' for f in cs.fields)
    rows = []
    for unit in group.units:
        r = unit.result
        cells = "".join(
            f'<td class=num style="background:{_heat(v)}">{_num(v, d, lang)}</td>'
            for v in (field_index(r, f.code) for f in cs.fields))
        rows.append(f"<tr><td>{escape(r.unit.name)}</td>{cells}</tr>")
    legend = "; ".join(f"{f.code}. {f.title}" for f in cs.fields)
    return (f"<h2>{escape(t('html.heatmap', lang, group=group.group))}</h2>"
            f"<p class=note>{escape(legend)}</p><table class=heat><thead><tr>"
            f"<th>{escape(t('rank.name', lang))}</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def results_page(ranking: YearRanking, lang: Lang) -> str:
    """The page's HTML (results kept in full: ``rank_folder(…, keep=KEEP_ALL)``)."""
    from cchc_cli.output.reports import group_summary_text

    year = ranking.year or "—"
    title = t("html.title", lang, year=year)
    parts = [f"<h1>{escape(title)}</h1>",
             f'<p class=note>{escape(t("html.about", lang))}</p>',
             f'<input id=search class=search type=search placeholder="'
             f'{escape(t("html.search", lang))}" aria-label="{escape(t("html.search", lang))}">']
    for number, group in enumerate(ranking.groups):
        parts.append(_group(number, group, lang, group_summary_text(group, lang)))
    for group in ranking.groups:
        parts.append(_heatmap(group, lang))
    if ranking.not_ranked:
        items = "".join(
            f"<li>{escape(Path(n.file).name)}: "
            f"{escape('; '.join(p.message(lang) for p in n.problems))}</li>"
            for n in ranking.not_ranked)
        parts.append(f"<h2>{escape(t('rank.not_ranked.sheet', lang))}</h2><ul>{items}</ul>")
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="{escape(CREATOR)}">'
            f'<meta name="keywords" content="{OUTPUT_MARK}">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
            f"{''.join(parts)}<script>{SCRIPT}</script></body></html>\n")


def write_html(ranking: YearRanking, path: str | os.PathLike[str], lang: Lang, *,
               inputs: Iterable[Path] = (), force: bool = False) -> Path:
    text = results_page(ranking, lang)
    return write_output(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"),
                        formats=(".html",), inputs=inputs, force=force)
