"""Signals of the inbox, for the packages above it (which may import this one; it may not import them)."""
from blinker import Namespace

_signals = Namespace()

# Sent with the user reading the inbox (and `today`); a receiver returns a list of todos.Todo for that user,
# or nothing. Verification answers with findings to answer or close and opinions to confirm.
todos_requested = _signals.signal("todos-requested")
