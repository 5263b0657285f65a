"""What happens to an account that packages above accounts react to (blinker signals; receivers connected in
app/__init__.py register_receivers). Receivers run inside the sender's transaction."""
from blinker import Namespace

_signals = Namespace()

password_reset = _signals.signal("password-reset", doc="""
Sent with the user whose password an administrator has just reset. Keyword arguments: actor, now.""")
