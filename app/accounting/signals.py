"""What the register asks of the packages above it without importing them (blinker signals, as indico does).

A receiver lives in the `receivers.py` of the package that answers; app/__init__.py connects them all at start-up.
"""
from blinker import Namespace

_signals = Namespace()

source_in_use = _signals.signal("source-in-use", doc="""
Sent with an emission source before its category or material changes. A receiver returns True when data of its
own was computed from them (a filed month), which then keeps them as they are.""")
