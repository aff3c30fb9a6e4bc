"""Rounds on a timer inside `xiaonuan run`: outbox delivery, the escalation ladder, check-ins
(retention is in bot.ops.lifecycle). Import the kernel and actions."""
