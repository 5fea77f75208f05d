# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each layer that keeps a secret out of a module's output, tested where it is the only layer that could.

The layers overlap on purpose (a secret the transport knows is masked by its redactor and again by Ansible), so a
test of the whole only proves that one of them works. Each test here puts a secret where exactly one layer stands
between it and the output, so switching that layer off alone makes the test fail (scripts/mutation-check.sh switches
each off in a copy of the tree and runs these tests):

* module_runner._with_trace registers the transport's secrets (a session token learnt during the run) as Ansible
  no_log values: a token that comes back inside vendor data is masked in the result;
* module_runner.fail_module redacts its message: a URL password that no option holds (the text of an unexpected
  error) is masked in the failure;
* module_runner.new_module registers a password inside a URL option as a no-log value: Ansible's echo of the
  arguments (``invocation``) masks it;
* http_transport's BasicAuth, HeaderAuth and FieldAuth register every value they put on a request, so a server that
  echoes the request leaks none of them into the trace;
* Redactor.mapping hides secret-named fields that were never registered as values;
* HttpClient._log redacts every trace line, also those made of another error's text.

Module runs are the module's ``main()`` in process (``patch_module_args``, stdout captured) against
:class:`FakeHttp`, which answers for every client the run builds (``serve_every_client``).
"""

import contextlib
import io
import json
from urllib.parse import quote_plus

import pytest

from ansible.module_utils._internal import _traceback
from ansible.module_utils.testing import patch_module_args

from secret_grep import wire_forms
from unit.fake_http import FakeHttp
from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport as H
from ansible_collections.domainsec.onboard.plugins.module_utils import module_runner as mr
from ansible_collections.domainsec.onboard.plugins.module_utils import vendor_client as vc
from ansible_collections.domainsec.onboard.plugins.modules import hardenize_event_hook
from ansible_collections.domainsec.onboard.plugins.modules import ssdns_domain_info

MASK = H.REDACTED


def run_main(main, args):
    """Run a module's main() in process; its raw output (what Ansible would read) and the parsed result."""
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            main()
    return out.getvalue(), json.loads(out.getvalue())


# -- module_runner._with_trace: secrets learnt during the run become Ansible no_log values ----------------------
SS_KEY = 'WjN5ZkVoWm9KS2FvaHVGbE5VQ2loeHdP'
SS_PASSWORD = 'Pa55-w0rd-for-the-test'
SS_TOKEN = 'VhvF93vCXKScVlxdh2332343j4oFdXC8R7lkF3FX'  # alphanumeric: the same in a form body as in the text


def securityspace_echo(sent):
    """A SecuritySpace that builds the zone file with the request it received in a comment."""
    endpoint = sent.path.rsplit('/', 1)[-1][:-len('.php')]
    if endpoint == 'auth':
        return {'status': '0', 'sessionToken': SS_TOKEN}
    if endpoint == 'dnsGetDomainRecords':
        return {'status': '0', 'domain': 'example.com', 'state': 3, 'stateText': 'Active', 'records': []}
    if endpoint == 'dnsBuildZone':
        return {'status': '0', 'zone': '; built for %s\n$ORIGIN example.com.\n' % sent.body}
    return {'status': '-1', 'error': 'unspecifiedError'}


def test_a_session_token_inside_vendor_data_is_masked_in_the_result(monkeypatch):
    """The token is learnt during the run; it comes back inside the zone file, a value the module returns as the
    vendor sent it. Only Ansible's no_log values (the transport's secrets registered at the end of the run) mask it
    there, in the result and in the -vvv api_trace."""
    fake = FakeHttp(default=securityspace_echo).serve_every_client(monkeypatch)
    out, result = run_main(ssdns_domain_info.main, dict(
        api_key=SS_KEY, userid='onboard-user', password=SS_PASSWORD, api_url='https://api.test/api',
        domain='example.com', zone_file=True, _ansible_verbosity=3))
    assert [s.path for s in fake.sent] == ['/api/auth.php', '/api/dnsGetDomainRecords.php', '/api/dnsBuildZone.php']
    assert SS_TOKEN in fake.sent[-1].body  # the token really went out and came back
    assert not result.get('failed'), result
    assert SS_TOKEN not in out and SS_KEY not in out and SS_PASSWORD not in out
    assert 'sessionToken=%s' % MASK in result['zone']
    assert result['api_trace']


# -- module_runner.fail_module: the failure message is redacted -------------------------------------------------
HOOK_PASSWORD = 'pw-only-in-the-error-7f3a'


class EchoVendor(vc.VendorClient):
    """A vendor client without requests: enough for run_module."""

    VENDOR = 'EchoVendor'
    OPTIONS = dict(api_key=dict(type='str', no_log=True, required=True),
                   api_url=dict(type='str', default='https://api.test'))


