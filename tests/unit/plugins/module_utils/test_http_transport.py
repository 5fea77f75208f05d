# -*- coding: utf-8 -*-
"""Unit tests of the shared transport: retries, write safety, redaction."""

import pytest
import requests

from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport as H


class FakeRaw(object):
    def __init__(self, status=200, body=b'{}', headers=None):
        self.status_code = status
        self.content = body
        self.headers = requests.structures.CaseInsensitiveDict(headers or {'Content-Type': 'application/json'})


class Script(object):
    """Plays a list of outcomes: FakeRaw objects or exceptions to raise."""

    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.calls = []

    def __call__(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def client(outcomes, **kwargs):
    sleeps = []
    http = H.HttpClient('Vendor', sleep=sleeps.append, secrets=['s3cr3t-key', 'hunter22'], **kwargs)
    http.session.request = Script(outcomes)
    return http, sleeps


def read_timeout():
    return requests.exceptions.ReadTimeout('read timed out')


def refused():
    return requests.exceptions.ConnectionError('HTTPSConnectionPool: Max retries exceeded (Caused by '
                                               'NewConnectionError(Connection refused))')


def dropped():
    return requests.exceptions.ConnectionError('Connection aborted. RemoteDisconnected')


def test_read_retries_on_retryable_statuses_and_honours_retry_after():
    http, sleeps = client([FakeRaw(503), FakeRaw(429, headers={'Retry-After': '7'}), FakeRaw(200, b'{"ok": 1}')])
    answer = http.request('GET', 'https://api.test/x')
    assert answer.json() == {'ok': 1}
    assert len(http.session.request.calls) == 3
    assert 7.0 <= sleeps[1] <= 7.0 + 7.0 / 4  # Retry-After, plus jitter
    assert 0 < sleeps[0] <= 0.5


def test_read_gives_up_after_retries():
    http, sleeps = client([FakeRaw(502)] * 4, retries=3)
    with pytest.raises(H.TransportError, match='HTTP 502 after 4 attempts'):
        http.request('GET', 'https://api.test/x')
    assert len(sleeps) == 3
    assert sleeps[2] > sleeps[0] / 2  # grows (with jitter)


def test_rate_limited_reads_are_waited_out_within_the_budget_without_using_retries():
    http, sleeps = client([FakeRaw(429, headers={'Retry-After': '2'})] * 6 + [FakeRaw(200, b'{"ok": 1}')],
                          retries=1, rate_limit_wait=20)
    assert http.request('GET', 'https://api.test/x').json() == {'ok': 1}
    assert len(sleeps) == 6 and all(2.0 <= s <= 2.5 for s in sleeps)


def test_rate_limit_budget_spent_then_retries_then_failure():
    http, sleeps = client([FakeRaw(429, headers={'Retry-After': '4'})] * 10, retries=1, rate_limit_wait=11)
    with pytest.raises(H.TransportError, match='HTTP 429 after 2 attempts'):
        http.request('GET', 'https://api.test/x')
    # Two waits always fit in 11 s (4 to 5 s each), a third never does; then the one retry; then the failure.
    assert len(http.session.request.calls) == 4
    assert sum(sleeps[:2]) <= 11


def test_rate_limited_write_is_not_waited_out_blindly():
    http, _sleeps = client([FakeRaw(429, headers={'Retry-After': '1'})], rate_limit_wait=60, refused_statuses=())
    with pytest.raises(H.WriteOutcomeUnknown):
        http.request('POST', 'https://api.test/x', idempotent=False)
    assert len(http.session.request.calls) == 1


def test_rate_limit_waits_grow_when_the_server_sends_no_retry_after():
    # The Hardenize document never mentions Retry-After: a server that keeps refusing must not be hammered.
    http, sleeps = client([FakeRaw(429)] * 8 + [FakeRaw(200)], backoff=0.5, max_backoff=8.0, rate_limit_wait=600)
    http.request('GET', 'https://api.test/x')
    assert len(sleeps) == 8
    assert sleeps[0] <= 0.5 and sleeps[4] >= 4.0 and all(s <= 8.0 for s in sleeps)
    assert sleeps == sorted(sleeps[:5]) + sleeps[5:]  # doubling until the cap


def test_rate_limited_writes_are_re_read_and_resent_within_the_budget_without_using_attempts():
    # Clients that must re-read before re-sending (refused_statuses=()) still get the 429 budget.
    outcomes = [FakeRaw(429, headers={'Retry-After': '1'})] * 6 + [FakeRaw(201, b'{"id": 7}')]
    http, sleeps = client(outcomes, retries=1, rate_limit_wait=60, refused_statuses=())
    reads = []

    def send():
        return http.request('POST', 'https://api.test/add', idempotent=False).json()

    def landed():
        reads.append(1)
        return False
    assert http.write(send, landed=landed) == {'id': 7}
    assert len(reads) == 6  # re-read after every refusal, before re-sending
    assert len(http.session.request.calls) == 7
    assert all(1.0 <= s <= 1.25 for s in sleeps)


def test_rate_limited_write_fails_once_the_budget_and_attempts_are_spent():
    http, sleeps = client([FakeRaw(429, headers={'Retry-After': '5'})] * 10, retries=1, rate_limit_wait=12,
                          refused_statuses=())

    def send():
        return http.request('POST', 'https://api.test/add', idempotent=False)
    with pytest.raises(H.TransportError, match='did not land after 2 attempts'):
        http.write(send, landed=lambda: False)
    # Two budgeted waits (5 to 6.25 s each) fit in 12 s at most; then the two attempts of retries=1.
    assert 3 <= len(http.session.request.calls) <= 4


def test_backoff_grows_exponentially_with_cap():
    http, _sleeps = client([], backoff=1.0, max_backoff=4.0)
    delays = [http._delay(n) for n in range(6)]
    assert 0.5 <= delays[0] <= 1.0 and 2.0 <= delays[2] <= 4.0 and all(d <= 4.0 for d in delays)


def test_write_not_resent_on_ambiguous_failure():
    for failure in (dropped(), read_timeout(), FakeRaw(503)):
        http, _sleeps = client([failure])
        with pytest.raises(H.WriteOutcomeUnknown):
            http.request('POST', 'https://api.test/add', data={'a': 1}, idempotent=False)
        assert len(http.session.request.calls) == 1


def test_write_resent_when_provably_not_processed():
    http, _sleeps = client([refused(), FakeRaw(429), FakeRaw(200)])
    http.request('POST', 'https://api.test/add', data={'a': 1}, idempotent=False)
    assert len(http.session.request.calls) == 3


def test_write_helper_rereads_before_resending():
    http, _sleeps = client([dropped(), FakeRaw(200, b'{"n": 2}')])
    landed_calls = []

    def send():
        return http.request('POST', 'https://api.test/add', idempotent=False).json()

    def landed():
        landed_calls.append(1)
        return False
    assert http.write(send, landed=landed) == {'n': 2}
    assert landed_calls == [1]
    assert len(http.session.request.calls) == 2


def test_write_helper_does_not_resend_a_landed_write():
    http, sleeps = client([read_timeout()], timeout=9)

    def send():
        return http.request('POST', 'https://api.test/add', idempotent=False)
    assert http.write(send, landed=lambda: {'found': True}) == {'found': True}
    assert len(http.session.request.calls) == 1
    assert sleeps == [9]  # waited as long as the read timeout before re-reading


def test_invalid_json_is_retried_for_reads_and_unknown_for_writes():
    http, _sleeps = client([FakeRaw(200, b'<html>'), FakeRaw(200, b'{"a": 1}')])
    assert http.request('POST', 'https://api.test/read', idempotent=True, expect_json=True).json() == {'a': 1}
    http, _sleeps = client([FakeRaw(200, b'<html>')])
    with pytest.raises(H.WriteOutcomeUnknown):
        http.request('POST', 'https://api.test/add', idempotent=False, expect_json=True)


def test_tls_error_is_clear():
    http, _sleeps = client([requests.exceptions.SSLError('certificate verify failed')])
    with pytest.raises(H.TransportError, match='ca_path'):
        http.request('GET', 'https://api.test/x')


def test_trace_and_errors_are_redacted():
    http, _sleeps = client([FakeRaw(200, b'{"sessionToken": "tok-abcdef"}'), dropped()])
    http.request('POST', 'https://api.test/auth', data={'apikey': 's3cr3t-key', 'userid': 'me', 'password': 'hunter22'})
    http.add_secret('tok-abcdef')
    with pytest.raises(H.WriteOutcomeUnknown) as err:
        http.request('POST', 'https://api.test/add?k=s3cr3t-key', data={'sessionToken': 'tok-abcdef'}, idempotent=False)
    text = '\n'.join(http.trace) + str(err.value)
    for secret in ('s3cr3t-key', 'hunter22', 'tok-abcdef'):
        assert secret not in text
    assert H.REDACTED in text
    assert '"userid": "me"' in text


def test_redactor_mapping_by_name():
    redactor = H.Redactor()
    data = redactor.mapping({'Authorization': 'Basic xyz', 'nested': [{'secret': 'abc', 'name': 'n'}]})
    assert data == {'Authorization': H.REDACTED, 'nested': [{'secret': H.REDACTED, 'name': 'n'}]}


def test_validation_of_transport_params():
    assert 'timeout' in H.validate_transport_params({'timeout': 0})
    assert 'retries' in H.validate_transport_params({'timeout': 5, 'retries': 11})
    assert H.validate_transport_params({'timeout': 5, 'retries': 3}) is None
