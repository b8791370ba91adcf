"""Model: what the other layers speak in — criteria sets and their rules, unit data and results,
the catalog of problems, exact numbers and text keys. Imports nothing from the layers above.
"""
