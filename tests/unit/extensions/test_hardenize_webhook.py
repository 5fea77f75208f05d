# -*- coding: utf-8 -*-
"""The hardenize_webhook event source, served on a real port (HTTPS with a trustme CA, and plain HTTP).

Deliveries are signed here with hmac directly (eda_helpers.sign), independently
of the collection's verifier; every request waits for its answer, and the
source puts an event on the queue before it answers 204, so the queue can be
counted right after the answers without waiting.
"""

import concurrent.futures
import http.client
import json
import logging
import os
import socket
import ssl
import subprocess
import sys
import time

import pytest
import trustme

from eda_helpers import EventQueue, RunningSource, event_body, sign

from ansible_collections.domainsec.onboard.extensions.eda.plugins.event_source import hardenize_webhook as hw
from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize_signature as sig

SECRET = 'f0e1d2c3b4a5968778695a4b3c2d1e0f'
OLD_SECRET = 'old-secret-0123456789abcdef'
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PLUGIN_IN_COLLECTION = os.path.join(ROOT, 'build', 'collections', 'ansible_collections', 'domainsec', 'onboard',
                                    'extensions', 'eda', 'plugins', 'event_source', 'hardenize_webhook.py')


@pytest.fixture(scope='module')
def tls_files(tmp_path_factory):
    """A trustme CA, a server certificate for 127.0.0.1 (cert and key in separate files) and a client context."""
    ca = trustme.CA()
    cert = ca.issue_cert('127.0.0.1', 'localhost')
    directory = tmp_path_factory.mktemp('eda-tls')
    certfile, keyfile, bundle = directory / 'server.pem', directory / 'server.key', directory / 'both.pem'
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(certfile), append=True)
    cert.private_key_pem.write_to_path(str(keyfile))
    cert.private_key_and_cert_chain_pem.write_to_path(str(bundle))
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return {'certfile': str(certfile), 'keyfile': str(keyfile), 'bundle': str(bundle), 'client': client}


class Client(object):
    """One keep-alive HTTP(S) connection to the source."""

    def __init__(self, port, context=None, timeout=10):
        if context is None:
            self.conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
        else:
            self.conn = http.client.HTTPSConnection('127.0.0.1', port, timeout=timeout, context=context)

    def post(self, body, signature=None, path='/hooks/hardenize', method='POST', headers=None):
        sent = {'Content-Type': 'application/json; charset=UTF-8', 'User-Agent': 'Hardenize (https://www.hardenize.com)'}
        if signature is not None:
            sent['X-Hardenize-Signature'] = signature
        sent.update(headers or {})
        self.conn.request(method, path, body=body, headers=sent)
        answer = self.conn.getresponse()
        data = answer.read()
        if answer.will_close:
            self.conn.close()
        return answer.status, data, dict(answer.getheaders())

    def close(self):
        self.conn.close()


def source_args(tls, tls_files, **extra):
    args = {'host': '127.0.0.1', 'port': 0, 'secret': SECRET, 'max_body_size': 4096}
    if tls:
        args.update(certfile=tls_files['certfile'], keyfile=tls_files['keyfile'])
    else:
        args['tls'] = False
    args.update(extra)
    return args


def raw_request(port, data, timeout=5):
    """Send raw bytes on a plain connection; the answer's status line and the rest."""
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as conn:
        conn.sendall(data)
        received = b''
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
    return received


