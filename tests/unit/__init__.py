"""Unit tests, one folder per package they test (tests/unit/bot/kernel/ tests bot/kernel/)."""
