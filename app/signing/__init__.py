"""Signed submissions: who may sign, the frozen copy of record of each submission, and its receipt.

Modelled on the U.S. EPA's CROMERR rules for electronic reporting: submitting is a signature (the web asks
for the password again under a versioned certification statement; the API's write token is the credential),
and each submission's exact content is frozen, hashed and chained into the audit trail.
"""
