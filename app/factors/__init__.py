"""The city's emission factor library: read by everyone signed in, new versions published by the regulator."""
