# -*- coding: utf-8 -*-
"""Unit tests of the provider-neutral DNS record logic."""

import pytest

from ansible_collections.domainsec.onboard.plugins.module_utils import dns_records as dr

ZONE = 'example.com'


def rec(rtype, name='', value=None, **extra):
    spec = dict(type=rtype, name=name, value=value)
    spec.update(extra)
    return dr.normalize_user_record(spec, ZONE)


@pytest.mark.parametrize('name,expected', [
    ('', ''), ('@', ''), ('www', 'www'), ('WWW', 'www'), ('www.example.com', 'www'), ('www.example.com.', 'www'),
    ('example.com.', ''), ('*.dev', '*.dev'), ('_acme-challenge', '_acme-challenge'), ('a.b', 'a.b'),
])
def test_relative_name(name, expected):
    assert dr.relative_name(name, ZONE) == expected


@pytest.mark.parametrize('name', ['www.other.org.', 'bad_label-', '-x', 'a..b', 'x' * 64, 'w w'])
def test_relative_name_rejects(name):
    with pytest.raises(dr.RecordError) as err:
        dr.relative_name(name, ZONE, option='records[2].name')
    assert 'records[2].name' in str(err.value)


def test_targets_user_input_is_fully_qualified():
    assert dr.absolute_target('Mail.Example.com', ZONE) == 'mail.example.com.'
    assert dr.absolute_target('mail.example.com.', ZONE) == 'mail.example.com.'


def test_targets_from_provider_follow_zone_file_rules():
    assert dr.absolute_target('mail', ZONE, user_input=False) == 'mail.example.com.'
    assert dr.absolute_target('mail.example.com.', ZONE, user_input=False) == 'mail.example.com.'
    assert dr.absolute_target('@', ZONE, user_input=False) == 'example.com.'


def test_ipv6_is_compressed():
    assert rec('AAAA', 'www', '2001:DB8:0:0:0:0:0:1')['value'] == '2001:db8::1'


def test_txt_split_and_quote_round_trip():
    text = 'v=DKIM1; k=rsa; p=' + 'A' * 600
    chunks = dr.txt_split(text)
    assert [len(c) for c in chunks] == [255, 255, len(text) - 510]
    quoted = dr.txt_quote(text)
    assert quoted.count('"') == 6
    assert dr.txt_strings(quoted) == chunks
    assert dr.txt_logical(quoted) == text


def test_txt_escapes():
    text = 'say "hi" \\ bye'
    assert dr.txt_quote(text) == '"say \\"hi\\" \\\\ bye"'
    assert dr.txt_logical(dr.txt_quote(text)) == text


def test_txt_split_respects_utf8_bytes():
    text = u'\u00e9' * 200  # 400 bytes
    chunks = dr.txt_split(text)
    assert all(len(c.encode('utf-8')) <= 255 for c in chunks)
    assert ''.join(chunks) == text


def test_txt_bare_provider_value():
    assert dr.txt_logical('v=spf1 mx -all') == 'v=spf1 mx -all'


def test_txt_too_long():
    with pytest.raises(dr.RecordError, match='record.value is too long'):
        rec('TXT', '', 'x' * 5000)


@pytest.mark.parametrize('spec,message', [
    (dict(type='A', value='192.0.2.300'), 'record.value'),
    (dict(type='MX', value='mail.example.com'), 'record.priority is required'),
    (dict(type='MX', value='mail.example.com', priority=-1), 'record.priority must be between'),
    (dict(type='CAA', value='x.org', tag='nope'), 'record.tag'),
    (dict(type='CAA', value='security@example.com', tag='iodef'), 'iodef'),
    (dict(type='CAA', value='x.org', tag='issue', flag=300), 'record.flag'),
    (dict(type='SRV', value='x.example.com', protocol='tcp', priority=1, weight=1, port=1), 'record.service'),
    (dict(type='SRV', value='x.example.com', service='_x', protocol='sctp', priority=1, weight=1, port=1),
     'record.protocol'),
    (dict(type='CNAME', name='', value='www.example.com'), 'apex'),
    (dict(type='A', value='192.0.2.1', weight=3), 'record.weight is not valid for A'),
    (dict(type='PTR', value='x'), 'record.type'),
])
def test_invalid_records(spec, message):
    with pytest.raises(dr.RecordError) as err:
        dr.normalize_user_record(spec, ZONE)
    assert message in str(err.value)


