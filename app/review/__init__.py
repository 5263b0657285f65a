"""The regulator's side of filings: the review queue, the review page and the overdue months."""
