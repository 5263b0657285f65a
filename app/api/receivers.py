"""What the API does when an account changes (connected at start-up)."""
from app.accounts.signals import password_reset
from app.api.tokens import revoke_all


@password_reset.connect
def _reset(user, *, actor, now, **_):
    # A reset means the account may be in the wrong hands: its tokens are credentials too, so they end with it.
    revoke_all(user, actor, now=now)
