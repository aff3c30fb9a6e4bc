"""Which response says what for each danger (texts in domain/safety.yml, table in docs/safety.md)."""
from __future__ import annotations

import re

KINDS = ("fall", "medical", "fire", "gas", "intruder", "lost", "self_harm", "help")

# The first advice: two short sentences for that danger.
ADVICE = {
    "fall": "utter_advice_fall", "medical": "utter_advice_medical", "fire": "utter_advice_fire",
    "gas": "utter_advice_gas", "intruder": "utter_advice_intruder", "lost": "utter_advice_lost",
    "self_harm": "utter_advice_self_harm", "help": "utter_advice_help",
}
# A burn or scald is a medical danger with its own first advice.
BURN = re.compile(r"烫|烧伤|开水|起泡")
BURN_ADVICE = "utter_advice_burn"
# What is said after a follow-up has been written down, for that danger.
TAIL = {
    "fall": "utter_alert_tail_fall", "medical": "utter_alert_tail_medical", "fire": "utter_alert_tail_fire",
    "gas": "utter_alert_tail_gas", "intruder": "utter_alert_tail_intruder", "lost": "utter_alert_tail_lost",
    "self_harm": "utter_alert_stay_self_harm", "help": "utter_alert_tail_help",
}
# The questions asked, one a turn.
QUESTIONS = {
    "fall": ("utter_ask_alert_fall_1", "utter_ask_alert_fall_2"),
    "medical": ("utter_ask_alert_medical_1", "utter_ask_alert_medical_2"),
    "fire": ("utter_ask_alert_fire_1", "utter_ask_alert_fire_2"),
    "gas": ("utter_ask_alert_gas_1", "utter_ask_alert_gas_2"),
    "intruder": ("utter_ask_alert_intruder_1", "utter_ask_alert_intruder_2"),
    "lost": ("utter_ask_alert_lost_1", "utter_ask_alert_lost_2"),
    "self_harm": ("utter_ask_alert_self_harm_1", "utter_ask_alert_self_harm_2", "utter_ask_alert_self_harm_3"),
    "help": ("utter_ask_alert_help_1", "utter_ask_alert_help_2"),
}
STAGE_QUESTIONS = {"check": "utter_ask_alert_check", "place": "utter_ask_alert_place",
                   "retract": "utter_ask_alert_retract"}
SETTLED = {"ok": "utter_alert_settled_ok", "closed": "utter_alert_settled_closed",
           "open": "utter_alert_settled_open"}