def failing_module():
    module = mr.new_module(EchoVendor.argument_spec(), supports_check_mode=True)

    def run(client):
        # An unexpected error whose text carries a URL with a password that no option holds (a hook destination
        # another tool created, read back from the vendor): Ansible does not know it as a secret.
        raise RuntimeError('cannot read https://svc:%s@hooks.example.com/x' % HOOK_PASSWORD)
    mr.run_module(module, EchoVendor, run)


def test_a_url_password_in_a_failure_is_masked_in_the_message_and_the_traceback(monkeypatch):
    # Tracebacks as with ANSIBLE_DISPLAY_TRACEBACK=error (the module then returns the one run_module hands over);
    # ansible-core caches that setting per process, so the test sets it for itself.
    monkeypatch.setattr(_traceback, '_is_traceback_enabled', lambda event: True)
    out, result = run_main(failing_module, dict(api_key='key-0123456789'))
    assert result['failed'] is True
    assert 'EchoVendor: unexpected error (RuntimeError: cannot read https://svc:%s@hooks.example.com/x)' % MASK \
        in result['msg']
    assert 'RuntimeError' in result['exception']
    assert HOOK_PASSWORD not in out


# -- module_runner.new_module: a password inside a URL option is a no-log value ----------------------------------
HZ_PASSWORD = 'hz-api-password-0123'
URL_PASSWORD = 'hook-pass-0123456'


def hardenize_fake(sent):
    if sent.method == 'GET' and sent.path == '/v1/org/demo/eventHooks':
        return {'eventHooks': []}
    if sent.method == 'GET' and sent.path == '/v1/org/demo/eventTypes':
        return {'eventTypes': [{'name': 'ct.entry', 'available': True, 'enabled': False}]}
    return (500, {'errors': [{'message': 'unexpected %s %s' % (sent.method, sent.path)}]})


def test_a_password_in_a_url_option_is_masked_in_ansibles_echo_of_the_arguments(monkeypatch):
    """The destination is not a secret option, so Ansible echoes it in ``invocation``; only the no-log value that
    new_module registers masks the password in it (the module's own views mask it themselves)."""
    fake = FakeHttp(default=hardenize_fake).serve_every_client(monkeypatch)
    destination = 'https://svc:%s@hooks.example.com/x' % URL_PASSWORD
    out, result = run_main(hardenize_event_hook.main, dict(
        api_user='svc-user', api_password=HZ_PASSWORD, org='demo', api_url='https://api.test',
        destination=destination, event_types=['ct.entry'], _ansible_check_mode=True, _ansible_diff=True))
    assert not result.get('failed'), result
    assert result['changed'] is True and [s.method for s in fake.sent] == ['GET', 'GET']  # check mode: reads only
    assert result['invocation']['module_args']['destination'] == 'https://svc:%s@hooks.example.com/x' % MASK
    assert URL_PASSWORD not in out and HZ_PASSWORD not in out


# -- http_transport: every Auth registers what it puts on the request -------------------------------------------
def echo(sent):
    """A server that answers every request with what it received: URL, header values and body in one string (no
    field named like a secret, so only a registered value can be masked)."""
    received = '%s %s %s %s' % (sent.method, sent.url, ' '.join(str(v) for v in sent.headers.values()), sent.body)
    return (400, json.dumps({'echo': received}).encode('utf-8'), {'Content-Type': 'application/json'})


def bare_client(auth):
    """A transport that knows no secret of its own: whatever is masked, the Auth registered."""
    http = H.HttpClient('Vendor', auth=auth, sleep=lambda seconds: None)
    http.fake = FakeHttp(default=echo).mount(http)
    return http


def traced(http):
    return '\n'.join(http.trace)


def test_basic_auth_registers_the_header_it_sends():
    auth = H.BasicAuth('svc-user', 'hunter22-basic')
    http = bare_client(auth)
    assert http.request('GET', 'https://api.test/x').status == 400
    assert http.fake.sent[0].headers['Authorization'] == auth.header  # sent, and so echoed
    token = auth.header.split()[1]
    assert token not in traced(http) and MASK in traced(http)


def test_header_auth_registers_every_header_but_the_public_ones():
    auth = H.HeaderAuth({'x-api-user': 'me@example.com', 'x-api-token': 'tok-header-0123456'}, public=['x-api-user'])
    http = bare_client(auth)
    http.request('GET', 'https://api.test/corps')
    assert 'tok-header-0123456' not in traced(http)
    assert 'me@example.com' in traced(http)  # an identifier, not a secret