# -- the delivery matrix, over HTTPS and over plain HTTP ----------------------------------------------
@pytest.mark.parametrize('tls', [True, False], ids=['https', 'http'])
def test_delivery_matrix(tls, tls_files):
    """16 deliveries: 5 accepted and queued (2 of them test deliveries), 1 duplicate acknowledged, 10 refused."""
    with RunningSource(source_args(tls, tls_files)) as source:
        assert source.scheme == ('https' if tls else 'http')
        client = Client(source.port, tls_files['client'] if tls else None)
        now_ms = int(time.time() * 1000)
        good = event_body(10001)
        string_data = event_body(10002, 'ct.entry', json.dumps({'matchedHosts': ['example.com'], 'hosts': ['example.com']}))
        cases = [
            # (what, body, signature, method, expected status)
            ('signed pki.cert.new', good, sign(SECRET, good), 'POST', 204),
            ('same event id again, signed later', good, sign(SECRET, good, now_ms + 1500), 'POST', 204),
            ('ct.entry with data as a JSON string', string_data, sign(SECRET, string_data), 'POST', 204),
            ('hook test', event_body(0, 'test', {'message': 'This is a webhook test.'}),
             sign(SECRET, event_body(0, 'test', {'message': 'This is a webhook test.'})), 'POST', 204),
            ('hook test again (id 0 is never a duplicate)', event_body(0, 'test', {'message': 'again'}),
             sign(SECRET, event_body(0, 'test', {'message': 'again'})), 'POST', 204),
            # the source checks deliveries, not event types: a type Hardenize may add later is queued too
            ('a type the source does not know', event_body(10003, 'future.type'),
             sign(SECRET, event_body(10003, 'future.type')), 'POST', 204),
            ('unsigned', event_body(10004), None, 'POST', 400),
            ('stale: 301 s old', event_body(10005), sign(SECRET, event_body(10005), now_ms - 301000), 'POST', 400),
            ('from the future: 301 s ahead', event_body(10006), sign(SECRET, event_body(10006), now_ms + 301000), 'POST', 400),
            ('tampered body', event_body(10007).replace(b'www.', b'evil.'), sign(SECRET, event_body(10007)), 'POST', 400),
            ('another secret', event_body(10008), sign('not-the-secret', event_body(10008)), 'POST', 400),
            ('malformed signature', event_body(10009), 't=abc; hmac-sha256=' + '0' * 64, 'POST', 400),
            ('signed, not JSON', event_body(10010)[:-7], sign(SECRET, event_body(10010)[:-7]), 'POST', 400),
            ('signed JSON, not an event', b'[1,2]', sign(SECRET, b'[1,2]'), 'POST', 400),
            ('oversized (4097 bytes)', b'{' + b' ' * 4095 + b'}', sign(SECRET, b'{' + b' ' * 4095 + b'}'), 'POST', 413),
            ('GET', None, None, 'GET', 405),
        ]
        statuses = []
        for what, body, signature, method, expected in cases:
            status, data, headers = client.post(body, signature, method=method)
            statuses.append((what, status))
            assert status == expected, '%s: %d %r' % (what, status, data)
            if status == 204:
                assert data == b''
            if status == 405:
                assert headers.get('Allow') == 'POST'
            if status >= 400:
                assert SECRET not in data.decode('utf-8')
        put = client.post(event_body(10011), sign(SECRET, event_body(10011)), method='PUT')
        client.close()
        assert put[0] == 405
        events = source.queue.snapshot()
    # 5 events put, 1 duplicate not put, 11 refused (10 above and the PUT)
    assert [(e['hardenize']['id'], e['hardenize']['type']) for e in events] == [
        (10001, 'pki.cert.new'), (10002, 'ct.entry'), (0, 'test'), (0, 'test'), (10003, 'future.type')]
    assert sum(1 for _what, status in statuses if status == 204) == 6
    assert sum(1 for _what, status in statuses if status >= 400) + 1 == 11
    first, ct_entry, test = events[0], events[1], events[2]
    assert first['hardenize']['data'] == {'hosts': ['www.example.com'], 'sha256': '00' * 32}
    assert first['hardenize']['host'] == 'www.example.com' and first['hardenize']['test'] is False
    assert first['hardenize']['created_on'] == '2026-01-01T00:00:00.000Z'
    assert ct_entry['hardenize']['data'] == {'matchedHosts': ['example.com'], 'hosts': ['example.com']}  # parsed
    assert ct_entry['hardenize']['hosts'] == ['example.com']
    assert test['hardenize']['test'] is True and test['hardenize']['data'] == {'message': 'This is a webhook test.'}
    for event in events:
        assert set(event) == {'hardenize', 'meta'}
        assert event['meta']['received_at'].endswith('Z')
        assert 0 <= event['meta']['signature_age'] < 60
        assert SECRET not in json.dumps(event)
        assert 'hmac-sha256' not in json.dumps(event)


def test_event_carries_no_secret_and_no_authorization(tls_files):
    with RunningSource(source_args(False, tls_files, org='demo', hook_id='74bf16db59ef4d55aeeb7fe9f7d5171d')) as source:
        client = Client(source.port)
        body = event_body(20001)
        status, _data, _headers = client.post(body, sign(SECRET, body), headers={
            'Authorization': 'Basic c3ZjOnBhc3N3b3Jk', 'X-Hardenize-Org': 'demo',
            'X-Hardenize-EventHookId': '74bf16db59ef4d55aeeb7fe9f7d5171d', 'Cookie': 'session=abc'})
        client.close()
        assert status == 204
        events = source.queue.snapshot()
    assert len(events) == 1
    text = json.dumps(events[0]).lower()
    for forbidden in (SECRET, 'authorization', 'c3zjonbhc3n3b3jk', 'basic ', 'session=abc', 'hmac-sha256'):
        assert forbidden.lower() not in text
    assert events[0]['hardenize']['org'] == 'demo'
    assert events[0]['hardenize']['hook_id'] == '74bf16db59ef4d55aeeb7fe9f7d5171d'


def test_secret_rotation(tls_files):
    """secret and secrets together: the old and the new secret are accepted, a third one is not."""
    with RunningSource(source_args(False, tls_files, secret=SECRET, secrets=[OLD_SECRET])) as source:
        client = Client(source.port)
        results = [client.post(event_body(n), sign(secret, event_body(n)))[0]
                   for n, secret in ((30001, OLD_SECRET), (30002, SECRET), (30003, 'retired-secret'))]
        client.close()
        assert results == [204, 204, 400]
        assert [e['hardenize']['id'] for e in source.queue.snapshot()] == [30001, 30002]


def test_org_and_hook_id_checks(tls_files):
    """Hardenize's invalid=org and invalid=hookId submissions are refused when org and hook_id are set."""
    hook = '74bf16db59ef4d55aeeb7fe9f7d5171d'
    with RunningSource(source_args(True, tls_files, org='demo', hook_id=[hook, 'b' * 32])) as source:
        client = Client(source.port, tls_files['client'])
        results = []
        for n, org, hook_id in ((40001, 'demo', hook), (40002, 'demo-other', hook), (40003, 'demo', 'c' * 32),
                                (40004, None, hook), (40005, 'demo', None), (40006, 'demo', 'b' * 32)):
            headers = {}
            if org is not None:
                headers['X-Hardenize-Org'] = org
            if hook_id is not None:
                headers['X-Hardenize-EventHookId'] = hook_id
            results.append(client.post(event_body(n), sign(SECRET, event_body(n)), headers=headers)[0])
        client.close()
        assert results == [204, 400, 400, 400, 400, 204]
        assert [e['hardenize']['id'] for e in source.queue.snapshot()] == [40001, 40006]


