"""Feelings and company: a warm word and a real offer (a companion visit, a call from family, a person)."""
