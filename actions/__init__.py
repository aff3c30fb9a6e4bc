"""The custom actions the action server runs, and the data they keep (actions/db). Imports only the kernel of bot (bot.kernel)."""
