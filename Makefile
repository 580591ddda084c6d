# Felles: `make demo` runs the system with demo data, `make test` runs the whole suite.

PYTHON_SYSTEM ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
VENDOR := static/vendor/designsystemet
DEMO_PERSONS ?= 5000
# Where the demo is served: `make demo PORT=8080`. The demo clients' addresses follow it.
PORT ?= 8000
DEMO_URL := http://127.0.0.1:$(PORT)
# Notices name the mailbox where the demo is served, unless POSTKASSE_URL says otherwise.
demo seed: export POSTKASSE_URL ?= $(DEMO_URL)/postkasse/

.PHONY: demo test setup system-packages system-packages-browser smartcard cardagent env assets messages migrate seed lint format bench clean

demo: setup migrate seed
	@echo ""
	@echo "  Felles is starting on $(DEMO_URL)/"
	@echo "    Front page:            $(DEMO_URL)/"
	@echo "    Case handling (admin): $(DEMO_URL)/admin/   user: admin   password: $${DEMO_ADMIN_PASSWORD:-felles-demo}"
	@echo "    MinID:                 $(DEMO_URL)/minid/"
	@echo "    MinID statistics:      $(DEMO_URL)/minid/statistikk/ (as admin)"
	@echo "    SMS outbox (demo):     $(DEMO_URL)/utvikling/sms/"
	@echo "    Demo services:         $(DEMO_URL)/demo/velferd/ and $(DEMO_URL)/demo/lanefond/"
	@echo "    Contact register:      $(DEMO_URL)/kontaktinfo/"
	@echo "    Digital mailbox:       $(DEMO_URL)/postkasse/"
	@echo "    Public journal:        $(DEMO_URL)/innsyn/"
	@echo "    Case archive:          $(DEMO_URL)/admin/saksarkiv/   user: saksbehandler   password: $${DEMO_ADMIN_PASSWORD:-felles-demo}"
	@echo "    API documentation:     $(DEMO_URL)/demo/api/"
	@echo "    eFormidling API (integrasjonspunkt): $(DEMO_URL)/api/   user: velferdsetaten-demo   password: $${DEMO_ADMIN_PASSWORD:-felles-demo}"
	@echo "    Level 4 (smartcard):   run 'make cardagent' in another terminal (README: Smartcards)"
	@echo "  $$($(MANAGE) seed_demo_citizen)"
	@echo "  One background worker runs beside the server. Stop both with Ctrl-C."
	@echo ""
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) postkasse_recover; \
	$(MANAGE) deliver_backchannel_logouts; \
	$(MANAGE) purge_expired; \
	$(MANAGE) db_worker --interval 1 & worker=$$!; \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: setup system-packages-browser
	$(VENV)/bin/pytest

setup: system-packages smartcard $(VENV)/.installed node_modules/.installed env assets messages

system-packages:
	@bin/ensure-system-packages

system-packages-browser:
	@bin/ensure-system-packages --browser

# pcscd and the virtual card reader for the level 4 card agent; pyscard builds from source against them.
smartcard:
	@bin/ensure-smartcard

$(VENV)/.installed: requirements.txt requirements-dev.txt cardagent/requirements.txt
	test -x $(PY) || $(PYTHON_SYSTEM) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@# pyscard builds against PC/SC (bin/ensure-smartcard); without it only the smartcard tests skip.
	$(PY) -m pip install --quiet -r cardagent/requirements.txt || test "$$FELLES_REQUIRE_SMARTCARD" != 1
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# A local .env with a fresh secret key, made once from .env.example.
env: .env
.env:
	@$(PYTHON_SYSTEM) -c "import secrets, pathlib; text = pathlib.Path('.env.example').read_text(); pathlib.Path('.env').write_text(text.replace('SECRET_KEY=\n', 'SECRET_KEY=' + secrets.token_urlsafe(50) + '\n', 1))"
	@echo "Created .env from .env.example"