@pytest.mark.parametrize('method', ['GET', 'POST'])
def test_field_auth_registers_the_fields_it_adds(method):
    auth = H.FieldAuth(lambda: {'token': 'tok-field-0123456', 'user': 'me'})
    http = bare_client(auth)
    http.request(method, 'https://api.test/v1/order_status', params={'order_id': '7'} if method == 'GET' else None,
                 data={'order_id': '7'} if method == 'POST' else None, idempotent=True)
    sent = http.fake.sent[0]
    assert (sent.query if method == 'GET' else sent.form)['token'] == 'tok-field-0123456'
    assert 'tok-field-0123456' not in traced(http) and MASK in traced(http)


# -- every form a secret takes on the wire or in JSON is masked, not only the raw value ---------------------------
PLUS_SLASH_EQUALS = 'tok+en/with=pad=='


def test_the_forms_the_test_looks_for_differ_from_the_raw_value():
    forms = wire_forms(PLUS_SLASH_EQUALS)
    # six distinct strings (quote_plus is quote for a token without spaces; JSON escapes only the PHP slash here)
    assert len(set(forms.values())) == 7, forms
    assert [name for name, text in sorted(forms.items()) if PLUS_SLASH_EQUALS in text] == ['json', 'raw'], forms


@pytest.mark.parametrize('form', sorted(wire_forms(PLUS_SLASH_EQUALS)))
def test_a_registered_secret_is_masked_in_every_form(form):
    text = wire_forms(PLUS_SLASH_EQUALS)[form]
    redactor = H.Redactor([PLUS_SLASH_EQUALS])
    assert redactor.text('before %s after' % text) == 'before %s after' % MASK
    assert redactor.mapping({'echo': [text]}) == {'echo': [MASK]}


@pytest.mark.parametrize('method', ['GET', 'POST'])
def test_a_token_with_plus_slash_equals_travels_encoded_and_its_echo_is_masked(method):
    """The CyberSSL case: the token travels URL-encoded (query string or form body); a server that echoes the request
    shows the encoded form (and the JSON-escaped one in its body), none of which may reach the trace."""
    auth = H.FieldAuth(lambda: {'token': PLUS_SLASH_EQUALS})
    http = H.HttpClient('Vendor', auth=auth, sleep=lambda seconds: None)

    def echo_forms(sent):
        received = '%s %s %s' % (sent.url, sent.body, json.dumps({'token': sent.query.get('token') or sent.form.get('token')}))
        return (400, json.dumps({'echo': received, 'forms': wire_forms(PLUS_SLASH_EQUALS)}).encode('utf-8'),
                {'Content-Type': 'application/json'})
    http.fake = FakeHttp(default=echo_forms).mount(http)
    http.request(method, 'https://api.test/v1/order_status', params={'order_id': '7'} if method == 'GET' else None,
                 data={'order_id': '7'} if method == 'POST' else None, idempotent=True)
    sent = http.fake.sent[0]
    wire = sent.url if method == 'GET' else sent.body
    assert quote_plus(PLUS_SLASH_EQUALS) in str(wire)  # sent encoded, so its encoded form is echoed
    trace = traced(http)
    assert 'echo' in trace
    assert not [name for name, text in wire_forms(PLUS_SLASH_EQUALS).items() if text in trace], trace


# -- Redactor.mapping: secret-named fields are hidden even when their values were never registered --------------
def test_secret_named_fields_are_hidden_in_the_trace_without_being_registered():
    http = H.HttpClient('Vendor', sleep=lambda seconds: None)
    FakeHttp(default=lambda sent: {'id': 7, 'token': 'answer-tok-0123', 'nested': [{'Secret': 'answer-secret-0123'}]}
             ).mount(http)
    http.request('POST', 'https://api.test/login', data={'user': 'me', 'password': 'form-pw-0123'}, idempotent=True)
    text = traced(http)
    for value in ('answer-tok-0123', 'answer-secret-0123', 'form-pw-0123'):
        assert value not in text
    assert '"password": "%s"' % MASK in text and '"token": "%s"' % MASK in text and '"user": "me"' in text


# -- HttpClient._log: every trace line is redacted, also one made of another error's text ------------------------
def test_a_trace_line_made_of_an_error_text_is_redacted():
    http = H.HttpClient('Vendor', secrets=['s3cr3t-key-0123'], sleep=lambda seconds: None)

    def send():
        # a client's own unknown outcome, its text not redacted by the transport
        raise H.WriteOutcomeUnknown('no answer to POST /add?k=s3cr3t-key-0123', vendor='Vendor')
    assert http.write(send, landed=lambda: {'id': 1}) == {'id': 1}
    lines = [line for line in http.trace if line.startswith('write outcome unknown')]
    assert lines == ['write outcome unknown (no answer to POST /add?k=%s); re-reading the remote state in 0.0 s'
                     % MASK]
    assert 's3cr3t-key-0123' not in traced(http)
