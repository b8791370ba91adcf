#!/usr/bin/env bash
# Rebuild the pictures the README and docs/ show (needs LibreOffice and poppler-utils for the report).
set -euo pipefail
cd "$(dirname "$0")/.."
cchc history --unit STC --data samples --chart docs/history-STC.png > /dev/null
cchc rank samples/2023 --unit STC --chart docs/rank-2023.png > /dev/null
tmp=$(mktemp -d)
cchc report samples/2020/STC.xlsx -o "$tmp/phu-luc-2020.docx"
soffice --headless --convert-to pdf --outdir "$tmp" "$tmp/phu-luc-2020.docx" > /dev/null
pdftoppm -r 80 -png -f 1 -l 1 -singlefile "$tmp/phu-luc-2020.pdf" docs/phu-luc-2020
