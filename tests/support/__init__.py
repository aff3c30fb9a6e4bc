"""Test-only stand-ins and throwaway servers (PostgreSQL, Redis); production code never imports this."""
