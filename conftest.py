"""pytest configuration: Hypothesis profiles, --max-examples, a version header, run summary.

Profiles (select with --hypothesis-profile NAME, default `dev`, `ci` under CI):
  dev       quick local feedback
  ci        derandomized: the same examples on every run and every machine
  mutation  ci without shrinking, for `python -m equivalence mutate`
  thorough  long runs for the self-validation (no false alarms) checks
"""

import os

import pytest
from hypothesis import HealthCheck, Phase, settings

_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
if hasattr(HealthCheck, "function_scoped_fixture"):
    _CHECKS.append(HealthCheck.function_scoped_fixture)

# TensorFlow's first call of an op compiles kernels: per-example deadlines measure that, not us.
settings.register_profile("dev", max_examples=15, deadline=None, suppress_health_check=_CHECKS)
settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True,
                          suppress_health_check=_CHECKS, print_blob=True)
# The mutation runner's profile: ci's examples, without shrinking (a kill needs a failure, not the smallest one).
settings.register_profile("mutation", settings.get_profile("ci"), database=None,
                          phases=[Phase.explicit, Phase.generate])
settings.register_profile("thorough", max_examples=2000, deadline=None, suppress_health_check=_CHECKS,
                          print_blob=True)
def _profile():
    from equivalence.environment import suite_profile
    return suite_profile()


settings.load_profile(_profile())


def pytest_addoption(parser):
    parser.addoption("--max-examples", type=int, default=None,
                     help="override max_examples of the selected Hypothesis profile: every route's "
                          "Hypothesis tests draw exactly this many (tests/route_cases.examples_for)")
    parser.addoption("--mutant", default=os.environ.get("REGEQUIV_MUTANT") or None,
                     help="break one upstream API before the tests run (equivalence/selfvalidation/mutants.py; "
                          "default $REGEQUIV_MUTANT); `python -m equivalence mutate` runs them all")
    parser.addoption("--semantics-from", default=None, metavar="REPORT_JSON",
                     help="judge the semantics cells observed by `python -m equivalence report --json` "
                          "in this env, when it recorded them with the same install, mutants and code "
                          "(tox passes reports/ENV.json; equivalence/semantics/recorded.py)")


@pytest.hookimpl(trylast=True)  # after Hypothesis' own plugin has loaded --hypothesis-profile
def pytest_configure(config):
    n = config.getoption("--max-examples")
    if n:
        current = settings.get_profile(settings._current_profile)  # noqa: SLF001
        settings.register_profile("cli-max-examples", current, max_examples=n)
        settings.load_profile("cli-max-examples")
        from tests.route_cases import EXACT_EXAMPLES
        EXACT_EXAMPLES[:] = [n]  # every route draws exactly n, whatever its share
    _activate_mutant(config)
    if config.getoption("--semantics-from"):
        from equivalence.semantics.recorded import use
        use(config.getoption("--semantics-from"))


def _activate_mutant(config):
    name = config.getoption("--mutant")
    if not name:
        return
    from equivalence.selfvalidation.mutants import activate
    try:
        activate(name)
    except (KeyError, LookupError) as exc:
        raise pytest.UsageError(str(exc.args[0]))


def pytest_report_header(config):
    from equivalence.environment import get_api
    from equivalence.selfvalidation.mutants import ACTIVE
    api = get_api()
    mutants = ["regequiv: MUTANT ACTIVE %s: %s %s" % (m.name, m.api_name, m.breakage) for m in ACTIVE]
    from equivalence.semantics.recorded import status
    return mutants + ["regequiv: " + api.describe(), "regequiv: " + status(api),
            "regequiv: hypothesis profile %s, max_examples=%d" % (
                settings._current_profile, settings.default.max_examples)]  # noqa: SLF001


def pytest_sessionfinish(session):
    """Under pytest-xdist, a worker hands its per-route counts to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        from equivalence.harness import EXAMPLES
        workeroutput["regequiv_examples"] = dict(EXAMPLES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """pytest-xdist controller: add a finished worker's counts to this process's summary."""
    from equivalence.harness import EXAMPLES
    EXAMPLES.update(getattr(node, "workeroutput", {}).get("regequiv_examples", {}))


def pytest_terminal_summary(terminalreporter):
    from equivalence.harness import EXAMPLES
    if not EXAMPLES:
        return
    terminalreporter.section("regequiv: cases verified per route")
    for name, n in sorted(EXAMPLES.items()):
        terminalreporter.write_line("%6d  %s" % (n, name))


@pytest.fixture(scope="session")
def api():
    from equivalence.environment import get_api
    return get_api()
