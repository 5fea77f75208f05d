# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The URL each client talks to when api_url is not set, pinned to the vendor documents.

Each expected URL is a literal copied from the vendor document (../shared/vendor-api/, section named in the comment),
never the client's own constant: a test comparing a constant with itself passes whatever the constant says. The
client is built from Ansible's own processing of its argument spec with no option and no environment variable for
the URL, so the default really is the argument spec's, and the request one named operation sends is compared with
the document: the default and the way the client joins paths to it are both checked.
"""

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from unit.fake_http import FakeHttp
from ansible_collections.domainsec.onboard.plugins.module_utils import cyberssl as cs
from ansible_collections.domainsec.onboard.plugins.module_utils import hardenize as hz
from ansible_collections.domainsec.onboard.plugins.module_utils import securityspace as ss
from ansible_collections.domainsec.onboard.plugins.module_utils import sigsci as sg
from ansible_collections.domainsec.onboard.plugins.module_utils import virusdie as vd

URL_VARIABLES = ('SECURITYSPACE_API_URL', 'HARDENIZE_API_URL', 'SIGSCI_API_URL', 'VIRUSDIE_API_URL', 'CYBERSSL_API_URL')


def client_with_defaults(monkeypatch, client_class, answer, **params):
    """``client_class`` built from its argument spec as Ansible validates it (defaults applied), answered by FakeHttp."""
    for name in URL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    result = ArgumentSpecValidator(client_class.argument_spec()).validate(params)
    assert not result.errors.messages, result.errors.messages
    client = client_class.from_params(result.validated_parameters)
    client.http.sleep = lambda seconds: None
    fake = FakeHttp(default=lambda sent: answer).mount(client.http)
    return client, fake


def sent_url(fake):
    """The URL of the only request, without its query string (credentials, parameters)."""
    assert len(fake.sent) == 1, [s.url for s in fake.sent]
    return fake.sent[0].url.split('?', 1)[0]


def test_securityspace(monkeypatch):
    # securityspace-rest-api.txt, "APIs" > "Authentication (auth.php)": URL line.
    documented = 'https://secure1.securityspace.com/api/auth.php'
    client, fake = client_with_defaults(monkeypatch, ss.SecuritySpaceClient, {'status': '0', 'sessionToken': 'tok-1234'},
                                        api_key='k' * 32, userid='me', password='pw-123456')
    client.authenticate()
    assert fake.sent[0].method == 'POST' and sent_url(fake) == documented


def test_hardenize(monkeypatch):
    # hardenize-org-api-v1.txt, "Overview" > "Base Location": https://api.hardenize.com/v1/org/{org}/ with {org} the
    # organization label, the paths relative to it ("GET /eventHooks"). docs/hardenize.md: api_url is the host part
    # and the client appends /v1/org/<org>.
    documented = 'https://api.hardenize.com/v1/org/{org}/'
    client, fake = client_with_defaults(monkeypatch, hz.HardenizeClient, {'eventHooks': []},
                                        api_user='svc', api_password='pw-123456', org='feistyduck')
    client.list_hooks()
    assert sent_url(fake) == documented.replace('{org}', 'feistyduck') + 'eventHooks'


def test_signal_sciences(monkeypatch):
    # signalsciences-api-tokens.txt, "Using Personal API Access Tokens" > "Python" (and Golang, Ruby, Shell):
    # endpoint = 'https://dashboard.signalsciences.net/api/v0'; requests.get(endpoint + '/corps', ...).
    documented = 'https://dashboard.signalsciences.net/api/v0'
    client, fake = client_with_defaults(monkeypatch, sg.SigsciClient, {'data': []},
                                        email='me@example.com', api_token='tok-123456', corp='corp')
    client.list_corps()
    assert sent_url(fake) == documented + '/corps'


def test_virusdie(monkeypatch):
    # virusdie-api.txt, "Common API request format": (GET|POST) https://virusdie.com/api/<method>/[param1/paramN][?query];
    # "GET /api/sites_list/?..." for the site list.
    documented = 'https://virusdie.com/api/<method>/'
    client, fake = client_with_defaults(monkeypatch, vd.VirusdieClient, {
        'version': '1', 'keyid': 'k1', 'method': 'sites_list', 'timewait': 0, 'error': 0, 'message': '',
        'errorinfo': '', 'result': []}, api_key='a' * 32)
    client.list_sites()
    assert sent_url(fake) == documented.replace('<method>', 'sites_list')


@pytest.mark.parametrize('sandbox, documented', [
    # cyberssl-api.txt, the introduction: "Test API: https://api.cyberssl.com/sandbox/v1/ Live API:
    # https://api.cyberssl.com/v1/", and "1. Authorization": https://api.cyberssl.com/v1/auth (GET). The method is
    # appended to the base (docs/cyberssl.md: sandbox: true picks the test base, false, the default, the live one).
    (False, 'https://api.cyberssl.com/v1/'),
    (True, 'https://api.cyberssl.com/sandbox/v1/'),
])
def test_cyberssl(monkeypatch, sandbox, documented):
    params = dict(api_key='key-123456')
    if sandbox:
        params['sandbox'] = True
    client, fake = client_with_defaults(monkeypatch, cs.CyberSSLClient, {'success': True, 'token': 'tok-123456'}, **params)
    client.ensure_token()
    assert fake.sent[0].method == 'GET' and sent_url(fake) == documented + 'auth'
    if not sandbox:
        assert sent_url(fake) == 'https://api.cyberssl.com/v1/auth'  # "1. Authorization", as written there
