"""Ratings (好差评): the ratings, rating keys, the hash-chained ledger, 差评 rectification, upstream."""
