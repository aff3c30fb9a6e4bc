# The two commands of the contract are `make run` and `make test`; the other
# targets are their steps, and CI calls them through `make test`.
VENV := .venv
BIN := $(VENV)/bin
RASA := $(BIN)/rasa
XN := $(BIN)/xiaonuan
export PYTHONDONTWRITEBYTECODE := 1
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false

.PHONY: run test setup train seed validate test-stories test-unit eval-conversations lint bench clean demo-voice

run: setup train seed
	@$(XN) voice-model --optional
	$(XN) run

test: setup lint train validate test-stories eval-conversations test-unit

setup:
	@bash scripts/bootstrap.sh

train: setup
	@$(XN) train

seed: setup
	@$(XN) seed

validate: setup
	@$(XN) validate

test-stories: train
	@$(XN) test-stories

test-unit: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=25

# Real-life conversations against the real servers (docs/conversation-eval.md). The tuned part is
# gated at EVAL_GATE, issue 15's target of 0.90 (today 96.9%), so a regression fails; the held-out part is
# not there yet (77.2%, docs/benchmarks.md). The held-out part and the held-out NLU set are reported.
EVAL_GATE ?= 0.90
eval-conversations: train
	$(BIN)/python bench/conversations.py --gate $(EVAL_GATE) --show-failures none
	$(BIN)/python bench/nlu_held_out.py

# Layers (import-linter's contracts in pyproject.toml, docs/architecture.md#layers) and ruff.
lint: setup
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check --no-cache .

demo-voice: train
	$(XN) demo-voice

bench: train seed
	$(BIN)/python bench/nlu_compare.py
	$(BIN)/python bench/nlu_held_out.py --compare --record
	$(BIN)/python bench/conversations.py --record
	$(BIN)/python bench/turn_latency.py
	$(BIN)/python bench/booking_latency.py
	$(BIN)/python bench/concurrency.py
	$(BIN)/python bench/growth.py
	$(BIN)/python bench/scale_out.py
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/soak.py
	$(BIN)/python bench/policy_latency.py
	$(BIN)/python bench/voice_latency.py
	$(BIN)/python bench/alert_latency.py
	$(BIN)/python bench/console_conversations.py
	$(BIN)/python bench/retention.py
	$(BIN)/python bench/migrate.py
	$(BIN)/python bench/startup.py

clean:
	rm -rf $(VENV) models var results
