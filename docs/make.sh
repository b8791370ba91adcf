#!/usr/bin/env bash
# Rebuild the pictures the README and docs/ show (needs LibreOffice and poppler-utils for the
# reports, Chromium for the results page).
set -euo pipefail
cd "$(dirname "$0")/.."
cchc history --unit STC --data samples --chart docs/history-STC.png > /dev/null
cchc rank samples/2023 --unit STC --chart docs/rank-2023.png > /dev/null
tmp=$(mktemp -d)
cchc report samples/2020/STC.xlsx -o "$tmp/phu-luc-2020.docx"
soffice --headless --convert-to pdf --outdir "$tmp" "$tmp/phu-luc-2020.docx" > /dev/null
pdftoppm -r 80 -png -f 1 -l 1 -singlefile "$tmp/phu-luc-2020.pdf" docs/phu-luc-2020
# the decision's annex (Word, as Nghị định 30/2020/NĐ-CP lays it out) and the results page
cchc report --rank samples/2023 -o "$tmp/phu-luc-2023.docx" \
  --decision "Quyết định số 25/QĐ-UBND ngày 08/01/2024 của Ủy ban nhân dân tỉnh Sóc Trăng"
soffice --headless --convert-to pdf --outdir "$tmp" "$tmp/phu-luc-2023.docx" > /dev/null
pdftoppm -r 70 -png -f 1 -l 1 -singlefile "$tmp/phu-luc-2023.pdf" docs/phu-luc-quyet-dinh-2023
cchc rank samples/2023 -o "$tmp/ket-qua-2023.html"
chromium --headless --no-sandbox --disable-gpu --window-size=1280,900 \
  --screenshot=docs/ket-qua-2023.png "file://$tmp/ket-qua-2023.html#expand=STC" 2> /dev/null
