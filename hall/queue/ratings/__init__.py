"""Ratings (好差评): the ratings, the hash-chained ledger, 差评 rectification, the upstream forwarder."""
