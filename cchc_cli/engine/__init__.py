"""Engine: pure functions from values to results — scoring a unit, ranking a year, comparing two
years, what recovering points is worth, a unit's history. No files, no environment, no process
pools, no user-facing words.
"""
