# -*- coding: utf-8 -*-
"""Unit tests of the shared transport: retries, write safety, redaction."""

import hashlib
import hmac
import os

import pytest
import requests

from unit.fake_http import FakeHttp, dropped, read_timeout, refused
from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport as H


def raw(status=200, body=b'{}', headers=None):
    """An HTTP answer for FakeHttp."""
    return (status, body, headers or {'Content-Type': 'application/json'})


def unexpected(sent):
    raise AssertionError('unexpected request %s %s' % (sent.method, sent.url))


def client(outcomes, **kwargs):
    sleeps = []
    http = H.HttpClient('Vendor', sleep=sleeps.append, secrets=['s3cr3t-key', 'hunter22'], **kwargs)
    http.fake = FakeHttp(default=unexpected).on('*', *outcomes).mount(http)
    return http, sleeps


def test_read_retries_on_retryable_statuses_and_honours_retry_after():
    http, sleeps = client([raw(503), raw(429, headers={'Retry-After': '7'}), raw(200, b'{"ok": 1}')])
    answer = http.request('GET', 'https://api.test/x')
    assert answer.json() == {'ok': 1}
    assert len(http.fake.sent) == 3
    assert 7.0 <= sleeps[1] <= 7.0 + 7.0 / 4  # Retry-After, plus jitter
    assert 0 < sleeps[0] <= 0.5


def test_read_gives_up_after_retries():
    http, sleeps = client([raw(502)] * 4, retries=3)
    with pytest.raises(H.TransportError, match='HTTP 502 after 4 attempts'):
        http.request('GET', 'https://api.test/x')
    assert len(sleeps) == 3
    assert sleeps[2] > sleeps[0] / 2  # grows (with jitter)


def test_rate_limited_reads_are_waited_out_within_the_budget_without_using_retries():
    http, sleeps = client([raw(429, headers={'Retry-After': '2'})] * 6 + [raw(200, b'{"ok": 1}')],
                          retries=1, rate_limit_wait=20)
    assert http.request('GET', 'https://api.test/x').json() == {'ok': 1}
    assert len(sleeps) == 6 and all(2.0 <= s <= 2.5 for s in sleeps)


def test_rate_limit_budget_spent_then_retries_then_failure():
    http, sleeps = client([raw(429, headers={'Retry-After': '4'})] * 10, retries=1, rate_limit_wait=11)
    with pytest.raises(H.TransportError, match='HTTP 429 after 2 attempts'):
        http.request('GET', 'https://api.test/x')
    # Two waits always fit in 11 s (4 to 5 s each), a third never does; then the one retry; then the failure.
    assert len(http.fake.sent) == 4
    assert sum(sleeps[:2]) <= 11


def test_rate_limited_write_is_not_waited_out_blindly():
    http, _sleeps = client([raw(429, headers={'Retry-After': '1'})], rate_limit_wait=60, refused_statuses=())
    with pytest.raises(H.WriteOutcomeUnknown):
        http.request('POST', 'https://api.test/x', idempotent=False)
    assert len(http.fake.sent) == 1


def test_rate_limit_waits_grow_when_the_server_sends_no_retry_after():
    # The Hardenize document never mentions Retry-After: a server that keeps refusing must not be hammered.
    http, sleeps = client([raw(429)] * 8 + [raw(200)], backoff=0.5, max_backoff=8.0, rate_limit_wait=600)
    http.request('GET', 'https://api.test/x')
    assert len(sleeps) == 8
    assert sleeps[0] <= 0.5 and sleeps[4] >= 4.0 and all(s <= 8.0 for s in sleeps)
    assert sleeps == sorted(sleeps[:5]) + sleeps[5:]  # doubling until the cap


def test_rate_limited_writes_are_re_read_and_resent_within_the_budget_without_using_attempts():
    # Clients that must re-read before re-sending (refused_statuses=()) still get the 429 budget.
    outcomes = [raw(429, headers={'Retry-After': '1'})] * 6 + [raw(201, b'{"id": 7}')]
    http, sleeps = client(outcomes, retries=1, rate_limit_wait=60, refused_statuses=())
    reads = []

    def send():
        return http.request('POST', 'https://api.test/add', idempotent=False).json()

    def landed():
        reads.append(1)
        return False
    assert http.write(send, landed=landed) == {'id': 7}
    assert len(reads) == 6  # re-read after every refusal, before re-sending
    assert len(http.fake.sent) == 7
    assert all(1.0 <= s <= 1.25 for s in sleeps)


