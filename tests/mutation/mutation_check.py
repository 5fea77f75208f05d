# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Mutation check: every guard of money, idempotence and secrets has a unit test that fails when the guard breaks.

    python tests/mutation/mutation_check.py [--jobs N] [-k TEXT] [--list] [--output FILE]

(``scripts/mutation-check.sh`` runs it in .venv.) The working tree is never touched: the files git knows about
(tracked plus untracked-but-not-ignored) are copied to ``build/mutation/copy-<n>/``, each copy with its own
``build/collections/ansible_collections/domainsec/onboard`` link to itself (as scripts/lib.sh ensure_collection_link
makes for the checkout). Then:

1. the unit tests named by the mutations run once on the unchanged copy: every one must exist and pass;
2. for each mutation in :data:`MUTATIONS` (one at a time): its file's exact original text, which must occur exactly
   once, is replaced, the unit tests named for it run (``pytest -x``, no bytecode written), and the file is put back.
   The mutation is caught when pytest reports a failed test; it SURVIVED when the tests pass; anything else (an import
   or collection error, a test that errors in its set-up) is an ERROR, because it proves nothing about the guard.

The result is a markdown table (guard, mutation, the test that caught it), printed and written to
``build/mutation/report.md``, followed by the run's wall and CPU time. The exit status is 1 when a mutation survived,
ended in an error, or its original text is no longer found (so the list cannot rot silently), or when the baseline
run failed.
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.path.join(ROOT, 'build', 'mutation')

DNS = 'plugins/module_utils/dns_records.py'
RUNNER = 'plugins/module_utils/module_runner.py'
HTTP = 'plugins/module_utils/http_transport.py'
ORDER = 'plugins/modules/cyberssl_order.py'
POLICY = 'plugins/module_utils/cyberssl_policy.py'
CERT_FILES = 'plugins/module_utils/cert_files.py'
FILE_WRITER = 'plugins/module_utils/file_writer.py'

T_DNS = 'tests/unit/plugins/module_utils/test_dns_records.py'
T_SS = 'tests/unit/plugins/module_utils/test_securityspace.py'
T_REDACTION = 'tests/unit/plugins/module_utils/test_redaction.py'
T_URLS = 'tests/unit/plugins/module_utils/test_default_urls.py'
T_HTTP = 'tests/unit/plugins/module_utils/test_http_transport.py'
T_CS = 'tests/unit/plugins/module_utils/test_cyberssl.py'
T_ORDER = 'tests/unit/plugins/modules/test_cyberssl_order.py'
T_CERT_FILES = 'tests/unit/plugins/modules/test_certificate_files.py'
T_WRITER = 'tests/unit/plugins/module_utils/test_file_writer.py'
T_CONFLICTS = 'tests/unit/plugins/module_utils/test_write_conflicts.py'
T_SG = 'tests/unit/plugins/module_utils/test_sigsci.py'
T_VD = 'tests/unit/plugins/module_utils/test_virusdie.py'

RECORD_KEY = ("    return (record['type'], owner(record), record.get('value'), record.get('priority'), record.get('weight'),\n"
              "            record.get('port'), record.get('flag'), record.get('tag'))\n")


def key_without(field, replacement='None'):
    """record_key with ``record.get(field)`` replaced (by None: the field ignored)."""
    original = "record.get('%s')" % field
    assert RECORD_KEY.count(original) == 1, field
    return RECORD_KEY.replace(original, replacement)


def mutation(guard, what, path, original, replacement, tests):
    return dict(guard=guard, what=what, path=path, original=original, replacement=replacement, tests=tests)


