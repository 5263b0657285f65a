"""What a plan's life tells the packages above plans (the inbox), without plans importing them.

Each is sent with the PlanVersion, inside the sender's transaction. Keyword arguments: actor, now.
"""
from blinker import Namespace

_signals = Namespace()

plan_submitted = _signals.signal("plan-submitted", doc="A version waits for the regulator's approval.")
plan_notified = _signals.signal("plan-notified", doc="A version took effect on notice (meters, labs, people).")
plan_approved = _signals.signal("plan-approved", doc="The regulator approved a version.")
plan_returned = _signals.signal("plan-returned", doc="The regulator returned a version; keyword comment too.")