def test_rate_limited_write_fails_once_the_budget_and_attempts_are_spent():
    http, sleeps = client([raw(429, headers={'Retry-After': '5'})] * 10, retries=1, rate_limit_wait=12,
                          refused_statuses=())

    def send():
        return http.request('POST', 'https://api.test/add', idempotent=False)
    with pytest.raises(H.TransportError, match='did not land after 2 attempts'):
        http.write(send, landed=lambda: False)
    # Two budgeted waits (5 to 6.25 s each) fit in 12 s at most; then the two attempts of retries=1.
    assert 3 <= len(http.fake.sent) <= 4


def test_backoff_grows_exponentially_with_cap():
    http, _sleeps = client([], backoff=1.0, max_backoff=4.0)
    delays = [http._delay(n) for n in range(6)]
    assert 0.5 <= delays[0] <= 1.0 and 2.0 <= delays[2] <= 4.0 and all(d <= 4.0 for d in delays)


def test_write_not_resent_on_ambiguous_failure():
    for failure in (dropped(), read_timeout(), raw(503)):
        http, _sleeps = client([failure])
        with pytest.raises(H.WriteOutcomeUnknown):
            http.request('POST', 'https://api.test/add', data={'a': 1}, idempotent=False)
        assert len(http.fake.sent) == 1


def test_write_resent_when_provably_not_processed():
    http, _sleeps = client([refused(), raw(429), raw(200)])
    http.request('POST', 'https://api.test/add', data={'a': 1}, idempotent=False)
    assert len(http.fake.sent) == 3


def test_write_helper_rereads_before_resending():
    http, _sleeps = client([dropped(), raw(200, b'{"n": 2}')])
    landed_calls = []

    def send():
        return http.request('POST', 'https://api.test/add', idempotent=False).json()

    def landed():
        landed_calls.append(1)
        return False
    assert http.write(send, landed=landed) == {'n': 2}
    assert landed_calls == [1]
    assert len(http.fake.sent) == 2


def test_write_helper_does_not_resend_a_landed_write():
    http, sleeps = client([read_timeout()], timeout=9)

    def send():
        return http.request('POST', 'https://api.test/add', idempotent=False)
    assert http.write(send, landed=lambda: {'found': True}) == {'found': True}
    assert len(http.fake.sent) == 1
    assert sleeps == [9]  # waited as long as the read timeout before re-reading


class Clock(object):
    """A clock that the client's sleeps move on: the write guard's windows without waiting."""

    def __init__(self, http, sleeps):
        self.now = 1000.0
        http.clock = lambda: self.now
        http.sleep = self.sleep
        self.sleeps = sleeps

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def send_to(http):
    return lambda: http.request('POST', 'https://api.test/add', idempotent=False, expect_json=True).json()


def test_a_plain_500_to_a_write_is_an_answered_unknown_outcome_re_read_before_it_is_sent_again():
    http, _sleeps = client([raw(500, b'oops'), raw(200, b'{"n": 2}')])
    reads = []
    assert http.write(send_to(http), landed=lambda: reads.append(1)) == {'n': 2}
    assert reads == [1] and len(http.fake.sent) == 2
    http, _sleeps = client([raw(500, b'oops')])
    with pytest.raises(H.WriteOutcomeUnknown) as caught:
        send_to(http)()
    assert caught.value.answered is True and caught.value.status == 500


@pytest.mark.parametrize('outcome, answered', [
    (dropped(), False), (read_timeout(), False), (raw(502), False), (raw(504), False),
    (raw(500), True), (raw(503), True), (raw(200, b'<html>'), True)])
def test_which_unknown_outcomes_come_from_the_server_that_does_the_work(outcome, answered):
    http, _sleeps = client([outcome])
    with pytest.raises(H.WriteOutcomeUnknown) as caught:
        send_to(http)()
    assert caught.value.answered is answered


def test_a_re_read_that_fails_is_never_taken_for_not_landed():
    http, _sleeps = client([dropped(), raw(200, b'{"n": 2}')])

    def landed():
        raise H.TransportError('the listing failed', vendor='Vendor')
    with pytest.raises(H.TransportError) as caught:
        http.write(send_to(http), landed=landed)
    assert not isinstance(caught.value, H.WriteOutcomeUnknown)
    assert len(http.fake.sent) == 1  # sent once, never again
    assert 're-read that would tell whether it landed failed too: the listing failed' in caught.value.msg
    assert 'it was not sent again' in caught.value.msg
    http, _sleeps = client([dropped()])
    with pytest.raises(H.TransportError, match='it may have landed: look before you run again'):
        http.write(send_to(http), landed=landed, prove_within=60)
    assert len(http.fake.sent) == 1


