# The two commands a new machine needs: `make demo` and `make test`. Everything else is set-up they call.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
APT_PACKAGES := podman runc mmdebstrap uidmap nftables iproute2 openssh-client iperf3 dpkg-dev chromium
export CONTAINERS_CONF := $(CURDIR)/lab/containers.conf
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg

.PHONY: help deps venv image lab demo lint test test-endpoints test-site unit clean lab-down

help:
	@echo "make demo   - set up everything, start the 17-ward lab, run the main job against it"
	@echo "make test   - set up everything, run linters and the whole test suite (starts its own lab)"
	@echo "make lab-down - remove every lab container, network and router simulator"

# apt packages: installed only when missing, so a prepared machine skips apt entirely.
.deps.stamp:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@touch $@
deps: .deps.stamp

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@
venv: $(VENV)/.installed

image: deps venv
	$(VENV)/bin/wardctl lab image

lab: image
	$(VENV)/bin/wardctl lab up

# The main job on the lab: every ward rolled out (canary first, then a rolling window of 5, longest expected first;
# Linux endpoints under Mitogen: docs/performance.md) with health gates, then the reports.
demo: lab
	$(VENV)/bin/ansible-playbook -i inventory/lab --vault-password-file .lab/vault-password playbooks/demo.yml
	$(VENV)/bin/wardctl rollout --all --canary phuong_1 --wave-size 5 --accelerate --rolling
	$(VENV)/bin/wardctl status
	$(VENV)/bin/wardctl report --city --format html -o reports/city.html
	$(VENV)/bin/ansible-playbook -i inventory/lab --vault-password-file .lab/vault-password playbooks/report_site.yml
	@echo "city dashboard: reports/city.html; a ward's report: .venv/bin/wardctl report phuong_1 --format html"
	@echo "report portal (docs/portal.md): http://10.117.0.2:8080/city/ as city_staff, /wards/<ward>/ as the ward id;" \
	  "passwords: .lab/secrets/report_site_city, .lab/secrets/report_site_<ward>"

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/yamllint -s .
	$(VENV)/bin/ansible-lint --profile production

unit: venv
	$(VENV)/bin/pytest -m "not lab"

# Everything, the endpoint roles' molecule scenarios and Lynis benchmark included; the slowest tests are listed.
test: deps venv image lint
	$(VENV)/bin/pytest --durations=15

# Only the endpoint roles' molecule scenarios and the Lynis benchmark (side by side, ~7 min).
test-endpoints: deps venv image
	$(VENV)/bin/pytest tests/roles

# The full-rollout test with the whole site.yml (routers and endpoints of all 17 wards, twice): ~50 min on 2 cores.
test-site: deps venv image
	WARDCTL_TEST_ROLLOUT_PLAYBOOK=site.yml $(VENV)/bin/pytest tests/rollout/test_rollout.py -k full_rollout

lab-down: venv
	$(VENV)/bin/wardctl lab down

clean: lab-down
	rm -rf $(VENV) .deps.stamp .cache
