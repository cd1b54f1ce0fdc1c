"""Cases (办件): self-service submissions (申报) and their material files.

Who sees a case's personal data and the record of its reads (personal_data.py),
and the failure limits of 办件查询 (progress_limits.py). The 限时办结 clock of a case,
pure (deadline.py).
"""
