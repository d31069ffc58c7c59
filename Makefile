# One command for each thing a developer does; each installs what it needs first.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: install serve chat test check data bench bench-startup bench-load faults corpus day fuzz
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

HOST ?= 127.0.0.1
PORT ?= 8000
RULES ?=

serve: install  ## the service on ./isa.db, texts to the console, POST /dev/sms as the lead's phone (HOST=, PORT=, RULES=rules/dev at night, ROUTING=rules/routing.yaml)
	ISA_DEV_PHONE=$${ISA_DEV_PHONE:-true} $(BIN)/isa serve --host $(HOST) --port $(PORT)$(if $(RULES), --rules $(RULES))$(if $(ROUTING), --routing $(ROUTING))

chat: install  ## talk to the buyer script as a lead
	$(BIN)/isa chat buyer

check: install  ## lint, format, types, layers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: check  ## everything CI runs
	$(PY) -m pytest

data: install  ## rebuild isa_engine/data/*.tsv (places, ZIPs, states, area codes) from their sources
	$(PY) -m tools.build_data

SHARED_CORPUS ?= ../shared/corpus
MESSAGE_CORPORA = $(wildcard $(SHARED_CORPUS)/messages*.jsonl) $(wildcard tests/corpus/*.jsonl)

corpus: install  ## score the reader on every message corpus (shared and tests/corpus), then the replays (English and Spanish)
	@for f in $(MESSAGE_CORPORA); do \
	  echo "== $$f"; \
	  $(BIN)/isa nlu parse < $$f > /tmp/isa-nlu.jsonl || exit 1; \
	  $(PY) $(SHARED_CORPUS)/score.py $$f /tmp/isa-nlu.jsonl || exit 1; \
	done
	@echo "== tests/corpus, all files together"
	@cat tests/corpus/*.jsonl > /tmp/isa-corpus-all.jsonl
	@$(BIN)/isa nlu parse < /tmp/isa-corpus-all.jsonl > /tmp/isa-nlu.jsonl
	@$(PY) $(SHARED_CORPUS)/score.py /tmp/isa-corpus-all.jsonl /tmp/isa-nlu.jsonl
	$(BIN)/isa replay < $(SHARED_CORPUS)/conversations.jsonl > /tmp/isa-replay.jsonl
	$(PY) $(SHARED_CORPUS)/score.py --conversations $(SHARED_CORPUS)/conversations.jsonl /tmp/isa-replay.jsonl
	$(BIN)/isa replay < $(SHARED_CORPUS)/conversations-es.jsonl > /tmp/isa-replay-es.jsonl
	$(PY) $(SHARED_CORPUS)/score.py --conversations $(SHARED_CORPUS)/conversations-es.jsonl /tmp/isa-replay-es.jsonl

bench: install  ## throughput and turn cost, each beside its baseline
	$(PY) -m bench.reading
	$(PY) -m bench.turn

bench-startup: install  ## minutes: isa serve's start-up and RSS (also after 1,000 texts), the CLI's times, beside bare baselines
	$(PY) -m bench.startup

bench-load: install  ## minutes: the send path and the webhook under load, on SQLite (docs/performance.md)
	$(PY) -m bench.jobs
	$(PY) -m bench.webhook

day: install  ## minutes: the day-in-the-life property test with many more examples
	ISA_DAY_EXAMPLES=$${ISA_DAY_EXAMPLES:-200} $(PY) -m pytest tests/properties/test_day_in_the_life.py

fuzz: install  ## minutes: the OpenAPI fuzz (schemathesis) as every role, many more examples (ISA_TEST_POSTGRES_URL adds PostgreSQL)
	ISA_FUZZ_EXAMPLES=$${ISA_FUZZ_EXAMPLES:-150} ISA_FUZZ_ROLE_EXAMPLES=$${ISA_FUZZ_ROLE_EXAMPLES:-40} \
	  ISA_FUZZ_ROLE_MODES=$${ISA_FUZZ_ROLE_MODES:-positive,negative} \
	  $(PY) -m pytest tests/service/test_fuzz.py -p no:cacheprovider

faults: install  ## the fault suite in full (ISA_TEST_POSTGRES_URL adds PostgreSQL)
	ISA_FAULTS_LEADS=$${ISA_FAULTS_LEADS:-1000} $(PY) -m pytest tests/faults -s