def test_path_keep_alive_and_chunked(tls_files):
    with RunningSource(source_args(False, tls_files, path='/hooks/3b9e0d1c7a')) as source:
        client = Client(source.port)
        body = event_body(50001)
        assert client.post(body, sign(SECRET, body), path='/hooks/3b9e0d1c7a')[0] == 204
        sock = client.conn.sock
        assert client.post(b'{}', None, path='/hooks/3b9e0d1c7a')[0] == 400  # refused, connection kept
        body = event_body(50002)
        assert client.post(body, sign(SECRET, body), path='/hooks/3b9e0d1c7a?x=1')[0] == 204
        assert client.conn.sock is sock  # three requests, one connection
        assert client.post(body, sign(SECRET, body), path='/elsewhere')[0] == 404
        # chunked bodies: a small one is accepted, one over max_body_size is 413
        body = event_body(50003)
        chunked = b''.join(b'%x\r\n%s\r\n' % (len(body[i:i + 50]), body[i:i + 50]) for i in range(0, len(body), 50))
        answer = raw_request(source.port, b'POST /hooks/3b9e0d1c7a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
                             b'X-Hardenize-Signature: ' + sign(SECRET, body).encode() + b'\r\nConnection: close\r\n\r\n'
                             + chunked + b'0\r\n\r\n')
        assert answer.startswith(b'HTTP/1.1 204 ')
        big = b'1000\r\n' + b' ' * 4096 + b'\r\n' + b'1\r\n \r\n0\r\n\r\n'
        answer = raw_request(source.port, b'POST /hooks/3b9e0d1c7a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
                             b'X-Hardenize-Signature: ' + sign(SECRET, b'x').encode() + b'\r\n\r\n' + big)
        assert answer.startswith(b'HTTP/1.1 413 ')
        # Expect: 100-continue is answered before the body is sent; an oversized length gets 413 without it
        body = event_body(50004)
        with socket.create_connection(('127.0.0.1', source.port), timeout=5) as conn:
            conn.sendall(b'POST /hooks/3b9e0d1c7a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: %d\r\n'
                         b'X-Hardenize-Signature: %s\r\n\r\n' % (len(body), sign(SECRET, body).encode()))
            assert conn.recv(100).startswith(b'HTTP/1.1 100 Continue')
            conn.sendall(body)
            assert conn.recv(100).startswith(b'HTTP/1.1 204 ')
        answer = raw_request(source.port, b'POST /hooks/3b9e0d1c7a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n'
                             b'Content-Length: 1000000\r\n\r\n')
        assert answer.startswith(b'HTTP/1.1 413 ') and b'100 Continue' not in answer
        # malformed requests
        assert raw_request(source.port, b'NONSENSE\r\n\r\n').startswith(b'HTTP/1.1 400 ')
        assert raw_request(source.port, b'POST / HTTP/1.1\r\n' + b'X-Long: ' + b'a' * 20000 + b'\r\n\r\n').startswith(
            b'HTTP/1.1 431 ')
        assert raw_request(source.port, b'POST /hooks/3b9e0d1c7a HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n'
                           b'\r\nabcdef').startswith(b'HTTP/1.1 400 ')
        client.close()
        assert [e['hardenize']['id'] for e in source.queue.snapshot()] == [50001, 50002, 50003, 50004]


def test_concurrent_duplicates_are_put_once(tls_files):
    """20 events each delivered 3 times at once over 12 connections: 60 answers 204, 20 events put, 40 de-duplicated."""
    with RunningSource(source_args(True, tls_files)) as source:
        def deliver(n):
            client = Client(source.port, tls_files['client'])
            try:
                body = event_body(60000 + n % 20)
                return client.post(body, sign(SECRET, body))[0]
            finally:
                client.close()
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            statuses = list(pool.map(deliver, range(60)))
        assert statuses == [204] * 60
        events = source.queue.snapshot()
    assert sorted(e['hardenize']['id'] for e in events) == list(range(60000, 60020))


def test_a_failed_put_is_500_and_the_retry_gets_through(tls_files):
    """The event is not remembered as seen when it could not be queued: Hardenize's retry is queued."""
    class FailingOnce(EventQueue):
        failed = False

        async def put(self, event):
            if not self.failed:
                self.failed = True
                raise RuntimeError('queue unavailable')
            await super(FailingOnce, self).put(event)

    with RunningSource(source_args(False, tls_files), queue=FailingOnce()) as source:
        client = Client(source.port)
        body = event_body(65001)
        assert client.post(body, sign(SECRET, body))[0] == 500
        assert client.post(body, sign(SECRET, body))[0] == 204
        assert client.post(body, sign(SECRET, body))[0] == 204  # now a duplicate
        client.close()
        assert [e['hardenize']['id'] for e in source.queue.snapshot()] == [65001]


