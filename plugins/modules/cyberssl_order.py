#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: cyberssl_order
short_description: Ensure a live CyberSSL certificate order for a domain, renewed on time and never bought twice
version_added: 1.0.0
description:
  - Ensures that a live certificate order exists for O(primary_domain) (and O(addon_domains)) with product
    O(product_id). The order is found by O(order_id) when given, else by primary domain and product among the
    account's orders in a live status (C(Awaiting Validation), C(Awaiting Activation), C(Processing), C(Activated)).
  - When there is none, a new order is placed, after checking the price against O(max_price) and the account balance.
    When the live certificate expires within O(renew_before_days) days, a renewal order is placed. When the domains or
    the CSR differ from the live order, the order is reissued (free of charge); when only the validation method
    differs, it is changed.
  - The validation data comes back parsed, for DNS as records that M(domainsec.onboard.ssdns_record) takes as they
    are (see RV(dv_records)).
  - With O(wait), the task polls the order until it is C(Activated) or ends in a terminal status, and writes the
    certificate, chain and full chain to the paths given (only when their content differs).
  - Money is at stake. Check mode never orders; it reports what it would buy and its price. An order or reissue
    whose outcome is unknown (timeout, dropped connection, server error, unreadable reply) is sent again only when
    the account's orders prove that it did not land. After an answer of the server (a 500, an unreadable reply) one
    read of the orders is that proof. After no answer at all (a timeout, a dropped connection, a gateway's 502 or
    504) the vendor may still be at work, so the orders are read every few seconds until O(settle_timeout) seconds
    after the order went out; when it has still not shown, the task fails, says what may have been bought, and sends
    nothing again. Two runs of the same task on one controller hold a lock around read-decide-order (in
    O(lock_dir)), so they cannot both buy. See the notes for two controllers.
  - A certificate is never written beside a key it does not belong to. The module compares the public key of the
    issued certificate with the key at O(private_key_path) (and with O(csr)). A new key whose certificate is not
    issued yet waits beside the key in use as C(<private_key_path>.new); once its certificate is issued, the key
    and certificate files in place are kept as C(.previous), the new certificate files are written and the new key
    takes the place of the old one.
  - CyberSSL has no call to cancel or refund an order, so this module has no C(state=absent).
author: domainsec.onboard contributors (@domainsec)
extends_documentation_fragment:
  - domainsec.onboard.cyberssl
  - domainsec.onboard.transport
  - domainsec.onboard.locks
  - ansible.builtin.files
  - domainsec.onboard.certificate_files
attributes:
  check_mode:
    support: full
    description: Nothing is ordered, changed or written; the result says what would be and at which price.
  diff_mode:
    support: full
    description: Before and after of the order (product, domains, method, status) and the files written.