def test_provider_limits_apply():
    with pytest.raises(dr.RecordError, match='between 0 and 99'):
        dr.normalize_user_record(dict(type='MX', value='m.example.com', priority=100), ZONE,
                                 limits={'MX.priority': (0, 99)})


def test_srv_owner_and_key():
    record = rec('SRV', '', 'sip.example.com', service='sip', protocol='TCP', priority=1, weight=2, port=5060)
    assert dr.owner(record) == '_sip._tcp'
    assert record['value'] == 'sip.example.com.'


def test_conflicts():
    with pytest.raises(dr.RecordError, match='CNAME record beside'):
        dr.check_conflicts([rec('CNAME', 'x', 'y.example.com'), rec('A', 'x', '192.0.2.1')])
    dr.check_conflicts([rec('TXT', '', 'a'), rec('TXT', '', 'b')])


def current(*records):
    out = []
    for seq, record in enumerate(records, start=100):
        out.append(dict(record, seq=str(seq)))
    return out


def test_plan_present_adds_only_missing():
    have = current(rec('A', 'www', '192.0.2.1'), rec('TXT', '', 'v=spf1 -all'))
    add, delete = dr.plan_changes(have, [rec('A', 'www', '192.0.2.1'), rec('TXT', '', 'token=1')])
    assert [r['value'] for r in add] == ['token=1']
    assert delete == []


def test_plan_exclusive_replaces_set():
    have = current(rec('A', 'www', '192.0.2.1'), rec('A', 'www', '192.0.2.2'), rec('A', 'api', '192.0.2.3'))
    add, delete = dr.plan_changes(have, [rec('A', 'www', '192.0.2.9')], exclusive=True)
    assert [r['value'] for r in add] == ['192.0.2.9']
    assert sorted(r['value'] for r in delete) == ['192.0.2.1', '192.0.2.2']


def test_plan_cname_always_exclusive():
    have = current(rec('CNAME', 'blog', 'old.example.com'))
    add, delete = dr.plan_changes(have, [rec('CNAME', 'blog', 'new.example.com')])
    assert len(add) == 1 and len(delete) == 1


def test_plan_purge_protects_apex_ns_and_removes_duplicates():
    ns = [dict(rec('NS', '', 'ns%d.securityspace.net' % i)) for i in range(1, 5)]
    have = current(*(ns + [rec('A', 'www', '192.0.2.1'), rec('A', 'www', '192.0.2.1'), rec('NS', 'dev', 'ns.x.net'),
                           rec('MX', '', 'mail.example.com', priority=10)]))
    add, delete = dr.plan_changes(have, [rec('A', 'www', '192.0.2.1')], purge=True)
    assert add == []
    deleted = sorted((r['type'], r['name'], r['seq']) for r in delete)
    assert deleted == [('A', 'www', '105'), ('MX', '', '107'), ('NS', 'dev', '106')]


def test_plan_purge_with_apex_ns_listed():
    have = current(rec('NS', '', 'ns1.securityspace.net'), rec('NS', '', 'ns2.securityspace.net'))
    add, delete = dr.plan_changes(have, [rec('NS', '', 'ns1.securityspace.net')], purge=True)
    assert add == [] and [r['value'] for r in delete] == ['ns2.securityspace.net.']


