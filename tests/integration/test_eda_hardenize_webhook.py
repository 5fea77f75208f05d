# -*- coding: utf-8 -*-
"""The Hardenize emulator's event hook delivers to the hardenize_webhook event source.

The source is served over HTTPS with a certificate from a trustme CA of this
test; the emulator verifies hook destinations against the CA file in its
``ca_path`` (the harness CA, DOMAINSEC_CA_PATH, whose key the harness does not
keep), so for this test it trusts a bundle of the harness CA and this test's CA
(set on the in-process app, restored afterwards). The hook is created disabled,
pointed at the running source, tested (valid and each ``invalid`` submission)
and enabled; events emitted through the emulator's admin API (``emit_events``)
arrive as events too.

An opt-in end-to-end test runs ansible-rulebook itself (see docs/eda.md):
``DOMAINSEC_EDA_E2E=1`` and ``ansible-rulebook`` (which needs Java 17+) on PATH.
"""

import base64
import json
import os
import shutil
import re
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import trustme

from unit.extensions.eda_helpers import RunningSource

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EVENT_TYPES = ['ct.entry', 'pki.cert.new']  # the document's event types


class HardenizeApi(object):
    """Just enough of the Organization API v1 client for this test (Basic auth, the harness CA)."""

    def __init__(self, env):
        self.base = '%s/v1/org/%s' % (env['HARDENIZE_API_URL'].rstrip('/'), env['HARDENIZE_ORG'])
        self.org = env['HARDENIZE_ORG']
        token = base64.b64encode(('%s:%s' % (env['HARDENIZE_API_USER'], env['HARDENIZE_API_PASSWORD'])).encode())
        self.auth = 'Basic ' + token.decode('ascii')
        self.context = ssl.create_default_context(cafile=env['DOMAINSEC_CA_PATH'])

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode('utf-8')
        request = urllib.request.Request(self.base + path, data=data, method=method, headers={
            'Authorization': self.auth, 'Content-Type': 'application/json', 'Accept': 'application/json'})
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as answer:
                text = answer.read()
        except urllib.error.HTTPError as exc:
            raise AssertionError('%s %s: %d %s' % (method, path, exc.code, exc.read()[:500]))
        return json.loads(text) if text else None


@pytest.fixture
def hardenize(emulators, tmp_path):
    """The Hardenize emulator, reset, with every event type enabled and trusting this test's CA too."""
    app = emulators.harness.emulators['hardenize']
    emulators.reset('hardenize')
    emulators.configure('hardenize', available_event_types=EVENT_TYPES, rate_limit_enabled=False)
    api = HardenizeApi(emulators.env)
    for name in EVENT_TYPES:
        api.call('POST', '/eventTypes/%s' % name, {'enabled': True})
    ca = trustme.CA(organization_name='domainsec EDA test CA')
    cert = ca.issue_cert('127.0.0.1')
    certfile, keyfile, bundle = tmp_path / 'source.pem', tmp_path / 'source.key', tmp_path / 'trusted.pem'
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    with open(emulators.env['DOMAINSEC_CA_PATH'], 'rb') as handle:
        bundle.write_bytes(handle.read() + b'\n' + ca.cert_pem.bytes())
    saved = app.ca_path
    app.ca_path = str(bundle)
    try:
        yield {'api': api, 'app': app, 'certfile': str(certfile), 'keyfile': str(keyfile), 'ca': ca}
    finally:
        app.ca_path = saved
        emulators.reset('hardenize')


def create_hook(api, port=1, path='/hooks/eda'):
    """A disabled webhook for every event type; its destination is updated once the source listens."""
    answer = api.call('POST', '/eventHooks', {'hookType': 'webhook', 'eventTypes': EVENT_TYPES, 'status': 'disabled',
                                              'destination': 'https://127.0.0.1:%d%s' % (port, path)})
    return answer['eventHook']


