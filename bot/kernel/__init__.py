"""The kernel every process imports: settings, the wire contract, the clock, the core client, the
shared word lists. Imports nothing else of the project."""