def test_dedup_window_expires(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(hw.time, 'monotonic', lambda: clock[0])
    dedup = hw.Deduplicator(window=60, capacity=3)
    assert dedup.add('a') and not dedup.add('a')
    clock[0] += 61
    assert dedup.add('a')  # the window has passed
    assert dedup.add('b') and dedup.add('c') and dedup.add('d')  # capacity 3: 'a' is forgotten
    assert dedup.add('a')
    assert hw.Deduplicator(window=0).add('x') and hw.Deduplicator(window=0).add('x')


# -- TLS, arguments, cancellation ---------------------------------------------------------------------
def test_tls_is_required_unless_switched_off(tls_files):
    with pytest.raises(ValueError, match='certfile is required'):
        hw.Settings({'port': 1, 'secret': SECRET})
    with pytest.raises(ValueError, match='certfile is required'):
        hw.Settings({'port': 1, 'secret': SECRET, 'tls': 'yes'})
    assert hw.Settings({'port': 1, 'secret': SECRET, 'tls': 'false'}).ssl_context() is None
    with pytest.raises(ValueError, match='cannot load certfile'):
        hw.Settings({'port': 1, 'secret': SECRET, 'certfile': '/nonexistent.pem'}).ssl_context()
    # certfile holding the key too; a plain-HTTP client is not answered over HTTP, an untrusting TLS client fails
    with RunningSource({'host': '127.0.0.1', 'port': 0, 'secret': SECRET, 'certfile': tls_files['bundle']}) as source:
        assert source.scheme == 'https'
        body = event_body(70001)
        with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
            Client(source.port).post(body, sign(SECRET, body))
        with pytest.raises(ssl.SSLCertVerificationError):
            Client(source.port, ssl.create_default_context()).post(body, sign(SECRET, body))
        client = Client(source.port, tls_files['client'])
        assert client.post(body, sign(SECRET, body))[0] == 204
        client.close()
        assert len(source.queue.snapshot()) == 1


@pytest.mark.parametrize('args,message', [
    ({'secret': SECRET, 'tls': False}, 'port is required'),
    ({'port': 'http', 'secret': SECRET, 'tls': False}, 'port must be an integer'),
    ({'port': 70000, 'secret': SECRET, 'tls': False}, 'port must be between'),
    ({'port': 1, 'tls': False}, 'secret or secrets is required'),
    ({'port': 1, 'secret': '', 'secrets': [], 'tls': False}, 'secret or secrets is required'),
    ({'port': 1, 'secrets': [1, 2], 'tls': False}, 'secrets must be a string or a list'),
    ({'port': 1, 'secret': SECRET, 'max_age': -1, 'tls': False}, 'max_age must be between'),
    ({'port': 1, 'secret': SECRET, 'max_age': 2.5, 'tls': False}, 'max_age must be an integer'),
    ({'port': 1, 'secret': SECRET, 'tls': 'maybe'}, 'tls must be true or false'),
    ({'port': 1, 'secret': SECRET, 'tls': False, 'path': 'hooks'}, 'path must start with /'),
])
def test_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        hw.Settings(args)


def test_arguments_from_rulebook_variables():
    """Values templated into a rulebook may arrive as strings."""
    settings = hw.Settings({'port': '8443', 'secrets': 'abc', 'max_age': '60', 'tls': 'no', 'hook_id': 'h1',
                            'dedup_window': 0})
    assert (settings.port, settings.secrets, settings.max_age, settings.tls) == (8443, ['abc'], 60, False)
    assert settings.hook_ids == frozenset(['h1']) and settings.dedup_window == 0
    assert settings.host == '0.0.0.0' and settings.max_body_size == 1048576


def test_main_raises_on_bad_arguments():
    with pytest.raises(ValueError, match='certfile is required'):
        RunningSource({'port': 0, 'secret': SECRET})


def test_runs_until_cancelled_and_frees_the_port(tls_files):
    source = RunningSource(source_args(False, tls_files))
    client = Client(source.port)  # an idle keep-alive connection must not hold the shutdown
    body = event_body(80001)
    assert client.post(body, sign(SECRET, body))[0] == 204
    assert not source.task.done()
    started = time.monotonic()
    assert source.stop() is True  # main ended by the cancellation, not by an error
    assert time.monotonic() - started < 5
    with pytest.raises(OSError):
        socket.create_connection(('127.0.0.1', source.port), timeout=2).close()
    client.close()


def test_loads_by_path_like_ansible_rulebook():
    """ansible-rulebook runs sources with runpy.run_path; the collection import works without sys.path set up."""
    code = ('import runpy, sys; m = runpy.run_path(sys.argv[1]); '
            'print(m["main"].__name__, m["hardenize_signature"].__name__, "DOCUMENTATION" in m, "EXAMPLES" in m)')
    env = dict((k, v) for k, v in os.environ.items() if k != 'PYTHONPATH')
    result = subprocess.run([sys.executable, '-I', '-c', code, PLUGIN_IN_COLLECTION], cwd='/', env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stdout
    assert result.stdout.split() == ['main', 'ansible_collections.domainsec.onboard.plugins.module_utils.hardenize_signature',
                                     'True', 'True']


def test_documentation_is_yaml_and_lists_every_argument():
    import yaml
    doc = yaml.safe_load(hw.DOCUMENTATION)
    assert set(doc['options']) == set(hw.KNOWN_ARGS)
    assert doc['options']['max_age']['default'] == 300 and doc['options']['tls']['default'] is True
    assert doc['options']['max_body_size']['default'] == 1048576
    examples = yaml.safe_load(hw.EXAMPLES)
    assert all('domainsec.onboard.hardenize_webhook' in s for play in examples for s in play['sources'])


# -- the collection's verifier, as the source uses it ----------------------------------------------------
def test_verify_signature_reasons_and_rotation():
    body = b'{"id":1,"type":"test","data":{}}'
    t = 1767225600123
    now = t / 1000.0 + 2.5
    good = sign(SECRET, body, t)
    reason, age = sig.verify_signature(body, good, SECRET, now=now)
    assert reason == '' and age == pytest.approx(2.5)
    assert sig.verify_signature(body, good, [OLD_SECRET, SECRET], now=now)[0] == ''
    assert sig.verify_signature(body.decode(), good, [SECRET], now=now)[0] == ''  # str bodies too
    assert sig.verify_signature(body, good, [OLD_SECRET], now=now)[0] == 'signature mismatch'
    assert sig.verify_signature(body + b' ', good, SECRET, now=now)[0] == 'signature mismatch'
    assert sig.verify_signature(body, good, [], now=now) == ('no secret', None)
    assert sig.verify_signature(body, good, ['', None], now=now) == ('no secret', None)
    assert sig.verify_signature(None, good, SECRET, now=now) == ('missing body', None)
    assert sig.verify_signature(body, None, SECRET, now=now) == ('missing signature', None)
    assert sig.verify_signature(body, '  ', SECRET, now=now) == ('missing signature', None)
    assert sig.verify_signature(body, 't=1; sha1=00', SECRET, now=now) == ('malformed signature', None)
    reason, age = sig.verify_signature(body, good, SECRET, now=t / 1000.0 + 301)
    assert reason == 'stale signature' and round(age) == 301
    assert sig.verify_signature(body, good, SECRET, now=t / 1000.0 - 301)[0] == 'stale signature'
    assert sig.verify_signature(body, good, SECRET, max_age=0, now=t / 1000.0 + 10 ** 6)[0] == ''
    # the filter's function is unchanged and agrees
    assert sig.signature_valid(body, good, SECRET, now=now)
    assert not sig.signature_valid(body, good, OLD_SECRET, now=now)


# -- malformed requests: every request read is answered, the connection closed, nothing unhandled ----------------------
HOOK = '/hooks/h'


def _post(headers=b'', body=b'', line=b'POST /hooks/h HTTP/1.1'):
    return line + b'\r\nHost: x\r\n' + headers + b'\r\n' + body


def _signed(body, content_type=b'application/json', close=True):
    return _post(b'Content-Type: ' + content_type + b'\r\nContent-Length: %d\r\nX-Hardenize-Signature: %s\r\n'
                 % (len(body), sign(SECRET, body).encode()) + (b'Connection: close\r\n' if close else b''), body)


# (what, raw request, half-close after sending, expected status); the source's timeouts are 0.3 s in this test
MALFORMED = [
    # Content-Length
    ('Content-Length: superscript two, latin-1 byte', _post(b'Content-Length: \xb2\r\n'), False, 400),
    ('Content-Length: superscript two, UTF-8', _post(b'Content-Length: \xc2\xb2\r\n'), False, 400),
    ('Content-Length: Arabic-Indic digit three', _post('Content-Length: \u0663\r\n'.encode()), False, 400),
    ('Content-Length: fullwidth digit five', _post('Content-Length: \uff15\r\n'.encode()), False, 400),
    ('Content-Length: +5', _post(b'Content-Length: +5\r\n', b'{}   '), False, 400),
    ('Content-Length: -1', _post(b'Content-Length: -1\r\n'), False, 400),
    ('Content-Length: 1 2 (space inside)', _post(b'Content-Length: 1 2\r\n'), False, 400),
    ('Content-Length: empty', _post(b'Content-Length: \r\n'), False, 400),
    ('Content-Length: 0x10', _post(b'Content-Length: 0x10\r\n'), False, 400),
    ('Content-Length: 1e3', _post(b'Content-Length: 1e3\r\n'), False, 400),
    ('Content-Length: 5, 5 (a list in one field)', _post(b'Content-Length: 5, 5\r\n', b'12345'), False, 400),
    ('Content-Length: 5 and 6 (two fields)', _post(b'Content-Length: 5\r\nContent-Length: 6\r\n', b'123456'), False, 400),
    ('Content-Length: 5000 digits', _post(b'Content-Length: ' + b'9' * 5000 + b'\r\n'), False, 413),
    ('Content-Length: 2**64', _post(b'Content-Length: 18446744073709551616\r\n'), False, 413),
    ('Content-Length: over max_body_size', _post(b'Content-Length: 4097\r\n'), False, 413),
    ('Content-Length: over max_body_size, 200000-byte body sent (unread input must not reset the answer)',
     _post(b'Content-Length: 200000\r\n', b'x' * 200000), False, 413),
    ('Content-Length with Transfer-Encoding: chunked',
     _post(b'Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', b'5\r\n12345\r\n0\r\n\r\n'), False, 400),
    ('Transfer-Encoding: gzip', _post(b'Transfer-Encoding: gzip\r\n'), False, 400),
    ('Transfer-Encoding: chunked in HTTP/1.0',
     _post(b'Transfer-Encoding: chunked\r\n', b'0\r\n\r\n', b'POST /hooks/h HTTP/1.0'), False, 400),
    ('chunk size 0x5', _post(b'Transfer-Encoding: chunked\r\n', b'0x5\r\n12345\r\n0\r\n\r\n'), False, 400),
    ('chunk size +5', _post(b'Transfer-Encoding: chunked\r\n', b'+5\r\n12345\r\n0\r\n\r\n'), False, 400),
    ('chunk size not hex', _post(b'Transfer-Encoding: chunked\r\n', b'zz\r\n'), False, 400),
    ('chunked body cut short, client half-closes', _post(b'Transfer-Encoding: chunked\r\n', b'10\r\nabc'), True, 400),
    # request line
    ('request line: a method only', b'POST\r\n\r\n', False, 400),
    ('request line: no version', b'POST /hooks/h\r\n\r\n', False, 400),
    ('request line: two spaces', _post(line=b'POST  /hooks/h HTTP/1.1'), False, 400),
    ('request line: leading space', _post(line=b' POST /hooks/h HTTP/1.1'), False, 400),
    ('method with @', _post(line=b'PO@T /hooks/h HTTP/1.1'), False, 400),
    ('method post in lower case (a method that is not POST)', _post(line=b'post /hooks/h HTTP/1.1'), False, 405),
    ('version HTTP/2.0', _post(line=b'POST /hooks/h HTTP/2.0'), False, 505),
    ('version HTTP/0.9', _post(line=b'POST /hooks/h HTTP/0.9'), False, 505),
    ('version http/1.1', _post(line=b'POST /hooks/h http/1.1'), False, 400),
    ('version HTTPS/1.1', _post(line=b'POST /hooks/h HTTPS/1.1'), False, 400),
    ('target with a byte that is not UTF-8', _post(line=b'POST /hooks/\xff HTTP/1.1'), False, 400),
    ('target in UTF-8 (not ASCII)', _post(line=b'POST /hooks/h\xc3\xa9 HTTP/1.1'), False, 400),
    ('target with NUL', _post(line=b'POST /hooks/h\x00 HTTP/1.1'), False, 400),
    ('target with a bare CR', _post(line=b'POST /hooks/h\r HTTP/1.1'), False, 400),
    ('target not starting with /', _post(line=b'POST hooks/h HTTP/1.1'), False, 400),
    ('absolute-form target that is no URL', _post(line=b'POST http://[::1/hooks/h HTTP/1.1'), False, 400),
    ('request line over 16 KiB', b'POST /' + b'a' * 17000 + b' HTTP/1.1\r\n\r\n', False, 431),
    ('request line without its end, client half-closes', b'POST /hooks/h HTTP/1.1', True, 400),
    ('header fields cut short, client half-closes', b'POST /hooks/h HTTP/1.1\r\nHost: x\r\n', True, 400),
    ('header fields never end (timeout)', b'POST /hooks/h HTTP/1.1\r\nHost: x\r\n', False, 408),
    # header lines
    ('header line without a colon', _post(b'X-Test value\r\n'), False, 400),
    ('obs-fold continuation line', _post(b'X-Test: a\r\n  folded\r\n'), False, 400),
    ('space before the colon', _post(b'Content-Length : 0\r\n'), False, 400),
    ('empty field name', _post(b': value\r\n'), False, 400),
    ('field name not ASCII', _post(b'X-T\xc3\xa9st: a\r\n'), False, 400),
    ('NUL in a field name', _post(b'X-\x00Test: a\r\n'), False, 400),
    ('bare CR in a field value', _post(b'X-Test: a\rInjected: b\r\n'), False, 400),
    ('NUL in a field value', _post(b'X-Test: a\x00b\r\n'), False, 400),
    ('ESC in a field value', _post(b'X-Test: \x1b[31mred\r\n'), False, 400),
    ('DEL in a field value', _post(b'X-Test: a\x7fb\r\n'), False, 400),
    ('header line over 16 KiB', _post(b'X-Test: ' + b'a' * 17000 + b'\r\n'), False, 431),
    ('101 header fields', _post(b''.join(b'X-F%d: v\r\n' % n for n in range(101))), False, 431),
    # body
    ('body shorter than Content-Length, client half-closes', _post(b'Content-Length: 100\r\n', b'{"id":'), True, 400),
    ('body shorter than Content-Length (timeout)', _post(b'Content-Length: 100\r\n', b'{"id":'), False, 408),
    ('signed body that is not JSON', _signed(b'{"id": 1, "type": '), False, 400),
    ('signed body that is not UTF-8', _signed(b'{"id": 1, "type": "\xff"}'), False, 400),
    ('signed JSON that is not an event', _signed(b'[1, 2]'), False, 400),
    ('unsigned body', _post(b'Content-Length: 2\r\nConnection: close\r\n', b'{}'), False, 400),
    ('Content-Type: text/plain', _signed(event_body(91001), b'text/plain'), False, 415),
    ('Content-Type: application/x-www-form-urlencoded',
     _signed(event_body(91002), b'application/x-www-form-urlencoded'), False, 415),
    # method and path
    ('GET', b'GET /hooks/h HTTP/1.1\r\nHost: x\r\n\r\n', False, 405),
    ('OPTIONS *', b'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n', False, 405),
    ('another path', b'POST /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n', False, 404),
]


def exchange(port, data, half_close, timeout=5.0):
    """Send ``data``; (status, 'closed' | 'reset' | 'open', answer) once the server ends the connection."""
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as conn:
        conn.sendall(data)
        if half_close:
            conn.shutdown(socket.SHUT_WR)
        received, end = b'', 'closed'
        while True:
            try:
                chunk = conn.recv(65536)
            except ConnectionResetError:
                end = 'reset'
                break
            except socket.timeout:
                end = 'open'
                break
            if not chunk:
                break
            received += chunk
    head, _sep, body = received.partition(b'\r\n\r\n')
    status = int(head.split(b' ')[1]) if head.startswith(b'HTTP/1.1 ') else None
    length = [int(line.split(b':')[1]) for line in head.split(b'\r\n') if line.lower().startswith(b'content-length:')]
    complete = bool(_sep) and length == [len(body)]
    return status, end if complete else end + ', incomplete answer', received


def test_every_malformed_request_is_answered(tls_files, monkeypatch, caplog):
    """Each request of MALFORMED, on its own connection, gets its status with a short body, and the source closes
    the connection (a FIN, not a reset); no exception reaches asyncio, each refusal is one log line."""
    monkeypatch.setattr(hw, 'IDLE_TIMEOUT', 0.3)
    monkeypatch.setattr(hw, 'REQUEST_TIMEOUT', 0.3)
    caplog.set_level(logging.DEBUG)
    with RunningSource(source_args(False, tls_files, path=HOOK)) as source:
        results = []
        for what, data, half_close, _expected in MALFORMED:
            status, end, answer = exchange(source.port, data, half_close)
            results.append((what, status, end))
            assert len(answer) < 1000, what
        assert source.queue.snapshot() == []
    expected = [(what, status, 'closed') for what, _data, _half_close, status in MALFORMED]
    assert results == expected
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in records if r.name.startswith('asyncio') or r.exc_info
                or 'Unhandled exception' in r.getMessage() or 'Traceback' in r.getMessage()]
    refusals = [r.getMessage() for r in records if ' for ' in r.getMessage() and ' from 127.0.0.1:' in r.getMessage()]
    assert len(refusals) == len(MALFORMED)
    assert all(len(message.splitlines()) == 1 for message in refusals)
    assert not [m for m in refusals if ': malformed request (' in m]  # each one foreseen, none left to the guard


def test_last_resort_guard_answers(tls_files, monkeypatch, caplog):
    """An exception the parser did not foresee is a 400 and one escaped line, no traceback; after the body is
    read it is the source's fault: 500. Neither reaches asyncio's stream callback."""
    def broken_read_body(*_args):
        raise RuntimeError('bad\r\nforged line')

    caplog.set_level(logging.DEBUG)
    with RunningSource(source_args(False, tls_files)) as source:
        monkeypatch.setattr(hw, 'read_body', broken_read_body)
        status, end, _answer = exchange(source.port, _post(b'Content-Length: 0\r\n'), False)
        assert (status, end) == (400, 'closed')
        monkeypatch.undo()
        monkeypatch.setattr(hw, 'check_content_type', broken_read_body)
        status, end, _answer = exchange(source.port, _signed(event_body(92001)), False)
        assert (status, end) == (500, 'closed')
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in records if r.name.startswith('asyncio') or r.exc_info]
    guarded = [r.getMessage() for r in records if 'forged line' in r.getMessage()]
    assert len(guarded) == 2
    assert "400 for POST /hooks/h from 127.0.0.1:" in guarded[0] and '\\r\\nforged line' in guarded[0]
    assert len(guarded[0].splitlines()) == 1 and 'Traceback' not in guarded[0]
    assert guarded[1].splitlines()[0].endswith('RuntimeError: bad\\r\\nforged line')  # then the frames only
    assert guarded[1].splitlines()[1] == 'Traceback (most recent call last):'