def test_plan_absent_without_value_matches_all():
    have = current(rec('TXT', '_acme', 'a'), rec('TXT', '_acme', 'b'), rec('TXT', '', 'c'))
    pattern = dr.normalize_user_record(dict(type='TXT', name='_acme'), ZONE, value_optional=True)
    add, delete = dr.plan_changes(have, [pattern], state='absent')
    assert add == [] and sorted(r['value'] for r in delete) == ['a', 'b']


def test_zone_text_lines():
    text = dr.zone_text([rec('MX', '', 'mail.example.com', priority=10), rec('A', 'www', '192.0.2.1')], ZONE)
    assert text == 'example.com. IN MX 10 mail.example.com.\nwww.example.com. IN A 192.0.2.1\n'


# -- review fixes: targets, zone-file TXT, CAA removal, conflicts against the zone --
@pytest.mark.parametrize('spec, words', [
    (dict(type='MX', value='mail_x.example.com', priority=5), 'no underscore'),
    (dict(type='NS', name='dev', value='ns_1.example.net'), 'no underscore'),
    (dict(type='SRV', service='sip', protocol='tcp', priority=1, weight=1, port=5060, value='sip_1.example.com'),
     'no underscore'),
    (dict(type='CNAME', name='blog', value='www'), 'fully qualified'),
    (dict(type='MX', value='mail', priority=5), 'fully qualified'),
])
def test_targets_must_be_host_names(spec, words):
    with pytest.raises(dr.RecordError) as err:
        dr.normalize_user_record(spec, 'example.com')
    assert words in str(err.value) and 'record.value' in str(err.value)


@pytest.mark.parametrize('spec, expected', [
    (dict(type='CNAME', name='s1._domainkey', value='s1._domainkey.provider.net'), 's1._domainkey.provider.net.'),
    (dict(type='MX', value='.', priority=0), '.'),
    (dict(type='SRV', service='sip', protocol='tcp', priority=0, weight=0, port=0, value='.'), '.'),
])
def test_targets_that_stay_allowed(spec, expected):
    assert dr.normalize_user_record(spec, 'example.com')['value'] == expected


@pytest.mark.parametrize('given, expected', [
    ('"v=spf1 -all"', 'v=spf1 -all'),
    ('"p=MIIB" "AQAB"', 'p=MIIBAQAB'),
    (' "x" ', 'x'),
    ('"say \\"hi\\""', 'say "hi"'),
    ('v="x"', 'v="x"'),            # quotes inside the text are text
    ('"a" b', '"a" b'),            # not zone-file form: kept as given
])
def test_txt_zone_file_form(given, expected):
    assert dr.normalize_user_record(dict(type='TXT', value=given), 'example.com')['value'] == expected


def test_caa_removal_without_flag_or_tag_matches_any():
    zone = 'example.com'
    current = [dict(dr.normalize_user_record(dict(type='CAA', flag=128, tag='iodef', value='mailto:s@example.com'), zone),
                    seq='1'),
               dict(dr.normalize_user_record(dict(type='CAA', tag='issue', value='letsencrypt.org'), zone), seq='2')]
    by_tag = dr.normalize_user_record(dict(type='CAA', tag='iodef'), zone, value_optional=True)
    assert by_tag['flag'] is None
    assert [r['seq'] for r in dr.plan_changes(current, [by_tag], state='absent')[1]] == ['1']
    every = dr.normalize_user_record(dict(type='CAA'), zone, value_optional=True)
    assert [r['seq'] for r in dr.plan_changes(current, [every], state='absent')[1]] == ['1', '2']
    # a record to create still gets flag 0 and needs a tag
    assert dr.normalize_user_record(dict(type='CAA', tag='issue', value='x.example'), zone)['flag'] == 0
    with pytest.raises(dr.RecordError):
        dr.normalize_user_record(dict(type='CAA', value='x.example'), zone)