options:
  primary_domain:
    description:
      - The certificate's common name, for example C(example.com) or C(*.example.com) on a wildcard product.
      - A wildcard is C(*) as the whole first label of a name of at least three labels; no IP address, underscore or
        all-digit top-level label (the collection's rules for every domain name, user guide, "Input rules").
    type: str
    required: true
  addon_domains:
    description:
      - Further domains of a multi-domain certificate (wildcards where the product allows them), with the rules of
        O(primary_domain).
    type: list
    elements: str
    default: []
  product_id:
    description: The CyberSSL product (see M(domainsec.onboard.cyberssl_product_info)).
    type: int
    required: true
  period:
    description: Validity in years; the product must offer it.
    type: int
    default: 1
  dv_method:
    description:
      - How domain ownership is validated. C(dns) publishes a CNAME, C(http) and C(https) a file on the site,
        C(email) sends an approval mail to the addresses in O(dv_emails).
      - Wildcard domains cannot be validated by C(http) or C(https).
    type: str
    choices: [dns, http, https, email]
    default: dns
  dv_emails:
    description:
      - With O(dv_method=email), one approval address per domain, in the order primary domain, then
        O(addon_domains). Each address must be at its domain or a parent of it.
    type: list
    elements: str
  dv_zones:
    description:
      - The DNS zones that hold the validation records (for example the SecuritySpace zones of the domains). Each
        record of RV(dv_records) is given relative to the longest of these zones that contains it. Not set, the
        zone is the shortest domain of the order that contains the record. A zone is a domain name, never a wildcard.
    type: list
    elements: str
  csr:
    description:
      - The certificate signing request (PEM), for example from community.crypto's C(openssl_csr_pipe). Its common
        name must be O(primary_domain). Mutually exclusive with O(csr_subject).
      - Only the request. A value that also holds a private key is refused before any request, and the key is
        masked in the task's output.
    type: str
  csr_subject:
    description:
      - Let CyberSSL generate the key and the CSR for O(primary_domain) with these subject fields. The private key
        comes back once, in the reply to the order (or reissue or renewal), and is written to O(private_key_path),
        which is then required. Prefer your own key and O(csr) (community.crypto's C(openssl_privatekey) and
        C(openssl_csr)), since the key then never leaves the machine that made it.
    type: dict
    suboptions:
      city: {description: Locality., type: str, required: true}
      state: {description: State or province., type: str, required: true}
      country: {description: Two-letter country code., type: str, required: true}
      organization: {description: Organisation name., type: str, required: true}
      department: {description: Organisational unit., type: str}
      email: {description: Contact email in the subject., type: str}
  admin_contact:
    description: The administrative contact; required when an order is placed.
    type: dict
    suboptions: &contact
      first_name: {description: First name., type: str, required: true}
      last_name: {description: Last name., type: str, required: true}
      phone: {description: Phone number., type: str, required: true}
      title: {description: Job title., type: str, required: true}
      email: {description: Email address., type: str, required: true}
  tech_contact:
    description: The technical contact; the vendor uses O(admin_contact) when it is not set.
    type: dict
    suboptions: *contact
  organization:
    description:
      - Organisation fields for business-validated products (the C(org_*) fields without the prefix). Required
        exactly when the product says C(organization_required), refused otherwise.
    type: dict
    suboptions:
      name: {description: Full organisation name., type: str, required: true}
      division: {description: Division., type: str, required: true}
      addressline: {description: Address., type: str, required: true}
      city: {description: City., type: str, required: true}
      country: {description: Country code., type: str, required: true}
      phone: {description: Phone number., type: str, required: true}
      postalcode: {description: Postal code., type: str, required: true}
      region: {description: Region or state., type: str, required: true}
  order_id:
    description: Manage this order instead of looking for the live order of the domain and product.
    type: int
  max_price:
    description:
      - Fail before ordering when the price for this period and domain count is higher (a price equal to it is
        paid). 0 refuses any price above 0. It must be a finite number of 0 or more.
    type: float
  wait:
    description: Poll the order until it is C(Activated) or ends in a terminal status.
    type: bool
    default: false
  wait_timeout:
    description: How long O(wait) polls, in seconds.
    type: int
    default: 600
  wait_interval:
    description: Seconds between two polls.
    type: int
    default: 10
  renew_before_days:
    description:
      - Place a renewal order (C(order_type=renew)) when the live certificate expires within this many days, like
        community.crypto's C(remaining_days). Not set, an activated order is never renewed by this module.
    type: int
  renew_key:
    description:
      - With O(csr), what a renewal (O(renew_before_days)) does with the key. C(reuse) orders the renewal with O(csr)
        whatever its key. C(new) orders it only with a CSR of another key than the live certificate's; given the
        live certificate's own CSR, the task orders nothing and returns RV(renewal_due) true, so that a new key and
        CSR can be made first (the C(onboard_domain) role does this).
      - With O(csr_subject) every renewal comes with a new key made by CyberSSL.
    type: str
    choices: [reuse, new]
    default: reuse
  recover_key:
    description:
      - With O(csr_subject), when the live order belongs to a key that is not at O(private_key_path) (nor at
        C(<private_key_path>.new)) - its reply with the key was lost, or the task runs on a new controller or in a new
        AWX job - reissue the order with a new key CyberSSL makes (free of charge; the certificate is issued again
        once the new validation passes).
      - When false, the task fails in that case, naming the order and these two ways out; it never writes a
        certificate without its key.
    type: bool
    default: false
  settle_timeout:
    description:
      - After an order or reissue that got no answer (a timeout, a dropped connection, a gateway's 502 or 504), how
        many seconds after it was sent the account's orders are read again, every few seconds, for it to show
        (0-3600). When it has not shown by then, the task fails and nothing is sent again, since it may still land.
    type: int
    default: 180
  revalidate:
    description: Ask the CA to check the validation again for every domain of an order awaiting validation.
    type: bool
    default: false
  certificate_path:
    description: Write the certificate (PEM) here once it is issued; only when the content differs.
    type: path
  chain_path:
    description: Write the intermediate chain (PEM) here.
    type: path
  fullchain_path:
    description: Write the certificate followed by the chain here.
    type: path
  mode:
    description:
      - File mode of the certificate files and their C(.previous) copies, an octal string such as V('0644').
      - A key written or moved into place gets C(0600) whatever this option; a key the module only reads keeps its
        mode.
    type: raw
    default: '0644'
  private_key_path:
    description:
      - With O(csr_subject), where the key CyberSSL generates goes. It is written with mode C(0600) before anything
        else is done with the reply, and never returned. When a key is already there, the new one waits as
        C(<private_key_path>.new) until its certificate is issued (see the description).
      - With O(csr), the key of that CSR (or, during a change of key, the key in use, with the CSR's key waiting as
        C(<private_key_path>.new)). It is only read (and given O(owner), O(group) and the SELinux context when they
        are set). The task fails before any request when the CSR does not belong to it, and the certificate files are
        written only for it.
      - The certificate files are written only when the issued certificate belongs to this key (or to the waiting
        C(.new) key, which then takes its place).
    type: path
  force:
    description:
      - Has no effect. A new key no longer replaces O(private_key_path) at once; it waits as
        C(<private_key_path>.new) until its certificate is issued.
    type: bool
    default: false
notes:
  - Two runs at once on one controller are serialised by a lock file per domain and product in O(lock_dir). AWX jobs
    each have a private temporary directory, so point O(lock_dir) (or E(DOMAINSEC_LOCK_DIR)) at a persistent volume
    that the jobs' execution environments share. Two controllers (two AWX execution nodes without a shared volume,
    two laptops) do not share a lock; a run reads the account's orders right before ordering, so only runs whose
    read-decide-order steps overlap (a second or two) can both buy, and the API offers no cancel. What protects you
    there is one place that orders certificates (one job template, concurrent jobs off). What is left is reported; such a duplicate
    shows as a warning in the next run (two live orders that are not a certificate and its renewal), and has to
    be refunded through CyberSSL support.
  - Requests of a run that finds the order in place, activated and with its files written, are C(auth), C(my_orders)
    and C(order_status) (the certificate to compare with the files).
seealso:
  - module: domainsec.onboard.cyberssl_order_info
  - module: domainsec.onboard.cyberssl_product_info
  - module: domainsec.onboard.ssdns_record
'''

EXAMPLES = r'''
- name: Order a certificate for example.com, validated through DNS
  domainsec.onboard.cyberssl_order:
    primary_domain: example.com
    product_id: 17
    period: 1
    csr: "{{ lookup('ansible.builtin.file', 'example.com.csr') }}"
    admin_contact: &contact
      first_name: Jane
      last_name: Doe
      phone: "+1.5555550100"
      title: Platform engineer
      email: hostmaster@example.com
    max_price: 10
  register: cert_order

- name: Publish the validation records in SecuritySpace
  domainsec.onboard.ssdns_record:
    domain: "{{ item.zone }}"
    type: "{{ item.type }}"
    name: "{{ item.name }}"
    value: "{{ item.value }}"
    publish: true
  loop: "{{ cert_order.dv_records }}"

- name: Wait for the certificate and write it
  domainsec.onboard.cyberssl_order:
    primary_domain: example.com
    product_id: 17
    csr: "{{ lookup('ansible.builtin.file', 'example.com.csr') }}"
    admin_contact: *contact
    wait: true
    wait_timeout: 900
    renew_before_days: 30
    certificate_path: "{{ tls_dir | default('/etc/ssl') }}/example.com.crt"
    fullchain_path: "{{ tls_dir | default('/etc/ssl') }}/example.com.fullchain.pem"
'''

RETURN = r'''
order_id:
  description: The order (null in check mode when it would be placed).
  returned: always
  type: int
  sample: 1001
status:
  description: The order's status; in check mode before a new order, C(would be ordered).
  returned: always
  type: str
  sample: Awaiting Validation
amount:
  description: What the order cost; in check mode when an order would be placed, the price it would pay.
  returned: always
  type: float
  sample: 5.0
actions:
  description: What the run did (or would do in check mode), among C(order), C(renew), C(reissue),
    C(change_dv_method), C(revalidate), C(write_files).
  returned: always
  type: list
  elements: str
  sample: [order]
domains:
  description: Every domain of the order.
  returned: always
  type: list
  elements: str
  sample: [example.com]
valid_from:
  description: First day of the certificate (C(YYYY-MM-DD)), empty until issued.
  returned: always
  type: str
  sample: "2026-11-26"
valid_till:
  description: Last day of the certificate (C(YYYY-MM-DD)), empty until issued.
  returned: always
  type: str
  sample: "2027-11-26"
days_left:
  description: Days until C(valid_till); null until issued.
  returned: always
  type: int
  sample: 365
dv_records:
  description:
    - For DNS validation, the records to publish, relative to the zone that holds them (the shortest domain of the
      order that contains the record name), as M(domainsec.onboard.ssdns_record) takes them.
  returned: always
  type: list
  elements: dict
  sample:
    - {zone: example.com, name: _3b2c9f0a1d, type: CNAME, value: 9f8e.7d6c.sectigo.com., fqdn: _3b2c9f0a1d.example.com.,
       domain: example.com}
dv_files:
  description: For HTTP(S) validation, the file per domain (C(domain), C(filename), C(content), C(url)).
  returned: always
  type: list
  elements: dict
dv_emails:
  description: For email validation, the approval addresses the CA accepts per domain.
  returned: always
  type: dict
certificate:
  description: The certificate (PEM) once issued.
  returned: when the order is activated
  type: str
chain:
  description: The intermediate chain (PEM) once issued.
  returned: when the order is activated
  type: str
certificate_info:
  description: The certificate's serial number (colon-separated hex, as C(openssl x509 -serial) shows it) and validity,
    read from the certificate.
  returned: when the order is activated
  type: dict
  sample: {serial: "5D:0B:8E:21:3C:77:A9:10", not_before: "2026-11-25T00:00:00Z", not_after: "2027-11-26T00:00:00Z"}
files_changed:
  description: The certificate, chain, full chain and key paths that were (or would be) written or whose attributes
    changed, C(.previous) copies and a key moved into place included.
  returned: always
  type: list
  elements: str
backup_files:
  description: With O(backup), each file whose content was replaced and its backup.
  returned: when a backup was made
  type: dict
  sample: {/etc/ssl/example.com.crt: "/etc/ssl/example.com.crt.2811.2027-10-28@03:00:12~"}
renewal_due:
  description: The live certificate expires within O(renew_before_days) days. With O(renew_key=new) and the live
    certificate's own CSR nothing was ordered; run the task again with the CSR of a new key.
  returned: always
  type: bool
certificate_matches_key:
  description: Whether the issued certificate belongs to the key at O(private_key_path) (or its C(.new)), or to O(csr)'s
    key; null until the certificate is issued or when it cannot be told. Its files are written only when true.
  returned: always
  type: bool
'''

import math
import os
import re

from ansible_collections.domainsec.onboard.plugins.module_utils import cyberssl as cs
from ansible_collections.domainsec.onboard.plugins.module_utils import cert_files
from ansible_collections.domainsec.onboard.plugins.module_utils import cyberssl_policy as policy
from ansible_collections.domainsec.onboard.plugins.module_utils.cert_files import PENDING, KeyFiles
from ansible_collections.domainsec.onboard.plugins.module_utils.file_writer import FileWriteError, FileWriter
from ansible_collections.domainsec.onboard.plugins.module_utils.http_transport import DomainsecError
from ansible_collections.domainsec.onboard.plugins.module_utils.locks import controller_lock, lock_argument_spec
from ansible_collections.domainsec.onboard.plugins.module_utils.module_runner import new_module, run_module, warn_lookalikes
from ansible_collections.domainsec.onboard.plugins.module_utils.names import check_email, check_name
from ansible_collections.domainsec.onboard.plugins.module_utils.x509 import (
    CertificateError,
    certificate_summary,
    holds_private_key,
    private_key_blocks,
    same_key,
)


def argument_spec():
    contact = dict((name, dict(type='str', required=True)) for name in cs.CONTACT_FIELDS)
    spec = cs.CyberSSLClient.argument_spec()
    spec.update(lock_argument_spec())
    spec.update(
        primary_domain=dict(type='str', required=True),
        addon_domains=dict(type='list', elements='str', default=[]),
        product_id=dict(type='int', required=True),
        period=dict(type='int', default=1),
        dv_method=dict(type='str', choices=list(cs.DV_METHODS), default='dns'),
        dv_emails=dict(type='list', elements='str'),
        dv_zones=dict(type='list', elements='str'),
        csr=dict(type='str'),
        csr_subject=dict(type='dict', options=dict(
            city=dict(type='str', required=True), state=dict(type='str', required=True),
            country=dict(type='str', required=True), organization=dict(type='str', required=True),
            department=dict(type='str'), email=dict(type='str'))),
        admin_contact=dict(type='dict', options=contact),
        tech_contact=dict(type='dict', options=dict(contact)),
        organization=dict(type='dict', options=dict((name, dict(type='str', required=True)) for name in cs.ORG_FIELDS)),
        order_id=dict(type='int'),
        max_price=dict(type='float'),
        wait=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=600),
        wait_interval=dict(type='int', default=10),
        renew_before_days=dict(type='int'),
        renew_key=dict(type='str', choices=['reuse', 'new'], default='reuse'),
        recover_key=dict(type='bool', default=False),
        settle_timeout=dict(type='int', default=cs.SETTLE_TIMEOUT),
        revalidate=dict(type='bool', default=False),
        certificate_path=dict(type='path'),
        chain_path=dict(type='path'),
        fullchain_path=dict(type='path'),
        mode=dict(type='raw', default='0644'),
        backup=dict(type='bool', default=False),
        private_key_path=dict(type='path', no_log=False),
        force=dict(type='bool', default=False),  # no effect since the .new key file (see the docs)
    )
    return spec


# -- input ---------------------------------------------------------------------------
def validate(params):
    """The wanted order from the options, checked before any request; raises ValueError naming the option."""
    primary = check_name(params['primary_domain'], 'primary_domain', wildcard=True)
    addons = [check_name(d, 'addon_domains[%d]' % index, wildcard=True) for index, d in enumerate(params['addon_domains'])]
    domains = [primary] + addons
    if len(set(domains)) != len(domains):
        raise ValueError('addon_domains: every domain may appear once (with primary_domain), got %s' % ', '.join(domains))
    method = params['dv_method']
    emails = params.get('dv_emails')
    if method == 'email':
        if not emails or len(emails) != len(domains):
            raise ValueError('dv_emails: dv_method=email needs one approval address per domain (%d: %s), got %d'
                             % (len(domains), ', '.join(domains), len(emails or [])))
        normalised = []
        for index, (address, domain) in enumerate(zip(emails, domains)):
            address = check_email(address, 'dv_emails[%d]' % index)
            if not cs.in_zone(cs.base_domain(domain), address.split('@', 1)[1]):
                raise ValueError('dv_emails: %r is not an address at %s or a parent domain of it' % (address, domain))
            normalised.append(address)
        emails = normalised
    elif emails:
        raise ValueError('dv_emails is only for dv_method=email (dv_method is %s)' % method)
    if method in ('http', 'https') and any(d.startswith('*.') for d in domains):
        raise ValueError('dv_method: a wildcard domain cannot be validated by %s; use dns or email' % method)
    csr = params.get('csr')
    if csr is not None:
        if holds_private_key(csr):
            raise ValueError('csr holds a private key as well as the request: give the certificate signing request '
                             'only (-----BEGIN CERTIFICATE REQUEST----- ... -----END CERTIFICATE REQUEST-----). Nothing '
                             'was sent; the key is masked in this output, but treat it as exposed if it was logged '
                             'elsewhere')
        if not any('-----BEGIN %s-----' % kind in csr for kind in ('CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST')) \
                or '-----END ' not in csr:
            raise ValueError('csr must be a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----)')
        if params.get('csr_subject'):
            raise ValueError('csr and csr_subject are mutually exclusive: give your own CSR or let CyberSSL make one')
    subject = params.get('csr_subject')
    if subject:
        if not params.get('private_key_path'):
            raise ValueError('private_key_path is required with csr_subject: the key CyberSSL generates is sent once')
        if not re.match(r'^[A-Za-z]{2}\Z', (subject.get('country') or '').strip()):
            raise ValueError('csr_subject.country: %r is not a two-letter country code (US, DE, ...)' % subject['country'])
        if subject.get('email'):
            check_email(subject['email'], 'csr_subject.email')
    for role in ('admin_contact', 'tech_contact'):
        if params.get(role):
            check_email(params[role]['email'], '%s.email' % role)
    for option, low, high in (('period', 1, 10), ('wait_timeout', 0, 86400), ('wait_interval', 1, 3600),
                              ('renew_before_days', 0, 3650), ('product_id', 1, 10 ** 9), ('order_id', 1, 10 ** 12),
                              ('settle_timeout', 0, 3600)):
        value = params.get(option)
        if value is not None and not low <= value <= high:
            raise ValueError('%s must be between %d and %d, got %s' % (option, low, high, value))
    price = params.get('max_price')
    if price is not None and (not math.isfinite(price) or price < 0):
        raise ValueError('max_price must be a number of 0 or more (the highest price you accept), got %s' % price)
    mode = params.get('mode')
    try:
        int(str(mode), 8) if not isinstance(mode, int) else mode
    except ValueError:
        raise ValueError("mode must be an octal file mode such as '0644', got %r" % (mode,))
    zones = [check_name(z, 'dv_zones[%d]' % index) for index, z in enumerate(params.get('dv_zones') or [])]
    return dict(primary=primary, addons=addons, domains=domains, method=method, emails=emails, csr=csr, zones=zones)


def check_key_path(module, wanted, keys):
    """With csr and private_key_path: the key there (or the new key beside it) is the CSR's. Checked before any
    request, so that no certificate is ever written beside a key it does not belong to."""
    if not wanted['csr'] or not keys.path:
        return
    if not keys.has('current') and not keys.has('new'):
        problem = 'private_key_path %s does not exist: with csr it names the key of that CSR' % keys.path
        if module.check_mode:
            module.warn(problem + ' (an earlier task in check mode may not have made it)')
            return
        raise ValueError(problem)
    if keys.holder(wanted['csr']) is None:
        raise ValueError('csr does not belong to the key at private_key_path %s (nor to %s%s): give the CSR of that '
                         'key' % (keys.path, keys.path, PENDING))


def check_file_paths(module):
    """Before anything is paid for: the key (sent once) and the certificate files must be writable where asked. In
    check mode a missing directory is a warning: an earlier task of the play (in check mode too) may create it."""
    params = module.params
    for option in ('private_key_path', 'certificate_path', 'chain_path', 'fullchain_path'):
        if not params.get(option):
            continue
        directory = os.path.dirname(os.path.abspath(params[option]))
        if os.path.isdir(directory) and os.access(directory, os.W_OK | os.X_OK):
            continue
        problem = '%s %s: the directory %s does not exist or is not writable' % (option, params[option], directory)
        if not module.check_mode:
            raise DomainsecError(problem + '; create it first (nothing was ordered)', vendor=cs.VENDOR)
        module.warn(problem + ': the order would fail unless it is created first')


# -- the wire fields -------------------------------------------------------------------
def order_request(params, wanted, order_type=None):
    """The order's request (cs.order_request) from the task's options."""
    return cs.order_request(wanted['primary'], wanted['method'], emails=wanted['emails'], addons=wanted['addons'],
                            csr=wanted['csr'], csr_subject=params.get('csr_subject'), order_type=order_type,
                            product_id=params['product_id'], period=params['period'],
                            admin_contact=params.get('admin_contact'), tech_contact=params.get('tech_contact'),
                            organization=params.get('organization'))


# -- files -------------------------------------------------------------------------------
def certificate_files(params, order):
    """``{path: content}`` of the certificate files this task manages, from an issued order."""
    return cert_files.certificate_files(dict(certificate=params.get('certificate_path'), chain=params.get('chain_path'),
                                             fullchain=params.get('fullchain_path')),
                                        order.get('certificate'), order.get('certificate_chain'))


# -- the run -------------------------------------------------------------------------------
def view(order):
    if not order:
        return {}
    return dict(order_id=cs.as_int(order.get('order_id')), product_id=cs.as_int(order.get('product_id')),
                domains=order.get('domains'), dv_method=cs.dv_method_of(order), status=order.get('status'),
                valid_till=order.get('valid_till') or '')


def run(module, client, wanted, keys, result):
    """The run; ``result`` is filled in as it goes (a failure still returns what it holds, the order id included)."""
    params = module.params
    if module.check_mode:
        order, live = policy.find_live(client, params, wanted)
        return finish(module, client, wanted, keys, result, order, live, policy.decide(params, wanted, order, keys))
    with controller_lock('%s|%s' % (wanted['primary'], params['product_id']), directory=params['lock_dir']):
        order, live = policy.find_live(client, params, wanted)
        plan = policy.decide(params, wanted, order, keys)
        return finish(module, client, wanted, keys, result, order, live, plan)


def purchase_text(params, wanted, action, price):
    """The purchase in words, for a message that must say what may have been bought."""
    return '%s order for %s (product %s, %d year(s), price %.2f)' % (
        'renewal' if action == 'renew' else 'new', ', '.join(wanted['domains']), params['product_id'], params['period'],
        price)


def finish(module, client, wanted, keys, result, order, live, plan):
    params = module.params
    extra = policy.unexplained(live, params.get('renew_before_days')) if not params.get('order_id') else []
    if len(extra) > 1:
        module.warn('%d live orders for %s with product %s (%s) that are not a certificate and its renewal: a second '
                    'purchase may have happened, for example from two controllers at once' % (
                        len(extra), wanted['primary'], params['product_id'],
                        ', '.join(str(o.get('order_id')) for o in extra)))
    before = view(order)
    result['renewal_due'] = plan['renewal_due']
    actions = plan['actions']
    reply = None
    if actions and actions[0] in ('order', 'renew', 'reissue'):
        action = actions[0]
        product = client.product(params['product_id'])
        if action == 'reissue':
            policy.check_product(params, wanted, product)
            policy.check_reissue_subject(params)
            price = 0.0
        else:
            price = policy.check_purchase(client, params, wanted, action, product)
        policy.check_csr(client, params, wanted)
        check_file_paths(module)
        result['actions'] = [action]
        if module.check_mode:
            return predicted(module, wanted, keys, result, order, action, price, before)
        known = set(str(o.get('order_id')) for o in live) | set(str(o.get('order_id')) for o in [order] if o)
        if action == 'reissue':
            fields = order_request(params, wanted)
            reply = client.reissue_order(order['order_id'], fields, lambda o: reissued(o, wanted),
                                         prove_within=params['settle_timeout'])
        else:
            fields = order_request(params, wanted, 'new' if action == 'order' else 'renew')
            reply = client.add_order(fields, wanted['primary'], known_ids=known,
                                     matches=lambda o: policy.matches_live(o, wanted['primary'], params['product_id']),
                                     prove_within=params['settle_timeout'],
                                     what=purchase_text(params, wanted, action, price))
        order_id = reply.get('order_id') or (order or {}).get('order_id')
        result.update(order_id=cs.as_int(order_id), changed=True)
        keep_key(module, client, keys, reply, result)
        order = client.order(order_id)
    elif actions:
        result['actions'] = list(actions)
        result['changed'] = True
        if not module.check_mode:
            if 'change_dv_method' in actions:
                change_method(client, order, wanted)
            if 'revalidate' in actions:
                for domain in order.get('domains') or [wanted['primary']]:
                    client.revalidate(order['order_id'], domain)
            order = client.order(order['order_id'])
        else:
            order = dict(order, dv_method=wanted['method'])
    if params['wait'] and not module.check_mode and order.get('status') in cs.LIVE_STATUSES[:3]:
        order = client.wait_for_order(order['order_id'], params['wait_timeout'], params['wait_interval'])
    report(client, result, order, wanted, reply)
    write_certificates(module, wanted, keys, result, order)
    if module._diff:
        result['diff'] = dict(before=before, after=dict(view(order), files=result['files_changed']))
    return result


def terminal(result):
    """The task fails when the order ended without a certificate (Rejected, Cancelled, ...)."""
    if result.get('status') in cs.TERMINAL_STATUSES:
        return 'CyberSSL order %s is %s' % (result.get('order_id'), result.get('status'))
    return None


def reissued(order, wanted):
    if sorted(order.get('domains') or []) != sorted(wanted['domains']):
        return False
    return not wanted['csr'] or cs.pem_body(order.get('csr')) == cs.pem_body(wanted['csr'])


def change_method(client, order, wanted):
    if wanted['method'] == 'email':
        for domain, address in zip(wanted['domains'], wanted['emails']):
            client.change_dv_method(order['order_id'], 'email', domain=domain, email=address)
    else:
        client.change_dv_method(order['order_id'], wanted['method'])


def keep_key(module, client, keys, reply, result):
    """Write a vendor-generated private key at once (mode 0600; beside the key in use as ``.new`` while its
    certificate is not issued); it is never returned."""
    key = (reply or {}).get('private_key')
    if key:
        client.http.add_secret(key)
        module.no_log_values.add(key.strip())
        try:
            written = keys.store(FileWriter(module), key)
        except FileWriteError as exc:
            raise DomainsecError('the private key CyberSSL generated could not be kept (%s); it cannot be read again: '
                                 'run the task again with recover_key: true' % exc, vendor=cs.VENDOR)
        result['files_changed'].append(written)
        client.record_done('write_key', 'private key written to %s' % written)
        return
    if (reply or {}).get('reply_lost') and module.params.get('csr_subject'):
        raise DomainsecError(
            'order %s was placed but its reply, which carried the private key CyberSSL generated, was lost; the key '
            'cannot be read again. Run the task again with recover_key: true, which reissues the order with a new '
            'key (free of charge), or give the CSR of a key you have as csr' % reply.get('order_id'), vendor=cs.VENDOR)


def predicted(module, wanted, keys, result, order, action, price, before):
    after = dict(order_id=None if action != 'reissue' else before.get('order_id'),
                 product_id=module.params['product_id'], domains=wanted['domains'], dv_method=wanted['method'],
                 status='would be %s' % {'order': 'ordered', 'renew': 'renewed', 'reissue': 'reissued'}[action],
                 valid_till='')
    result.update(changed=True, order_id=after['order_id'], status=after['status'], amount=price,
                  domains=wanted['domains'], valid_from='', valid_till='', days_left=None)
    if module.params.get('csr_subject') and keys.path:
        result['files_changed'].append(keys.new_path if keys.has('current') else keys.path)
    if module._diff:
        result['diff'] = dict(before=before, after=after)
    return result


def report(client, result, order, wanted, reply):
    method = cs.dv_method_of(order) or wanted['method']
    result.update(order_id=cs.as_int(order.get('order_id')), status=order.get('status'),
                  amount=cs.money(order.get('amount')), domains=order.get('domains') or wanted['domains'],
                  valid_from=order.get('valid_from') or '', valid_till=order.get('valid_till') or '',
                  days_left=cs.days_left(order))
    if order.get('status') != 'Activated' and order.get('status') not in cs.TERMINAL_STATUSES:
        options = (reply or {}).get('dv_options') if (reply or {}).get('dv_options') and method != 'email' else None
        if options is None:
            options = client.dv_options(order['order_id'], method)
        result.update(cs.dv_view(options, method, result['domains'], zones=wanted['zones']))
    if order.get('certificate'):
        result['certificate'] = order['certificate']
        result['chain'] = order.get('certificate_chain') or ''
        try:
            result['certificate_info'] = certificate_summary(order['certificate'])
        except CertificateError as exc:
            result['certificate_info'] = {}
            result.setdefault('warnings', []).append('the certificate of order %s could not be read (%s)' % (order.get('order_id'), exc))


def certificate_holder(wanted, keys, certificate):
    """Whose key the issued certificate is: ``'current'`` (the key at private_key_path, or csr's when there is no key
    path), ``'new'`` (the key waiting at private_key_path.new), None (neither: it is not written), ``'unknown'``."""
    if keys.path and (keys.has('current') or keys.has('new')):
        return keys.holder(certificate)
    if wanted['csr']:
        match = same_key(wanted['csr'], certificate)
        return 'unknown' if match is None else ('current' if match else None)
    return 'unknown'


def write_certificates(module, wanted, keys, result, order):
    """Write the issued certificate's files, only beside its own key: promote ``private_key_path.new`` when the
    certificate is for it, leave the files alone when it is for neither key (a reissue not issued yet)."""
    params = module.params
    if order.get('status') != 'Activated' or not order.get('certificate'):
        return
    holder = certificate_holder(wanted, keys, order['certificate'])
    result['certificate_matches_key'] = None if holder == 'unknown' else holder is not None
    if holder == 'unknown' and keys.path:
        module.warn('the key at private_key_path %s cannot be compared with the certificate of order %s (encrypted, '
                    'or a format this module does not read): the files are written without that check'
                    % (keys.path, order.get('order_id')))
    writer = FileWriter(module)
    try:
        written = cert_files.place(writer, keys, holder, certificate_files(params, order))
    except FileWriteError as exc:
        result['files_changed'].extend(sorted(writer.diffs))
        raise DomainsecError('order %s is issued but its files could not be written: %s' % (order.get('order_id'), exc),
                             vendor=cs.VENDOR)
    result['files_changed'].extend(written)
    if writer.backup_files:
        result['backup_files'] = writer.backup_files
    if written:
        result['actions'].append('write_files')
        result['changed'] = True


def main():
    module = new_module(argument_spec(), multiline=('csr',), supports_check_mode=True, add_file_common_args=True,
                        mutually_exclusive=[('csr', 'csr_subject')])
    for block in private_key_blocks(module.params.get('csr')):
        module.no_log_values.add(block)
    try:
        wanted = validate(module.params)
        FileWriter(module).check()
        keys = KeyFiles(module.params.get('private_key_path'), secret=module.no_log_values.add)
        check_key_path(module, wanted, keys)
    except ValueError as exc:
        module.fail_json(msg=str(exc))
    warn_lookalikes(module, [module.params['primary_domain']], 'primary_domain')
    warn_lookalikes(module, module.params['addon_domains'], 'addon_domains')
    result = dict(changed=False, actions=[], files_changed=[], dv_records=[], dv_files=[], dv_emails={},
                  renewal_due=False, certificate_matches_key=None)
    run_module(module, cs.CyberSSLClient, lambda client: run(module, client, wanted, keys, result), check=terminal,
               result=result)


if __name__ == '__main__':
    main()