def test_queue_timeout_is_503_and_the_retry_gets_through(tls_files, monkeypatch):
    class Stuck(EventQueue):
        stuck = True

        async def put(self, event):
            if self.stuck:
                self.stuck = False
                await asyncio.sleep(3600)
            await super(Stuck, self).put(event)

    import asyncio
    monkeypatch.setattr(hw, 'REQUEST_TIMEOUT', 0.3)
    with RunningSource(source_args(False, tls_files), queue=Stuck()) as source:
        client = Client(source.port)
        body = event_body(93001)
        status, data, _headers = client.post(body, sign(SECRET, body))
        assert (status, data) == (503, b'the event could not be queued within 0.3 s\n')
        assert client.post(body, sign(SECRET, body))[0] == 204  # same connection: kept after a 503
        client.close()
        assert [e['hardenize']['id'] for e in source.queue.snapshot()] == [93001]


# -- request text in the log ------------------------------------------------------------------------------------------
@pytest.mark.parametrize('text,logged', [
    ('plain text', 'plain text'),
    ('a\r\nforged: line', 'a\\r\\nforged: line'),
    ('esc \x1b[2J nul \x00 del \x7f tab \t', 'esc \\x1b[2J nul \\x00 del \\x7f tab \\t'),
    ('nel \x85 csi \x9b', 'nel \\x85 csi \\x9b'),
    ('ls \u2028 ps \u2029 rlo \u202e', 'ls \\u2028 ps \\u2029 rlo \\u202e'),
    ('back\\slash \\x41', 'back\\\\slash \\\\x41'),  # a backslash is doubled: an escape is never ambiguous
    (b'bytes \xff\xfe \xe2\x80\xa8 \xc3\xa9', 'bytes \\xff\\xfe \\u2028 \xe9'),
    (12345, '12345'),
    ('x' * 130, 'x' * 120 + '...'),
])
def test_escape_for_log(text, logged):
    assert hw.escape_for_log(text) == logged
    assert len(hw.escape_for_log(text).splitlines()) == 1