def test_conflicts_checked_only_where_the_run_writes():
    zone = 'example.com'
    a_www = dr.normalize_user_record(dict(type='A', name='www', value='192.0.2.1'), zone)
    cname_www = dr.normalize_user_record(dict(type='CNAME', name='www', value='web.example.net'), zone)
    a_old = dr.normalize_user_record(dict(type='A', name='old', value='192.0.2.2'), zone)
    cname_old = dr.normalize_user_record(dict(type='CNAME', name='old', value='x.example.net'), zone)
    with pytest.raises(dr.RecordError) as err:
        dr.check_conflicts([a_www, cname_www], owners={'www'})
    assert 'www has a CNAME record beside A' in str(err.value)
    # a conflict already in the zone at another name does not block this run
    dr.check_conflicts([a_old, cname_old, a_www], owners={'www'})


@pytest.mark.parametrize('given, expected', [
    ('bücher.example', 'xn--bcher-kva.example'),
    ('Straße.DE.', 'xn--strae-oqa.de'),  # IDNA 2008: not strasse.de (IDNA 2003)
    ('\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com', 'example.com'),
    ('b\u00fccher\u3002example', 'xn--bcher-kva.example'),
])
def test_zone_names_convert_as_the_hardenize_host_names_do(given, expected):
    from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_name
    assert dr.normalize_zone(given) == expected == check_name(given, 'domain')
    assert dr.relative_name('www.' + given, given) == 'www'


def test_plan_present_removes_extra_copies_of_wanted_records_without_purge():
    # Two runs added the same record at once: the copy with the higher seq goes; other records stay.
    zone = 'example.com'
    wanted = dr.normalize_user_record({'type': 'A', 'name': 'www', 'value': '192.0.2.1'}, zone)
    other = dict(dr.normalize_user_record({'type': 'A', 'name': 'mail', 'value': '192.0.2.2'}, zone), seq='5')
    current = [dict(wanted, seq='12'), dict(wanted, seq='7'), other, dict(other, seq='6')]
    to_add, to_delete = dr.plan_changes(current, [wanted])
    assert to_add == [] and [r['seq'] for r in to_delete] == ['12']
    assert [r['seq'] for r in dr.extra_copies(current, [wanted])] == ['12']
    assert dr.extra_copies(current[1:], [wanted]) == []


# -- inputs the vendor would refuse at publish are refused first -------------------------
SS_LIMITS = {'MX.priority': (0, 99), 'MX.null': False}


@pytest.mark.parametrize('spec, words', [
    ({'type': 'MX', 'name': '', 'value': 'mail\n.example.com', 'priority': 10}, 'U+000A'),
    ({'type': 'CNAME', 'name': 'www', 'value': 'host.example.net\n'}, 'U+000A'),
    ({'type': 'NS', 'name': 'sub', 'value': 'ns1.example.net\r\n'}, 'U+000D'),
    ({'type': 'TXT', 'name': '', 'value': 'v=spf1\x00 -all'}, 'U+0000'),
    ({'type': 'TXT', 'name': '', 'value': 'tab\there'}, 'U+0009'),
    ({'type': 'TXT', 'name': '', 'value': '"one" "t\x07wo"'}, 'U+0007'),
    ({'type': 'CAA', 'name': '', 'tag': 'issue', 'value': 'letsencrypt.org\n'}, 'U+000A'),
    ({'type': 'CAA', 'name': '', 'tag': 'issue', 'value': 'letsencrypt.org; validationmethods dns-01'}, 'RFC 8659'),
    ({'type': 'CAA', 'name': '', 'tag': 'issue', 'value': 'letsencrypt.org; =x'}, 'malformed parameter'),
    ({'type': 'MX', 'name': '', 'value': '.', 'priority': 0}, 'null MX'),
    ({'type': 'AAAA', 'name': 'v6', 'value': 'fe80::1%eth0'}, 'zone index'),
    ({'type': 'TXT', 'name': '', 'value': '"bad \\999 escape"'}, 'not a byte'),
])
def test_values_the_vendor_refuses_are_refused_before_any_request(spec, words):
    with pytest.raises(dr.RecordError) as err:
        dr.normalize_user_record(spec, 'example.com', where='records[3]', limits=SS_LIMITS)
    assert words in str(err.value) and 'records[3]' in str(err.value)