assets: node_modules/.installed
	@mkdir -p $(VENDOR)
	@cp -u node_modules/@digdir/designsystemet-css/dist/src/index.css $(VENDOR)/designsystemet.css
	@cp -u node_modules/@digdir/designsystemet-theme/brand/digdir.css $(VENDOR)/theme.css
	@mkdir -p static/vendor/inter/files
	@cp -u node_modules/@fontsource/inter/latin.css static/vendor/inter/inter.css
	@cp -u node_modules/@fontsource/inter/files/inter-latin-*-normal.woff* static/vendor/inter/files/
	@mkdir -p static/vendor/swagger-ui
	@cd node_modules/swagger-ui-dist && cp -u swagger-ui.css swagger-ui.css.map swagger-ui-bundle.js \
		swagger-ui-bundle.js.LICENSE.txt LICENSE NOTICE ../../static/vendor/swagger-ui/

# Only catalogues whose .po changed are compiled, so that two test runs side by side (.ci/run) never
# rewrite a .mo file the other is reading.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
messages: $(MO_FILES)
locale/%.mo: locale/%.po
	@msgfmt --check -o $@ $<

migrate:
	$(MANAGE) migrate --no-input -v0

seed:
	$(MANAGE) seed_population --count $(DEMO_PERSONS) --seed 1 --if-empty
	$(MANAGE) seed_organisations
	$(MANAGE) seed_demo_admin
	$(MANAGE) seed_minid_activity --users 1500 --seed 1 --if-empty
	$(MANAGE) seed_demo_citizen
	$(MANAGE) seed_demo_clients --base-url $(DEMO_URL) --base-url http://localhost:$(PORT)
	$(MANAGE) seed_demo_certificates
	$(MANAGE) seed_demo_maskinporten_clients
	$(MANAGE) seed_demo_eformidling --base-url $(DEMO_URL)
	$(MANAGE) seed_demo_post
	$(MANAGE) seed_demo_archive
	$(MANAGE) seed_demo_smartcards

# The demo citizen's virtual Buypass card in the virtual reader, and the card agent for the demo's
# address: what a citizen runs on their own computer to log in at level 4. Beside `make demo`.
cardagent: setup
	@echo "  The demo citizen's Buypass card (PIN 1234) is in the virtual reader; the card agent"
	@echo "  answers $(DEMO_URL) on http://127.0.0.1:24727. Stop both with Ctrl-C."
	@trap 'kill $$card 2>/dev/null' EXIT INT TERM; \
	$(PY) -m cardagent.virtualcard --image var/demo-smartcards/buypass-card.json & card=$$!; \
	$(PY) -m cardagent --origin $(DEMO_URL)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# Import contracts (pyproject.toml, [tool.importlinter]): the arrows of "Who calls whom".
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(MANAGE) makemigrations --check --dry-run

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

BENCH_PERSONS ?= 1000000
BENCH_LOGINS ?= 50
BENCH_LETTERS ?= 10000
BENCH_DISPATCH_PERSONS ?= 100000

bench: setup
	$(PY) bench/seed_population.py --count $(BENCH_PERSONS)
	$(PY) bench/minid_login.py --logins $(BENCH_LOGINS)
	$(PY) bench/idporten_login.py --logins $(BENCH_LOGINS)
	$(PY) bench/krr_lookup.py --persons $(BENCH_PERSONS)
	$(PY) bench/postkasse_send.py --persons $(BENCH_PERSONS) --letters $(BENCH_LETTERS)
	$(PY) bench/saksarkiv_mass_dispatch.py --persons $(BENCH_DISPATCH_PERSONS) --letters $(BENCH_LETTERS)
	$(PY) bench/saksarkiv_lists.py
	$(PY) bench/saksarkiv_deposit.py
	$(PY) bench/noark5_lists.py
	$(PY) bench/hostile_input.py

clean:
	rm -rf $(VENV) node_modules static/vendor var/static
