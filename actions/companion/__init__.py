"""Feelings and company: a warm word and a real offer (a companion visit, a call from family, a person). Imports actions and the kernel of bot."""
