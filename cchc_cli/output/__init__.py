"""Output: one table model drawn as terminal tables, .xlsx, .csv, .docx and charts; JSON; the
template workbook; and the single guard every written file goes through.
"""