def test_a_costly_write_without_an_answer_is_looked_for_until_its_window_ends_and_never_sent_again():
    http, sleeps = client([read_timeout(), raw(200, b'{"n": 2}')], timeout=5)
    clock = Clock(http, sleeps)
    reads = []

    def landed():
        reads.append(clock.now)
        return None
    with pytest.raises(H.WriteNotProven) as caught:
        http.write(send_to(http), landed=landed, prove_within=60)
    assert len(http.fake.sent) == 1
    assert clock.now == pytest.approx(1060.0)  # up to the end of the window, not beyond
    assert reads[0] == pytest.approx(1005.0) and reads[-1] == pytest.approx(1060.0) and len(reads) >= 5
    assert 'within 60 s of sending it, and it may still land: it was not sent again' in caught.value.msg
    assert caught.value.sent_at == 1000.0


def test_a_costly_write_that_shows_late_within_the_window_is_taken_up():
    http, sleeps = client([dropped()])
    clock = Clock(http, sleeps)
    found = {'at': 1030.0}
    assert http.write(send_to(http), landed=lambda: {'id': 9} if clock.now >= found['at'] else None,
                      prove_within=60) == {'id': 9}
    assert len(http.fake.sent) == 1 and 1030.0 <= clock.now < 1041.0


def test_a_costly_write_answered_by_its_server_is_proven_not_landed_by_one_re_read_and_sent_again():
    for outcome in (raw(500, b'oops'), raw(503), raw(200, b'<html>')):
        http, sleeps = client([outcome, raw(200, b'{"n": 2}')])
        clock = Clock(http, sleeps)
        reads = []
        assert http.write(send_to(http), landed=lambda: reads.append(1), prove_within=60) == {'n': 2}
        assert reads == [1] and len(http.fake.sent) == 2 and clock.now < 1010


def test_a_gateway_error_to_a_costly_write_waits_out_the_window():
    http, sleeps = client([raw(504), raw(200, b'{"n": 2}')])
    Clock(http, sleeps)
    with pytest.raises(H.WriteNotProven):
        http.write(send_to(http), landed=lambda: None, prove_within=20)
    assert len(http.fake.sent) == 1


def test_invalid_json_is_retried_for_reads_and_unknown_for_writes():
    http, _sleeps = client([raw(200, b'<html>'), raw(200, b'{"a": 1}')])
    assert http.request('POST', 'https://api.test/read', idempotent=True, expect_json=True).json() == {'a': 1}
    http, _sleeps = client([raw(200, b'<html>')])
    with pytest.raises(H.WriteOutcomeUnknown):
        http.request('POST', 'https://api.test/add', idempotent=False, expect_json=True)


def test_tls_error_is_clear():
    http, _sleeps = client([requests.exceptions.SSLError('certificate verify failed')])
    with pytest.raises(H.TransportError, match='ca_path'):
        http.request('GET', 'https://api.test/x')


def test_trace_and_errors_are_redacted():
    http, _sleeps = client([raw(200, b'{"sessionToken": "tok-abcdef"}'), dropped()])
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


# -- auth applied as the request goes out ---------------------------------------------
class SignedCookie(H.Auth):
    """A Virusdie-style auth: apikey cookie and an HMAC-MD5 of the path and query exactly as sent."""

    def __init__(self, api_key, mac_key):
        self.api_key = api_key
        self.mac_key = mac_key

    def apply(self, prepared, add_secret):
        mac = hmac.new(self.mac_key.encode(), prepared.path_url.encode(), hashlib.md5).hexdigest()
        add_secret(mac)
        prepared.headers['Cookie'] = 'apikey=%s; apimac=%s' % (self.api_key, mac)


def test_auth_signs_the_path_and_query_exactly_as_sent():
    http, _sleeps = client([raw(200, b'{"ok": 1}')], auth=SignedCookie('s3cr3t-key', 'mac-key-123'))
    http.request('GET', 'https://api.test/api/sites_list/', params={'q': 'a b/c', 'withscanreport': ''})
    sent = http.fake.sent[0]
    assert sent.path_url == '/api/sites_list/?q=a+b%2Fc&withscanreport='  # encoded by requests before signing
    mac = hmac.new(b'mac-key-123', sent.path_url.encode(), hashlib.md5).hexdigest()
    assert sent.headers['Cookie'] == 'apikey=s3cr3t-key; apimac=%s' % mac
    assert http.redactor.text('x %s y' % mac) == 'x %s y' % H.REDACTED  # the derived signature is a secret too