def test_caa_parameters_in_rfc_8659_syntax_are_accepted():
    record = dr.normalize_user_record({'type': 'CAA', 'name': '', 'tag': 'issue',
                                       'value': 'letsencrypt.org; validationmethods=dns-01; accounturi=https://x/1'},
                                      'example.com', limits=SS_LIMITS)
    assert record['value'] == 'letsencrypt.org; validationmethods=dns-01; accounturi=https://x/1'


@pytest.mark.parametrize('given, logical', [
    ('"caf\\195\\169"', 'caf\u00e9'),  # \DDD escapes are the UTF-8 bytes they stand for
    ('"a\\"b" "\\\\c"', 'a"b\\c'),
    ('( "v=DKIM1; k=rsa; "\n\t  "p=MIIBIjAN" )', 'v=DKIM1; k=rsa; p=MIIBIjAN'),  # BIND / opendkim form
    ('( "v=spf1 -all" )', 'v=spf1 -all'),
])
def test_txt_in_zone_file_form_is_decoded(given, logical):
    record = dr.normalize_user_record({'type': 'TXT', 'name': '', 'value': given}, 'example.com')
    assert record['value'] == logical
    # and compared as stored: the same record read back from the provider in quoted form has the same key
    stored = dict(record, value=dr.txt_logical(dr.txt_quote(logical)))
    assert dr.record_key(stored) == dr.record_key(record)


def test_a_value_that_no_longer_validates_removes_exactly_the_record_stored_with_it():
    zone = 'example.com'
    stored_bad = dict(dr.normalize_user_record({'type': 'MX', 'name': '', 'value': 'mx1.example.net', 'priority': 10},
                                               zone), seq='4', raw_text='mail', value='mail.example.com.')
    stored_good = dict(dr.normalize_user_record({'type': 'MX', 'name': '', 'value': 'mail.example.com',
                                                 'priority': 10}, zone), seq='5', raw_text='mail.example.com.')
    pattern = dr.normalize_user_record({'type': 'MX', 'name': ''}, zone, value_optional=True)
    pattern['raw_value'] = 'mail'
    to_add, to_delete = dr.plan_changes([stored_bad, stored_good], [pattern], state='absent')
    assert to_add == [] and [r['seq'] for r in to_delete] == ['4']


