# -*- coding: utf-8 -*-
"""The demo's zone file, as the emulator builds it, parsed by dnspython."""

import dns.rdataclass
import dns.rdatatype
import dns.zone

from test_targets import run_playbook


def test_demo_zone_file_parses(emulators, tmp_path):
    for vendor in emulators.harness.emulators:
        emulators.reset(vendor)
    playbook = tmp_path / 'zone.yml'
    playbook.write_text('''
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.import_role:
        name: domainsec.onboard.onboard_domain
      vars:
        onboard_domain_name: zonefile.example
        onboard_domain_records:
          - {type: A, name: "", value: 192.0.2.10}
          - {type: CNAME, name: www, value: zonefile.example}
          - {type: MX, name: "", value: mail.zonefile.example, priority: 10}
          - {type: A, name: mail, value: 192.0.2.25}
          - {type: TXT, name: "", value: "v=spf1 mx -all"}
          - {type: TXT, name: sel._domainkey, value: "v=DKIM1; p=%s"}
          - {type: CAA, name: "", tag: issue, value: letsencrypt.org}
          - {type: SRV, service: _imaps, protocol: tcp, priority: 0, weight: 1, port: 993, value: mail.zonefile.example}
    - domainsec.onboard.ssdns_domain_info:
        domain: zonefile.example
        zone_file: true
      register: info
    - ansible.builtin.copy:
        content: "{{ info.zone }}"
        dest: "%s"
        mode: "0644"
''' % ('K' * 400, tmp_path / 'zone.txt'))
    result = run_playbook(str(playbook))
    assert result.returncode == 0, result.stdout[-5000:]
    zone = dns.zone.from_text((tmp_path / 'zone.txt').read_text(), origin='zonefile.example.', relativize=False)
    apex = zone.get_node('zonefile.example.')
    assert apex.get_rdataset(dns.rdataclass.IN, dns.rdatatype.SOA) is not None
    assert len(apex.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS)) == 4
    mx = list(apex.get_rdataset(dns.rdataclass.IN, dns.rdatatype.MX))
    assert [(r.preference, r.exchange.to_text()) for r in mx] == [(10, 'mail.zonefile.example.')]
    www = zone.get_node('www.zonefile.example.').get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
    assert list(www)[0].target.to_text() == 'zonefile.example.'
    dkim = list(zone.get_node('sel._domainkey.zonefile.example.').get_rdataset(dns.rdataclass.IN, dns.rdatatype.TXT))[0]
    assert [len(s) for s in dkim.strings] == [255, 400 + len('v=DKIM1; p=') - 255]
    assert b''.join(dkim.strings).decode() == 'v=DKIM1; p=' + 'K' * 400
    srv = zone.get_node('_imaps._tcp.zonefile.example.').get_rdataset(dns.rdataclass.IN, dns.rdatatype.SRV)
    assert [(r.port, r.target.to_text()) for r in srv] == [(993, 'mail.zonefile.example.')]
    caa = list(apex.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CAA))
    assert [(r.flags, r.tag, r.value) for r in caa] == [(0, b'issue', b'letsencrypt.org')]