def test_hook_tests_and_emitted_events_arrive(emulators, hardenize):
    api = hardenize['api']
    hook = create_hook(api)
    args = {'host': '127.0.0.1', 'port': 0, 'path': '/hooks/eda', 'certfile': hardenize['certfile'],
            'keyfile': hardenize['keyfile'], 'secret': hook['secret'], 'org': api.org, 'hook_id': hook['id']}
    with RunningSource(args) as source:
        api.call('POST', '/eventHooks/%s' % hook['id'], {'destination': 'https://127.0.0.1:%d/hooks/eda' % source.port})

        # Hardenize's hook tests: a valid submission (test and pki.cert.new mock events) is a 204 and an event
        outcomes = {}
        for query in ('', '?eventType=pki.cert.new'):
            outcomes[query] = api.call('POST', '/eventHooks/%s;test%s' % (hook['id'], query))
        for query, outcome in outcomes.items():
            assert outcome['successful'] is True, (query, outcome)
            assert outcome['webook']['response']['statusCode'] == 204
        events = source.queue.wait_for(2)
        assert [(e['hardenize']['type'], e['hardenize']['id'], e['hardenize']['test']) for e in events] == [
            ('test', 0, True), ('pki.cert.new', 0, True)]
        assert events[0]['hardenize']['data'] == {'message': 'This is a webhook test.'}

        # each broken submission must be refused with a 400, which is what the hook test counts as success
        for invalid in ('signature', 'payload', 'hookId', 'org'):
            outcome = api.call('POST', '/eventHooks/%s;test?invalid=%s' % (hook['id'], invalid))
            assert outcome['webook']['response']['statusCode'] == 400, (invalid, outcome)
            assert outcome['successful'] is True, (invalid, outcome)
        assert len(source.queue.snapshot()) == 2

        # enabled, the hook receives the events the account records (emit_events delivers synchronously)
        api.call('POST', '/eventHooks/%s' % hook['id'], {'status': 'enabled'})
        emulators.configure('hardenize', emit_events=[
            {'type': 'pki.cert.new', 'data': {'hosts': ['shop.example.com'], 'serial': '0a1b', 'precert': True}},
            {'type': 'pki.cert.new'},
            {'type': 'ct.entry'},
        ])
        events = source.queue.wait_for(5)
        state = emulators.state('hardenize')
        assert [d['successful'] for d in state['deliveries']] == [True, True, True], state['deliveries']
        emitted = events[2:]
        assert [(e['hardenize']['type'], e['hardenize']['id'], e['hardenize']['test']) for e in emitted] == [
            ('pki.cert.new', 10001, False), ('pki.cert.new', 10002, False), ('ct.entry', 10003, False)]
        assert emitted[0]['hardenize']['host'] == 'shop.example.com' and emitted[0]['hardenize']['data']['precert'] is True
        assert emitted[1]['hardenize']['data']['hosts'] == ['www.example.com']
        assert emitted[2]['hardenize']['hosts'] == ['example.com']  # matchedHosts of the CT entry
        for event in events:
            assert event['hardenize']['org'] == api.org and event['hardenize']['hook_id'] == hook['id']
            assert 0 <= event['meta']['signature_age'] < 60
            assert hook['secret'] not in json.dumps(event)
        # 5 events put: 2 hook tests, 3 emitted; 4 invalid submissions refused
    api.call('DELETE', '/eventHooks/%s' % hook['id'])


def test_hook_test_fails_when_the_source_has_another_secret(emulators, hardenize):
    """A source with the wrong secret refuses the valid submission: the hook test reports the 400."""
    api = hardenize['api']
    hook = create_hook(api)
    args = {'host': '127.0.0.1', 'port': 0, 'certfile': hardenize['certfile'], 'keyfile': hardenize['keyfile'],
            'secret': 'not-' + hook['secret'][4:]}
    with RunningSource(args) as source:
        api.call('POST', '/eventHooks/%s' % hook['id'], {'destination': 'https://127.0.0.1:%d/hooks/eda' % source.port})
        outcome = api.call('POST', '/eventHooks/%s;test' % hook['id'])
        assert outcome['successful'] is False
        assert outcome['webook']['response']['statusCode'] == 400
        assert source.queue.snapshot() == []


# -- opt-in: ansible-rulebook itself -------------------------------------------------------------------
_LISTENING = re.compile(r'hardenize_webhook: listening on (?:plain )?https?://[^\s,]*:(\d+)')