# -- the comparison key: every field that makes a record different changes it, alone -----------------------
# record_key decides what is added and what is left alone, so a field it ignored would make a changed record look
# present (the change never made) and a field it compared too loosely would do the same. Each case below changes
# exactly one field of a record; the record must then be a different record: another key, and a run that wants it
# adds it (and, exclusive, removes the old one) instead of reporting it present.
FIELD_CHANGES = [
    # (what changes, the record as stored, the same record with that one field changed)
    ('MX priority', dict(type='MX', value='mail.example.com', priority=10),
     dict(type='MX', value='mail.example.com', priority=20)),
    ('MX target', dict(type='MX', value='mail.example.com', priority=10),
     dict(type='MX', value='mx.example.com', priority=10)),
    ('TXT value case', dict(type='TXT', name='_token', value='Verify=AbC123'),
     dict(type='TXT', name='_token', value='verify=abc123')),  # TXT data is case-sensitive (RFC 1035 3.3.14)
    ('SRV priority', dict(type='SRV', service='sip', protocol='tcp', priority=10, weight=60, port=5060,
                          value='sip.example.com'),
     dict(type='SRV', service='sip', protocol='tcp', priority=20, weight=60, port=5060, value='sip.example.com')),
    ('SRV weight', dict(type='SRV', service='sip', protocol='tcp', priority=10, weight=60, port=5060,
                        value='sip.example.com'),
     dict(type='SRV', service='sip', protocol='tcp', priority=10, weight=20, port=5060, value='sip.example.com')),
    ('SRV port', dict(type='SRV', service='sip', protocol='tcp', priority=10, weight=60, port=5060,
                      value='sip.example.com'),
     dict(type='SRV', service='sip', protocol='tcp', priority=10, weight=60, port=5061, value='sip.example.com')),
    ('SRV target', dict(type='SRV', service='sip', protocol='tcp', priority=10, weight=60, port=5060,
                        value='sip.example.com'),
     dict(type='SRV', service='sip', protocol='tcp', priority=10, weight=60, port=5060, value='sip2.example.com')),
    ('CAA flag', dict(type='CAA', flag=0, tag='issue', value='letsencrypt.org'),
     dict(type='CAA', flag=128, tag='issue', value='letsencrypt.org')),
    ('CAA tag', dict(type='CAA', flag=0, tag='issue', value='letsencrypt.org'),
     dict(type='CAA', flag=0, tag='issuewild', value='letsencrypt.org')),
    ('CAA value', dict(type='CAA', flag=0, tag='issue', value='letsencrypt.org'),
     dict(type='CAA', flag=0, tag='issue', value='pki.goog')),
]


@pytest.mark.parametrize('field, stored, wanted', FIELD_CHANGES, ids=[c[0] for c in FIELD_CHANGES])
def test_a_record_that_differs_in_one_field_is_another_record(field, stored, wanted):
    stored = dict(dr.normalize_user_record(stored, ZONE), seq='7')
    wanted = dr.normalize_user_record(wanted, ZONE)
    assert dr.set_key(stored) == dr.set_key(wanted)  # the same type and owner: only the field differs
    assert dr.record_key(stored) != dr.record_key(wanted), field
    to_add, to_delete = dr.plan_changes([stored], [wanted])
    assert to_add == [wanted] and to_delete == []
    to_add, to_delete = dr.plan_changes([stored], [wanted], exclusive=True)
    assert to_add == [wanted] and to_delete == [stored]
    assert dr.extra_copies([stored], [wanted]) == []
    # and the record itself is present: nothing to do
    assert dr.plan_changes([stored], [dict(stored)]) == ([], [])


# Names are not case-sensitive (RFC 4343), nor are the host names MX, SRV and CNAME records point to: these
# spellings are the same record, so a re-run with them changes nothing.
SAME_RECORD = [
    ('owner name case', dict(type='TXT', name='_Token', value='Verify=AbC123'),
     dict(type='TXT', name='_token', value='Verify=AbC123')),
    ('MX target case', dict(type='MX', name='Lists', value='Mail.Example.COM', priority=10),
     dict(type='MX', name='lists', value='mail.example.com.', priority=10)),
    ('SRV target and labels case', dict(type='SRV', service='SIP', protocol='TCP', priority=10, weight=60, port=5060,
                                        value='SIP.example.com'),
     dict(type='SRV', service='_sip', protocol='_tcp', priority=10, weight=60, port=5060, value='sip.example.com.')),
    ('CAA tag case', dict(type='CAA', flag=0, tag='ISSUE', value='letsencrypt.org'),
     dict(type='CAA', flag=0, tag='issue', value='letsencrypt.org')),
]


@pytest.mark.parametrize('what, first, second', SAME_RECORD, ids=[c[0] for c in SAME_RECORD])
def test_spellings_of_one_record_have_one_key(what, first, second):
    stored = dict(dr.normalize_user_record(first, ZONE), seq='7')
    wanted = dr.normalize_user_record(second, ZONE)
    assert dr.record_key(stored) == dr.record_key(wanted), what
    assert dr.plan_changes([stored], [wanted], exclusive=True) == ([], [])