def test_request_text_is_logged_escaped(tls_files, caplog):
    """A request line, a field name and a field value with CR, ESC, NUL, C1 and line separators: each refusal is one
    log line, with the text escaped."""
    caplog.set_level(logging.INFO)
    with RunningSource(source_args(False, tls_files)) as source:
        answers = [
            exchange(source.port, b'POST /x\r\x1b[2K\xe2\x80\xa8forged\x00 HTTP/1.1\r\nHost: x\r\n\r\n', False)[0],
            exchange(source.port, _post(b'X-Evil\x1b[31m: v\r\n'), False)[0],
            exchange(source.port, _signed(event_body(94001), b'text/plain\x85Forged: \x9b31m'), False)[0],
            exchange(source.port, _post(b'Transfer-Encoding: gzip\xc2\x85 \xe2\x80\xa8\r\n'), False)[0],
        ]
    assert answers == [400, 400, 415, 400]
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and ' from 127.0.0.1:' in r.getMessage()]
    assert len(lines) == 4
    for line in lines:
        assert len(line.splitlines()) == 1
        assert not set(line) & set('\r\n\x00\x1b\x07\x7f\x85\x9b\u2028\u2029')
    assert lines[0].endswith('malformed request line (POST /x\\r\\x1b[2K\\u2028forged\\x00 HTTP/1.1)')
    assert lines[1].endswith('malformed header field name (X-Evil\\x1b[31m)')
    assert 'POST /hooks/h from' in lines[2] and lines[2].endswith(
        'Content-Type must be application/json (text/plain\\x85Forged: \\x9b31m)')
    assert lines[3].endswith('unsupported Transfer-Encoding (gzip\xc2\\x85 \xe2\\x80\xa8)')  # bytes 80-ff as latin-1