def test_basic_auth_header_is_redacted_when_a_server_echoes_it():
    auth = H.BasicAuth('svc-user', 'hunter22')

    def echo(sent):
        return (400, ('{"errors": [{"message": "bad request with headers %s"}]}' % sent.headers['Authorization']).encode(),
                {'Content-Type': 'application/json'})
    http, _sleeps = client([echo], auth=auth)
    assert http.request('GET', 'https://api.test/x').status == 400
    sent = http.fake.sent[0]
    assert sent.headers['Authorization'] == auth.header and auth.header.startswith('Basic ')
    trace = '\n'.join(http.trace)
    token = auth.header.split()[1]
    assert token not in trace and 'hunter22' not in trace
    assert H.REDACTED in trace


def test_field_auth_goes_into_the_query_of_a_get_and_the_form_of_a_post_but_never_the_trace():
    auth = H.FieldAuth(lambda: {'token': 'tok-0123456789'})
    http, _sleeps = client([raw(), raw()], auth=auth)
    http.request('GET', 'https://api.test/v1/order_status', params={'order_id': '7'})
    http.request('POST', 'https://api.test/v1/add_ssl_order', data={'period': '12'}, idempotent=False)
    get, post = http.fake.sent
    assert get.query == {'order_id': '7', 'token': 'tok-0123456789'} and get.body == ''
    assert post.form == {'period': '12', 'token': 'tok-0123456789'} and post.query == {}
    assert 'tok-0123456789' not in '\n'.join(http.trace)


def test_a_request_can_name_its_own_auth_or_none():
    auth = H.HeaderAuth({'x-api-user': 'me@example.com', 'x-api-token': 'tok-abcdef'}, public=['x-api-user'])
    http, _sleeps = client([raw(), raw()], auth=auth)
    http.request('GET', 'https://api.test/a')
    http.request('GET', 'https://api.test/b', auth=False)
    with_auth, without = http.fake.sent
    assert with_auth.headers['x-api-token'] == 'tok-abcdef' and 'x-api-token' not in without.headers
    assert http.redactor.text('tok-abcdef me@example.com') == H.REDACTED + ' me@example.com'


def test_static_headers_are_set_once_on_the_session():
    http, _sleeps = client([raw(), raw()], headers={'Accept': 'application/vnd.test+json'})
    http.request('GET', 'https://api.test/a')
    http.request('GET', 'https://api.test/b')
    assert [s.headers['Accept'] for s in http.fake.sent] == ['application/vnd.test+json'] * 2


def test_trace_body_false_keeps_a_raw_download_out_of_the_trace_and_errors():
    key = b'-----BEGIN PRIVATE KEY-----\nsyncfile-content-with-keys\n'
    http, _sleeps = client([raw(200, key, {'Content-Type': 'application/octet-stream'}), raw(200, b'<html>oops')])
    answer = http.request('GET', 'https://api.test/syncfile_get/', trace_body=False)
    assert answer.body == key
    with pytest.raises(H.WriteOutcomeUnknown) as err:
        http.request('POST', 'https://api.test/upload', data={'file': 'syncfile-content-with-keys'}, idempotent=False,
                     expect_json=True, trace_body=False)
    text = '\n'.join(http.trace) + str(err.value)
    assert 'syncfile-content-with-keys' not in text and 'oops' not in text
    assert 'not traced' in text


def test_refused_statuses_per_request():
    # A hook test: a 429 proves it was not processed, so the transport waits it out and sends it again...
    http, sleeps = client([raw(429, headers={'Retry-After': '1'}), raw(200, b'{"successful": true}')],
                          refused_statuses=(), rate_limit_wait=30)
    answer = http.request('POST', 'https://api.test/hook;test', idempotent=False, refused_statuses=(429,))
    assert answer.json() == {'successful': True} and len(http.fake.sent) == 2 and len(sleeps) == 1
    # ...a purchase on a client that re-sends 429s: never re-sent without a re-read.
    http, _sleeps = client([raw(429, headers={'Retry-After': '1'})], rate_limit_wait=30)
    with pytest.raises(H.WriteOutcomeUnknown):
        http.request('POST', 'https://api.test/add_ssl_order', idempotent=False, refused_statuses=())
    assert len(http.fake.sent) == 1


def test_validate_certs_false_warns_and_wins_over_ca_path(tmp_path):
    ca = tmp_path / 'ca.pem'
    ca.write_text('not used')
    http = H.HttpClient('Vendor', validate_certs=False, ca_path=str(ca))
    assert http.verify is False
    assert len(http.warnings) == 1 and 'validate_certs=false' in http.warnings[0] and 'ignored' in http.warnings[0]
    assert H.HttpClient('Vendor', ca_path=str(ca)).warnings == []


def test_missing_ca_path_names_the_option(tmp_path):
    missing = os.path.join(str(tmp_path), 'nope.pem')
    with pytest.raises(H.TransportError, match='ca_path .*nope.pem does not exist'):
        H.HttpClient('Vendor', ca_path=missing)
