"""The certification statement a signer agrees to, versioned: a copy of record stores the version and the
text shown. Never edit a published version's text; add a new version and make it current."""

STATEMENTS = {
    1: {
        "zh": "本人在此证明：据本人所知，本次提交的数据真实、准确、完整；支持这些数据的证据已妥善保存。"
              "本人知悉，提交即视为本人的电子签名，并对所提交数据承担相应责任。",
        "en": "I certify that, to the best of my knowledge, the data submitted are true, accurate and complete, "
              "and that the evidence supporting them is kept. I understand that submitting is my electronic "
              "signature and that I am responsible for the data submitted.",
    },
}
STATEMENT_VERSION = 1


def statement(version: int = STATEMENT_VERSION) -> dict:
    """{"version": n, "zh": ..., "en": ...}; KeyError for an unknown version."""
    return {"version": version, **STATEMENTS[version]}
