def N_(message: str) -> str:
    """Marks a message for extraction into the catalogue; whoever shows it translates it."""
    return message