MUTATIONS = [
    # -- idempotence: the DNS comparison key -------------------------------------------------------------------
    mutation('DNS record key: MX/SRV priority', 'record_key ignores priority', DNS, RECORD_KEY, key_without('priority'),
             ['%s::test_a_record_that_differs_in_one_field_is_another_record' % T_DNS]),
    mutation('DNS record key: SRV weight', 'record_key ignores weight', DNS, RECORD_KEY, key_without('weight'),
             ['%s::test_a_record_that_differs_in_one_field_is_another_record' % T_DNS]),
    mutation('DNS record key: SRV port', 'record_key ignores port', DNS, RECORD_KEY, key_without('port'),
             ['%s::test_a_record_that_differs_in_one_field_is_another_record' % T_DNS]),
    mutation('DNS record key: CAA flag', 'record_key ignores flag', DNS, RECORD_KEY, key_without('flag'),
             ['%s::test_a_record_that_differs_in_one_field_is_another_record' % T_DNS]),
    mutation('DNS record key: CAA tag', 'record_key ignores tag', DNS, RECORD_KEY, key_without('tag'),
             ['%s::test_a_record_that_differs_in_one_field_is_another_record' % T_DNS]),
    mutation('DNS record key: value (MX/SRV target, CAA value)', 'record_key ignores value', DNS, RECORD_KEY,
             key_without('value'), ['%s::test_a_record_that_differs_in_one_field_is_another_record' % T_DNS]),
    mutation('DNS record key: TXT is case-sensitive', 'record_key compares values without case', DNS, RECORD_KEY,
             key_without('value', "(record.get('value') or '').lower()"),
             ['%s::test_a_record_that_differs_in_one_field_is_another_record' % T_DNS]),
    # (names are lowercased twice, by raw.lower() and by to_ascii (idna_ascii); either alone keeps the guard, so the
    # mutation takes both out: the name is used as given)
    mutation('DNS names are not case-sensitive', 'relative_name keeps owner names as given (no lowercasing)', DNS,
             "    if raw in ('', '@'):\n        return ''\n    lowered = to_ascii(raw.lower())\n",
             "    if raw in ('', '@'):\n        return ''\n    lowered = raw\n",
             ['%s::test_spellings_of_one_record_have_one_key' % T_DNS]),
    mutation('DNS target names are not case-sensitive', 'absolute_target keeps MX/SRV/CNAME targets as given', DNS,
             "    if raw == '.':\n        return '.'\n    lowered = to_ascii(raw.lower())\n",
             "    if raw == '.':\n        return '.'\n    lowered = raw\n",
             ['%s::test_spellings_of_one_record_have_one_key' % T_DNS]),
    # -- secrets: each redaction layer switched off alone ----------------------------------------------------------
    mutation('secrets: run-time secrets are Ansible no_log values', 'module_runner._with_trace does not register the '
             "transport's secrets", RUNNER,
             '            module.no_log_values.add(secret)\n', '            pass\n',
             ['%s::test_a_session_token_inside_vendor_data_is_masked_in_the_result' % T_REDACTION]),
    mutation('secrets: failure message redacted', 'module_runner.fail_module does not redact its message', RUNNER,
             "    result['msg'] = redact(result['msg'])\n", '',
             ['%s::test_a_url_password_in_a_failure_is_masked_in_the_message_and_the_traceback' % T_REDACTION]),
    mutation('secrets: failure traceback redacted', 'module_runner.fail_module does not redact the traceback', RUNNER,
             "        result['exception'] = redact(result['exception'])\n", '        pass\n',
             ['%s::test_a_url_password_in_a_failure_is_masked_in_the_message_and_the_traceback' % T_REDACTION]),
    mutation('secrets: URL password is a no-log value', 'module_runner.new_module does not register the password of '
             'a URL option', RUNNER,
             '            module.no_log_values.add(password)\n', '            pass\n',
             ['%s::test_a_password_in_a_url_option_is_masked_in_ansibles_echo_of_the_arguments' % T_REDACTION]),
    mutation('secrets: BasicAuth registers its header', 'BasicAuth.apply does not register the header', HTTP,
             '        for value in self.derived:\n            add_secret(value)\n',
             '        for value in self.derived:\n            pass\n',
             ['%s::test_basic_auth_registers_the_header_it_sends' % T_REDACTION]),
    mutation('secrets: HeaderAuth registers its headers', 'HeaderAuth.apply does not register the header values', HTTP,
             '            if name.lower() not in self.public:\n                add_secret(value)\n',
             '            if name.lower() not in self.public:\n                pass\n',
             ['%s::test_header_auth_registers_every_header_but_the_public_ones' % T_REDACTION]),
    mutation('secrets: FieldAuth registers its fields', 'FieldAuth.apply does not register the field values', HTTP,
             '        for dummy, value in fields:\n            add_secret(value)\n',
             '        for dummy, value in fields:\n            pass\n',
             ['%s::test_field_auth_registers_the_fields_it_adds' % T_REDACTION]),
    mutation('secrets: secret-named fields hidden', 'Redactor.mapping hides no field by its name', HTTP,
             'REDACTED if secret_names and str(k).lower() in SECRET_NAMES and',
             'REDACTED if secret_names and str(k).lower() in () and',
             ['%s::test_secret_named_fields_are_hidden_in_the_trace_without_being_registered' % T_REDACTION]),
    mutation('secrets: every trace line redacted', 'HttpClient._log keeps lines as given', HTTP,
             '(buffer if buffer is not None else self.trace).append(self.redactor.text(line))',
             '(buffer if buffer is not None else self.trace).append(line)',
             ['%s::test_a_trace_line_made_of_an_error_text_is_redacted' % T_REDACTION]),
    # -- the default API URLs, pinned to the vendor documents --------------------------------------------------------
    mutation('default URL: SecuritySpace', 'another host', 'plugins/module_utils/securityspace.py',
             "DEFAULT_API_URL = 'https://secure1.securityspace.com/api'",
             "DEFAULT_API_URL = 'https://secure.securityspace.com/api'", ['%s::test_securityspace' % T_URLS]),
    mutation('default URL: Hardenize', 'the base location without /v1/org/<org>', 'plugins/module_utils/hardenize.py',
             "return '/v1/org/%s' % params.get('org')",
             "return '/org/%s' % params.get('org')", ['%s::test_hardenize' % T_URLS]),
    mutation('default URL: Signal Sciences', 'another API version', 'plugins/module_utils/sigsci.py',
             "DEFAULT_API_URL = 'https://dashboard.signalsciences.net/api/v0'",
             "DEFAULT_API_URL = 'https://dashboard.signalsciences.net/api/v1'", ['%s::test_signal_sciences' % T_URLS]),
    mutation('default URL: Virusdie', 'another host', 'plugins/module_utils/virusdie.py',
             "DEFAULT_API_URL = 'https://virusdie.com/api'", "DEFAULT_API_URL = 'https://api.virusdie.com/api'",
             ['%s::test_virusdie' % T_URLS]),
    mutation('default URL: CyberSSL live', 'the live URL is the sandbox', 'plugins/module_utils/cyberssl.py',
             "LIVE_URL = 'https://api.cyberssl.com/v1'", "LIVE_URL = 'https://api.cyberssl.com/sandbox/v1'",
             ['%s::test_cyberssl' % T_URLS]),
    mutation('default URL: CyberSSL sandbox', 'the sandbox URL is the live one', 'plugins/module_utils/cyberssl.py',
             "SANDBOX_URL = 'https://api.cyberssl.com/sandbox/v1'", "SANDBOX_URL = 'https://api.cyberssl.com/v1'",
             ['%s::test_cyberssl' % T_URLS]),
    # -- an assertion that accepted either outcome ------------------------------------------------------------------
    mutation('SecuritySpace publish refused without a reason fails', 'publish returns "not published" instead of '
             'raising', 'plugins/module_utils/securityspace.py',
             "            raise SecuritySpaceError('dnsPublish', answer.get('error'), answer)\n", '            pass\n',
             ['%s::test_publish_refused_without_any_reason_is_not_silent' % T_SS]),
    # -- writes that must not be duplicated (http_transport) --------------------------------------------------------
    mutation('write guard: a failed re-read is not "not landed"', 'HttpClient._reread returns None when the re-read '
             'raises', HTTP,
             '        except DomainsecError as read_error:\n            raise TransportError(',
             '        except DomainsecError as read_error:\n            return None\n            raise TransportError(',
             ['%s::test_a_re_read_that_fails_is_never_taken_for_not_landed' % T_HTTP]),
    mutation('write guard: a 500 to a write is not a refusal', '500 added to the statuses re-sent without a re-read',
             HTTP, 'REFUSED_STATUSES = frozenset([429])\n', 'REFUSED_STATUSES = frozenset([429, 500])\n',
             ['%s::test_a_plain_500_to_a_write_is_an_answered_unknown_outcome_re_read_before_it_is_sent_again' % T_HTTP]),
    mutation('write guard: a gateway 502/504 is no answer', 'WriteOutcomeUnknown.answered true for 502 and 504', HTTP,
             'GATEWAY_STATUSES = frozenset([502, 504])\n', 'GATEWAY_STATUSES = frozenset([])\n',
             ['%s::test_which_unknown_outcomes_come_from_the_server_that_does_the_work' % T_HTTP,
              '%s::test_a_gateway_error_to_a_costly_write_waits_out_the_window' % T_HTTP]),
    mutation('write guard: a costly write is looked for within prove_within', 'HttpClient.write re-sends after one '
             're-read (the window skipped)', HTTP,
             'if not result and prove_within is not None and not exc.answered and not rate_limited:',
             'if False:',
             ['%s::test_a_costly_write_without_an_answer_is_looked_for_until_its_window_ends_and_never_sent_again'
              % T_HTTP, '%s::test_a_gateway_error_to_a_costly_write_waits_out_the_window' % T_HTTP]),
    mutation('write guard: an "already exists" answer is re-read', 'HttpClient.write raises it without a re-read',
             HTTP, '                if landed is None or conflict is None or not conflict(exc):\n                    raise\n',
             '                raise\n',
             ['%s::test_a_create_refused_as_existing_is_found_by_a_re_read_not_failed' % T_CONFLICTS]),
    mutation('write guard: an "already exists" not as wanted fails', "HttpClient._settle_conflict takes any re-read "
             "for the wanted state", HTTP, '        if not result:\n            raise ApiError(',
             '        if False:\n            raise ApiError(',
             ['%s::test_a_conflict_whose_re_read_does_not_show_the_wanted_state_fails_saying_so' % T_CONFLICTS]),
    mutation("idempotence: what another run made is not this run's change", 'found_done leaves changed as planned',
             RUNNER, "        result['changed'] = False\n", '        pass\n',
             ['%s::test_a_run_whose_writes_were_all_found_done_reports_no_change_and_warns' % T_CONFLICTS]),
    mutation('sigsci: an empty exclusive member list is refused', 'validate lets members: [] with exclusive through',
             'plugins/modules/sigsci_site_member.py',
             "    if params['exclusive'] and not wanted and not params.get('allow_empty'):", '    if False:',
             ['%s::test_site_member_refuses_an_empty_exclusive_list_unless_allowed' % T_SG]),
    mutation('virusdie: a scan without an answer is noted for the next run', 'scan_site does not note it',
             'plugins/module_utils/virusdie.py',
             "                    later += ' (noted in %s)' % notes.remember(host, sent_at, before)\n",
             "                    later += ''\n",
             ['%s::test_a_lost_scan_answer_says_the_scan_may_have_started_and_is_noted_not_sent_again' % T_VD,
              '%s::test_virusdie_site_does_not_start_a_second_scan_blindly_after_a_lost_answer' % T_VD]),
    mutation('virusdie: no second scan while one may run', 'earlier_scans lets it through',
             'plugins/modules/virusdie_site.py', '    if running:\n        raise DomainsecError(',
             '    if False:\n        raise DomainsecError(',
             ['%s::test_virusdie_site_does_not_start_a_second_scan_blindly_after_a_lost_answer' % T_VD]),
    # -- money (cyberssl_order) -------------------------------------------------------------------------------------
    mutation('money: the price cap is inclusive', "check_purchase: price >= max_price refused", POLICY,
             "if params.get('max_price') is not None and price > params['max_price']:",
             "if params.get('max_price') is not None and price >= params['max_price']:",
             ['%s::test_the_price_cap_is_inclusive_and_zero_is_a_cap' % T_ORDER]),
    mutation('money: max_price 0 is a cap', 'check_purchase: max_price tested for truth (0 ignored)', POLICY,
             "if params.get('max_price') is not None and price > params['max_price']:",
             "if params.get('max_price') and price > params['max_price']:",
             ['%s::test_the_price_cap_is_inclusive_and_zero_is_a_cap' % T_ORDER]),
    mutation('money: the balance covers the price', 'check_purchase: balance check removed', POLICY,
             '    if balance is not None and balance < price:\n', '    if False:\n',
             ['%s::test_the_balance_must_cover_the_price' % T_ORDER]),
    mutation('money: a balance equal to the price is enough', 'check_purchase: balance <= price refused', POLICY,
             '    if balance is not None and balance < price:\n', '    if balance is not None and balance <= price:\n',
             ['%s::test_the_balance_must_cover_the_price' % T_ORDER]),
    mutation('money: max_price must be finite', 'validate: isfinite check on max_price removed', ORDER,
             'if price is not None and (not math.isfinite(price) or price < 0):',
             'if price is not None and price < 0:',
             ['%s::test_bad_input_names_the_option' % T_ORDER]),
    # -- keys and secrets (cyberssl_order) ---------------------------------------------------------------------------
    mutation('keys: a certificate only beside its own key', 'place writes for neither key (holder None)', CERT_FILES,
             '    if holder is None:\n        return []\n', '    if holder is None:\n        pass\n',
             ['%s::test_certificate_files_are_written_only_beside_their_key' % T_ORDER,
              '%s::test_without_a_key_path_the_csr_decides' % T_ORDER]),
    mutation('keys: a certificate for neither key fails the task', 'certificate_files reports ok for it',
             'plugins/modules/certificate_files.py', '    if holder is None:\n        module.fail_json(',
             '    if holder is None and False:\n        module.fail_json(',
             ['%s::test_a_certificate_of_another_key_is_not_written' % T_CERT_FILES]),
    # -- the file writer (every file a module writes) ----------------------------------------------------------------
    mutation('keys: a key file is 0600 whatever the mode option', 'FileWriter.file_args gives a secret the mode '
             'option', FILE_WRITER, '(SECRET_MODE if secret else self.mode)', 'self.mode',
             ['%s::test_a_secret_is_0600_from_its_first_moment_whatever_the_mode_and_never_backed_up' % T_WRITER,
              '%s::test_a_vendor_key_goes_beside_a_key_in_use' % T_ORDER]),
    mutation('keys and secrets: a new file is private until its mode is set', 'private_umask keeps the umask (a new '
             'file is made with the umask mode)', FILE_WRITER,
             '    previous = os.umask(PRIVATE_UMASK)\n    try:\n        yield previous\n',
             '    previous = os.umask(0)\n    os.umask(previous)\n    try:\n        yield previous\n',
             ['%s::test_a_secret_is_0600_from_its_first_moment_whatever_the_mode_and_never_backed_up' % T_WRITER,
              '%s::test_a_new_file_is_private_until_its_mode_is_set' % T_WRITER]),
    mutation('keys: no backup copy of a key', 'FileWriter.write backs up secrets too', FILE_WRITER,
             'and self.backup and not secret and', 'and self.backup and',
             ['%s::test_a_secret_is_0600_from_its_first_moment_whatever_the_mode_and_never_backed_up' % T_WRITER]),
    mutation('idempotence: check mode writes no file', 'FileWriter.write writes in check mode', FILE_WRITER,
             'if content_changed and not self.check_mode:\n', 'if content_changed:\n',
             ['%s::test_check_mode_predicts_every_change_and_writes_nothing' % T_WRITER]),
    mutation('idempotence: a file as wanted is not written', 'FileWriter.write takes every content for changed',
             FILE_WRITER, 'content_changed = not exists or read_bytes(path) != wanted', 'content_changed = True',
             ['%s::test_a_new_file_is_written_with_its_mode_and_a_rerun_changes_nothing' % T_WRITER,
              '%s::test_beside_its_key_then_nothing_then_check_mode_writes_nothing' % T_CERT_FILES]),
    mutation('money: a renewal is not a second purchase', 'unexplained: renewals explain nothing', POLICY,
             '        if renewed:\n            left.remove(renewed[-1])\n', '        if renewed:\n            pass\n',
             ['%s::test_a_renewal_and_the_order_it_renews_are_not_a_second_purchase' % T_ORDER]),
    mutation('secrets: a private key pasted into csr is masked', 'main: private key blocks not registered as '
             'no_log_values', ORDER,
             "    for block in private_key_blocks(module.params.get('csr')):\n        module.no_log_values.add(block)\n",
             "    for block in private_key_blocks(module.params.get('csr')):\n        pass\n",
             ['%s::test_a_csr_with_its_key_is_refused_and_masked_everywhere' % T_ORDER]),
]