# -- de-duplication across restarts --------------------------------------------------------------------------------
def test_seen_ids_file_survives_a_restart_and_is_bounded(tmp_path, monkeypatch):
    path = str(tmp_path / 'seen.json')
    dedup = hw.Deduplicator(window=3600, capacity=3, path=path)  # no event loop here: every change is written now
    assert json.loads(open(path).read()) == {'format': 'hardenize_webhook seen ids', 'version': 1, 'window': 3600,
                                             'ids': []}
    for key in ('a', 'b', 'c', 'd', 'e'):
        assert dedup.add(key)
    saved = json.loads(open(path).read())
    assert [key for key, _stamp in saved['ids']] == ['c', 'd', 'e']  # the bound: the newest 3, oldest first
    assert all(abs(stamp - time.time()) < 60 for _key, stamp in saved['ids'])
    dedup.forget('e')
    assert [key for key, _stamp in json.loads(open(path).read())['ids']] == ['c', 'd']
    assert not [name for name in os.listdir(str(tmp_path)) if name != 'seen.json']  # no temporary file left
    # the restart: read back, still duplicates; a new id is added
    again = hw.Deduplicator(window=3600, capacity=3, path=path)
    assert not again.add('c') and not again.add('d') and again.add('e') and again.add('a')
    assert [key for key, _stamp in json.loads(open(path).read())['ids']] == ['d', 'e', 'a']
    # ids older than the window are not read back
    now = time.time()
    with open(path, 'w') as handle:
        json.dump({'format': 'hardenize_webhook seen ids', 'version': 1, 'window': 3600,
                   'ids': [['old', now - 3700], ['recent', now - 10], 'junk', ['bad', 'stamp']]}, handle)
    later = hw.Deduplicator(window=3600, capacity=3, path=path)
    assert list(later.seen) == ['recent']
    # a file that is not a seen ids file is logged and replaced; an unwritable one fails the start
    with open(path, 'w') as handle:
        handle.write('not json')
    assert list(hw.Deduplicator(window=3600, path=path).seen) == []
    assert json.loads(open(path).read())['ids'] == []
    with pytest.raises(ValueError, match='cannot write seen_ids_file'):
        hw.Deduplicator(window=3600, path=os.path.join(path, 'seen.json'))  # its "directory" is a file
    with pytest.raises(ValueError, match='its directory does not exist'):
        hw.Settings({'port': 1, 'secret': SECRET, 'tls': False, 'seen_ids_file': str(tmp_path / 'no' / 'seen.json')})


def test_restart_with_and_without_seen_ids_file(tls_files, tmp_path):
    """Without seen_ids_file a delivery retried after a restart is queued again; with it, it is acknowledged only."""
    body = event_body(95001)
    for extra, queued_after_restart in (({}, [95001]), ({'seen_ids_file': str(tmp_path / 'seen.json')}, [])):
        for run in (1, 2):
            with RunningSource(source_args(False, tls_files, **extra)) as source:
                client = Client(source.port)
                assert client.post(body, sign(SECRET, body))[0] == 204
                client.close()
                events = [e['hardenize']['id'] for e in source.queue.snapshot()]
            assert events == ([95001] if run == 1 else queued_after_restart), (extra, run)
    saved = json.loads((tmp_path / 'seen.json').read_text())
    assert [key for key, _stamp in saved['ids']] == ['[null, 95001]']
