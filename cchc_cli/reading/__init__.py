"""Reading: cells and YAML in, located values out.

Workbooks (`workbook`: the sheet and column layout a province's header names go into, and the
parse into unit data), the look at an .xlsx before python-calamine reads it (`xlsx`), the other
formats' cell marks (`cell_marks`), the child process for formats that cannot be looked at first
(`child`), YAML with the line of every value (`yamltext`), and the reading budget (`limits`).
"""