class Rulebook(object):
    """ansible-rulebook running one of the collection's rulebooks, named by FQCN, from a directory outside the
    collection (its playbooks are named by FQCN too, so the working directory does not matter)."""

    def __init__(self, name, variables, workdir):
        self.name = name
        self.workdir = workdir
        self.log_path = str(workdir / ('%s.log' % name.rsplit('.', 1)[-1]))
        (workdir / 'vars.yml').write_text(json.dumps(variables))
        # localhost listed: run_playbook limits the play to the rulebook's hosts (all), which an implicit localhost
        # is not part of
        (workdir / 'inventory.yml').write_text('all:\n  hosts:\n    localhost:\n      ansible_connection: local\n')
        self.process = None
        self.port = None

    def __enter__(self):
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, 'build', 'collections'),
                   ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='0',
                   ANSIBLE_INVENTORY_UNPARSED_WARNING='0')
        with open(self.log_path, 'w') as log:
            self.process = subprocess.Popen(
                ['ansible-rulebook', '--rulebook', self.name, '-i', 'inventory.yml', '--vars', 'vars.yml', '-v'],
                cwd=str(self.workdir), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.process.poll() is None and self.port is None:
            match = _LISTENING.search(self.output())
            if match:
                self.port = int(match.group(1))
            else:
                time.sleep(0.2)
        assert self.port, self.output()
        return self

    def output(self):
        with open(self.log_path) as handle:
            return handle.read()

    def wait_for(self, *texts, timeout=180):
        """The output once it holds every one of ``texts`` (AssertionError after ``timeout`` s or when it ends)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            text = self.output()
            if all(t in text for t in texts):
                return text
            time.sleep(0.5)
        raise AssertionError('%s: %s not in the output:\n%s' % (self.name, texts, self.output()[-6000:]))

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def point_hook(api, hook, port):
    api.call('POST', '/eventHooks/%s' % hook['id'], {'destination': 'https://127.0.0.1:%d/hooks/eda' % port})


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get('DOMAINSEC_EDA_E2E') != '1' or not shutil.which('ansible-rulebook'),
                    reason='opt-in: DOMAINSEC_EDA_E2E=1 and ansible-rulebook (Java 17+) on PATH; see docs/eda.md')
def test_rulebook_end_to_end(emulators, hardenize, tmp_path):
    """ansible-rulebook runs the collection's two rulebooks, by FQCN and from outside the collection, with the source
    on HTTPS. hardenize_discovery: the Hardenize emulator's hook tests reach it, and an emitted ct.entry event makes
    its playbook add the host to Hardenize. hardenize_certificates: of two emitted pki.cert.new events, a certificate
    that is no CyberSSL order of the account is reported as an unexpected issuance, and the precertificate of the
    account's own order is not."""
    from test_eda_playbooks import CyberSSL, certificate

    api = hardenize['api']
    hook = create_hook(api, path='/hooks/eda')
    variables = {
        'hardenize_webhook_host': '127.0.0.1', 'hardenize_webhook_port': 0, 'hardenize_webhook_path': '/hooks/eda',
        'hardenize_webhook_certfile': hardenize['certfile'], 'hardenize_webhook_keyfile': hardenize['keyfile'],
        'hardenize_webhook_org': api.org, 'hardenize_hook_ids': [hook['id']],
        'hardenize_hook_secrets': [hook['secret']], 'hardenize_discovered_groups': ['discovered'],
    }
    discovery_dir, certificates_dir = tmp_path / 'discovery', tmp_path / 'certificates'
    discovery_dir.mkdir()
    certificates_dir.mkdir()

    with Rulebook('domainsec.onboard.hardenize_discovery', variables, discovery_dir) as rulebook:
        point_hook(api, hook, rulebook.port)
        outcome = api.call('POST', '/eventHooks/%s;test' % hook['id'])
        assert outcome['successful'] is True, (outcome, rulebook.output())
        outcome = api.call('POST', '/eventHooks/%s;test?invalid=signature' % hook['id'])
        assert outcome['successful'] is True, (outcome, rulebook.output())
        api.call('POST', '/eventHooks/%s' % hook['id'], {'status': 'enabled'})
        emulators.configure('hardenize', emit_events=[{'type': 'ct.entry', 'data': {
            'hosts': ['new-host.example.com', '*.example.com'], 'matchedHosts': ['new-host.example.com']}}])
        assert [d['successful'] for d in emulators.state('hardenize')['deliveries']] == [True], rulebook.output()
        deadline = time.monotonic() + 180
        hosts = {}
        while time.monotonic() < deadline and 'new-host.example.com' not in hosts and rulebook.process.poll() is None:
            hosts = dict((h['hostname'], h) for h in api.call('GET', '/hosts').get('hosts', []))
            if 'new-host.example.com' not in hosts:
                time.sleep(0.5)
        assert 'new-host.example.com' in hosts, rulebook.output()
        assert hosts['new-host.example.com']['status'] == 'monitored'
        assert 'discovered' in hosts['new-host.example.com']['groups'], hosts['new-host.example.com']
        rulebook.wait_for('Hardenize hook test delivery received: test')
        assert hook['secret'] not in rulebook.output()

    emulators.reset('cyberssl')
    cyberssl = CyberSSL(emulators)
    order_id = cyberssl.activated_order('www.example.org')
    ours = cyberssl.serial(order_id)
    stranger = '%x' % (int(ours, 16) ^ 0xffff)
    with Rulebook('domainsec.onboard.hardenize_certificates', variables, certificates_dir) as rulebook:
        point_hook(api, hook, rulebook.port)
        emulators.configure('hardenize', emit_events=[
            {'type': 'pki.cert.new', 'data': certificate(stranger, ['www.example.org'])},
            {'type': 'pki.cert.new', 'data': certificate(ours, ['www.example.org'], precert=True)}])
        deliveries = emulators.state('hardenize')['deliveries']
        assert [d['successful'] for d in deliveries[-2:]] == [True, True], rulebook.output()
        first, second = deliveries[-2]['eventId'], deliveries[-1]['eventId']
        text = rulebook.wait_for(
            'Unexpected certificate issuance: Hardenize event %d reports a certificate %s' % (first, stranger),
            'Hardenize event %d: precertificate %s for www.example.org' % (second, ours),
            'is CyberSSL order %d.' % order_id)
        assert hook['secret'] not in text
    cyberssl.session.close()