# -- the copy -----------------------------------------------------------------------------------------------------
def known_files():
    """The files git knows about (tracked plus untracked-but-not-ignored) that exist, as scripts/lib.sh copies them."""
    listed = subprocess.run(['git', 'ls-files', '-z', '-co', '--exclude-standard'], cwd=ROOT, stdout=subprocess.PIPE,
                            check=True).stdout.decode('utf-8').split('\0')
    return [f for f in listed if f and (os.path.lexists(os.path.join(ROOT, f)))]


def make_copy(dest):
    if os.path.lexists(dest):
        shutil.rmtree(dest)
    for name in known_files():
        source, target = os.path.join(ROOT, name), os.path.join(dest, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.islink(source):
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)
    # the copy's own collection link (relative, as ensure_collection_link makes it): the tests import the copy
    parent = os.path.join(dest, 'build', 'collections', 'ansible_collections', 'domainsec')
    os.makedirs(parent, exist_ok=True)
    os.symlink(os.path.join('..', '..', '..', '..'), os.path.join(parent, 'onboard'))
    return dest


# -- running the tests ------------------------------------------------------------------------------------------------
def pytest_env():
    env = dict(os.environ)
    env.pop('PYTEST_ADDOPTS', None)  # a -k or -x of the caller's would change what runs
    env['PYTHONDONTWRITEBYTECODE'] = '1'  # a mutated and a restored file may share size and mtime: never a stale .pyc
    return env


