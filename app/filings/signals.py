"""What a filing's life tells the packages above filings, without filings importing them (blinker signals).

Receivers live in the `receivers.py` of the package that reacts (certificates, notifications); app/__init__.py
connects them at start-up. They run inside the sender's transaction, so what they write commits or rolls back
with it.
"""
from blinker import Namespace

_signals = Namespace()

filing_approved = _signals.signal("filing-approved", doc="""
Sent with the approved filing, once it is approved (inside the caller's acting_on). Keyword arguments: actor,
amended (it superseded an approved revision), now.""")

filing_returned = _signals.signal("filing-returned", doc="""
Sent with the returned filing. Keyword arguments: actor, comment (the comment on the whole filing), now.""")


filing_commented = _signals.signal("filing-commented", doc="""
Sent with the filing when someone adds to its month's conversation (app.filings.conversation), not when it is
returned (filing_returned says that). Keyword arguments: actor, comment (the ReviewComment), now.""")
