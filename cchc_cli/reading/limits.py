"""The declared budget for reading inputs: past it, an input is refused with a catalogued problem
naming the part, before the memory is spent.

A unit's workbook is ~100 KB holding ~2,000 cells; a criteria set is ~30 KB. The limits sit far
above anything an office produces and far below what would hurt the machine, so a zip bomb, a
stray value at XFD1048576 or a YAML alias bomb ends as one unit's problem, not as the whole
province's ranking killed by the kernel. docs/reliability.md lists them.
"""

from __future__ import annotations

MiB = 1024 * 1024

# --- workbooks -------------------------------------------------------------------------------
FILE_BYTES = 64 * MiB  # the workbook file itself
ZIP_ENTRIES = 10_000  # members of an .xlsx/.xlsm/.ods archive (and its directory's size)
SHEETS = 1_000  # sheets in one workbook
PART_BYTES = 32 * MiB  # one XML part, uncompressed (counted while inflating, not as declared)
XML_BYTES = 96 * MiB  # all the XML parts read from one workbook together
SHEET_CELLS = 1_000_000  # cells written in one sheet
# The grid a sheet is read into: cells beyond it are "far cells", reported and not read (a
# scoring sheet has a few hundred rows and a dozen columns).
GRID_ROWS = 10_000
GRID_COLUMNS = 256  # A … IV
TEXT_CHARS = 32_767  # what Excel itself allows in one cell
# text calamine may copy out of the shared strings into one sheet's cells (it copies a string
# per cell); past it the sheet is read by cchc, where cells share their string
SHARED_TEXT_BYTES = 64 * MiB

# A survey's answers (cchc survey): one row per questionnaire, so far larger than a unit's
# workbook; a .csv is streamed, a workbook read in a child process (below)
SURVEY_FILE_BYTES = 256 * MiB
SURVEY_XML_BYTES = 4096 * MiB  # a survey sheet's XML, inflated as it is streamed (never held)

# Formats read in a child process (their cells cannot be checked before the reader allocates):
CHILD_MEMORY_BYTES = 1024 * MiB  # address space the child may add to what it starts with
CHILD_CPU_SECONDS = 60
CHILD_WALL_SECONDS = 120