def run_tests(copy, tests, junit, stop_at_first=True):
    command = [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--junitxml', junit]
    if stop_at_first:
        command.append('-x')
    result = subprocess.run(command + list(tests), cwd=copy, env=pytest_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    return result.returncode, result.stdout


def junit_cases(junit):
    """``[(test id, outcome)]`` from a junit file; outcome passed, failed, error or skipped."""
    try:
        root = ET.parse(junit).getroot()
    except (OSError, ET.ParseError):
        return []
    cases = []
    for case in root.iter('testcase'):
        module = (case.get('classname') or '').replace('.', '/')
        outcome = 'passed'
        for tag in ('failure', 'error', 'skipped'):
            if case.find(tag) is not None:
                outcome = {'failure': 'failed'}.get(tag, tag)
        cases.append(('%s.py::%s' % (module, case.get('name')), outcome))
    return cases


def covers(test, case_id):
    """Whether ``case_id`` (``path.py::name[param]``) is a case of the named ``test`` (``path.py::name``)."""
    return case_id == test or case_id.startswith(test + '[')


def baseline(copy):
    """Every named test exists and passes on the unchanged copy; a list of problems (empty: fine)."""
    tests = sorted(set(t for m in MUTATIONS for t in m['tests']))
    junit = os.path.join(WORK, 'baseline.xml')
    rc, output = run_tests(copy, tests, junit, stop_at_first=False)
    cases = junit_cases(junit)
    problems = []
    if rc != 0:
        problems.append('the named tests do not pass on the unchanged tree (pytest rc=%d):\n%s' % (rc, output[-3000:]))
    for test in tests:
        outcomes = [o for c, o in cases if covers(test, c)]
        if not outcomes:
            problems.append('%s: no such test' % test)
        elif set(outcomes) != {'passed'}:
            problems.append('%s: %s on the unchanged tree' % (test, ', '.join(sorted(set(outcomes)))))
    return problems


def apply_and_run(copy, number, item):
    """One mutation in ``copy``: its outcome (CAUGHT, SURVIVED, ERROR, NOT FOUND) and the detail."""
    path = os.path.join(copy, item['path'])
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    count = text.count(item['original'])
    if count != 1:
        return 'NOT FOUND', 'the original text occurs %d times in %s (must be once)' % (count, item['path'])
    junit = os.path.join(WORK, 'mutation-%02d.xml' % number)
    try:
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(text.replace(item['original'], item['replacement']))
        rc, output = run_tests(copy, item['tests'], junit)
    finally:
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(text)
    failed = [c for c, o in junit_cases(junit) if o == 'failed']
    errors = [c for c, o in junit_cases(junit) if o == 'error']
    if rc == 1 and failed and not errors:
        return 'CAUGHT', failed[0]
    if rc == 0:
        return 'SURVIVED', 'the tests passed with the guard broken'
    tail = [line for line in output.splitlines() if line.strip()][-3:]
    return 'ERROR', 'pytest rc=%d, %d failed, %d errors: %s' % (rc, len(failed), len(errors), ' | '.join(tail))


# -- report -----------------------------------------------------------------------------------------------------
def cell(text):
    return str(text).replace('|', '\\|').replace('\n', ' ')


def table(results):
    lines = ['| Guard | Mutation | Caught by |', '|---|---|---|']
    for item, (outcome, detail) in results:
        mutated = '`%s`: %s' % (item['path'].split('/')[-1], item['what'])
        if outcome == 'CAUGHT':
            caught = '`%s`' % detail.replace('tests/unit/plugins/', '')
        else:
            caught = '**%s** (%s)' % (outcome, detail)
        lines.append('| %s | %s | %s |' % (cell(item['guard']), cell(mutated), cell(caught)))
    return '\n'.join(lines) + '\n'


def cpu_seconds():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Break each guard in a copy of the tree; its tests must fail.')
    parser.add_argument('-k', dest='match', help='only the mutations whose guard or description contains this text')
    parser.add_argument('--jobs', type=int, default=1, help='mutations run at once, each in its own copy (default 1)')
    parser.add_argument('--list', action='store_true', help='list the mutations and their tests, run nothing')
    parser.add_argument('--output', default=os.path.join(WORK, 'report.md'), help='where the table is written')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    selected = [m for m in MUTATIONS if not args.match or args.match.lower() in (m['guard'] + ' ' + m['what']).lower()]
    if args.list:
        for item in selected:
            print('%s: %s (%s)\n    %s' % (item['guard'], item['what'], item['path'], '\n    '.join(item['tests'])))
        return 0
    if not selected:
        print('no mutation matches %r' % args.match, file=sys.stderr)
        return 2
    started, cpu_before = time.monotonic(), cpu_seconds()
    os.makedirs(WORK, exist_ok=True)
    jobs = max(1, min(args.jobs, len(selected)))
    copies = [make_copy(os.path.join(WORK, 'copy-%d' % n)) for n in range(jobs)]
    where = os.path.relpath(WORK, ROOT)
    print('copied %d files to %d cop%s in %s' % (len(known_files()), jobs, 'y' if jobs == 1 else 'ies', where),
          file=sys.stderr)
    problems = baseline(copies[0])
    if problems:
        print('BASELINE FAILED:\n' + '\n'.join(problems), file=sys.stderr)
        return 1
    results = [None] * len(selected)
    queue = list(enumerate(selected))
    lock = threading.Lock()

    def worker(copy):
        while True:
            with lock:
                if not queue:
                    return
                number, item = queue.pop(0)
            results[number] = (item, apply_and_run(copy, number, item))
            print('%-9s %s: %s' % (results[number][1][0], item['guard'], item['what']), file=sys.stderr)
    threads = [threading.Thread(target=worker, args=(copy,)) for copy in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, cpu = time.monotonic() - started, cpu_seconds() - cpu_before
    caught = sum(1 for dummy, (outcome, detail) in results if outcome == 'CAUGHT')
    summary = ('%d mutations: %d caught, %d not (wall %.0f s, CPU %.0f s, %d job%s)'
               % (len(results), caught, len(results) - caught, wall, cpu, jobs, '' if jobs == 1 else 's'))
    report = table(results) + '\n' + summary + '\n'
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, 'w', encoding='utf-8') as handle:
        handle.write(report)
    print(report)
    return 0 if caught == len(results) else 1


if __name__ == '__main__':
    sys.exit(main())
