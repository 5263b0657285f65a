import click


@click.command("demo-data")
def demo_data():
    """Load the demo city (idempotent)."""
    raise click.ClickException("not yet")
