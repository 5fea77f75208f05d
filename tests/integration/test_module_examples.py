# -*- coding: utf-8 -*-
"""Every module's EXAMPLES runs, for real, against the emulators.

For each module in ``plugins/modules/`` (listed from the directory, so a new module is picked up without touching
this file) the EXAMPLES string is read from the module's source with ``ast`` (the module is not imported), loaded with
``yaml.safe_load`` and must be a list of named tasks (``test_examples_are_a_task_list``). The tasks run as one play on
localhost, in the order written, after a short prelude (``PRELUDE``) that creates what the examples take for granted:
the zone a record goes into, the site a member joins, the order ``cyberssl_order_info`` reads, and the object an
example removes or turns off, so that the example acts. Every task runs: no check mode, no ``ignore_errors``, no
skipped task, no option rewritten by the test. The play must end ``failed=0``, print no warning and no secret
(``assert_no_secrets``, the check of the integration targets, at ``-v`` so that every result is printed).

The play then runs a second time on the same emulator state (unless no example task changed anything on the first run,
as with most info modules: ``most_runs``). The examples run on the second core only (ansible-core 2.21, see below).
Every example task must report no change, except those in ``CHANGES_EVERY_RUN``, each with the reason: an action (an
audit or a scan started), or a task whose state the prelude or a later example undoes. Those must change, and nothing
else: the number of ``changed`` tasks is the PLAY RECAP's.
Prelude tasks may change on either run. On the second run a loop over an empty list may be skipped: the validation
records of an order that is issued by then (nothing left to do is the idempotent outcome).

What the test supplies, and why it is the least artificial way:

- Credentials come from the environment (``emulators.env``, exported by the session fixture), as the modules read
  them. Examples that show credentials use vault variables (``{{ vault_x }}``), and account names that a play sets
  (the Signal Sciences corp) play variables; the test passes those from the same environment in an extra-vars file
  (``-e @vars.yml``: no secret on a command line).
- Files an example reads with a relative ``lookup('ansible.builtin.file', ...)`` (a CSR) are written by the test into
  ``files/`` next to the generated playbook, where Ansible looks for them in a user's project (``CSR_FILES``).
- Examples never write to a fixed path of the machine that runs them (the tests may run as root): a path an example
  writes to is a variable with the real-world default, ``"{{ tls_dir | default('/etc/ssl') }}/..."``, and the test
  points the variable at ``tmp_path`` with an extra var (``PATH_VARS``). The directories exist beforehand, as on a
  real host. ``test_examples_write_no_fixed_path`` fails on an absolute path in an example's options. Rewriting the
  paths in the test, or a mount namespace, would hide what a user runs; a variable with a default is what a user
  who keeps paths in inventory writes anyway.
- ``delegate_to`` a web server runs on localhost (``-c local`` applies to every host).
- The world outside the play is set up where an example depends on it (``SETUP``, ``EMULATOR_CONFIG``, checked by
  ``AFTER_RUN``): the webhook receiver of the ``hardenize_event_hook`` example is the emulators' (the example's
  ``hook_url`` block variable points there); it reads each hook's secret from ``<hook id>.secret`` in
  ``hook_receiver_dir`` at each delivery, so the test delivery passes only once the example handed the secret over.
  For ``virusdie_site`` and ``virusdie_syncfile`` the shop's web root holds the Virusdie sync file (the emulator's
  ``syncfile_uploaded``); after the ``virusdie_syncfile`` examples the test checks that the file in the web root is
  the one the example fetched. SecuritySpace audits end at once instead of after a second, so that ``wait: true``
  does not poll for 30 s (the module's default interval): a speed knob, not a change of outcome.
"""

import ast
import glob
import json
import os
import re
import ssl
import sys
import urllib.request

import pytest
import yaml

from test_targets import ROOT, assert_no_secrets, failure_excerpt, run_playbook

# The examples run on the second core only (ansible-core 2.21), twice: there they are how every module runs, and what
# they show (the documented snippets work as written and are idempotent) does not depend on the core. On the main core
# every module runs in the targets (tests/integration/targets/) and the roles (molecule, the certificate's life).

MODULES_DIR = os.path.join(ROOT, 'plugins', 'modules')
COLLECTION = 'domainsec.onboard'

# Vault variables the examples use -> the environment variable (emulators.env) that holds the value.
VAULT_VARS = {
    'vault_securityspace_api_key': 'SECURITYSPACE_API_KEY',
    'vault_securityspace_userid': 'SECURITYSPACE_USERID',
    'vault_securityspace_password': 'SECURITYSPACE_PASSWORD',
    'vault_cyberssl_api_key': 'CYBERSSL_API_KEY',
    'vault_sigsci_email': 'SIGSCI_EMAIL',
    'vault_sigsci_token': 'SIGSCI_TOKEN',
}
# Account names the examples take from play variables -> the environment variable that holds the emulator's.
ACCOUNT_VARS = {'sigsci_corp': 'SIGSCI_CORP'}
# A TSIG key of the user's (not an emulator credential): the one the integration targets use, so that
# assert_no_secrets (TARGET_SECRETS) also looks for it.
TSIG_KEY = 'c2VjcmV0LXRzaWcta2V5LXZhbHVl'

# Path variables of the examples (each with its real-world default in the example) -> directory under tmp_path.
PATH_VARS = {
    'tls_dir': 'etc/ssl',
    'hook_receiver_dir': 'etc/hook-receiver',
    'sigsci_agent_dir': 'etc/sigsci',
    'virusdie_dir': 'srv/virusdie',
    'shop_web_root': 'var/www/shop',
}
# Subdirectories that exist on a real host below those (tls_dir/certs).
PATH_SUBDIRS = ('etc/ssl/certs',)

# CSR files the examples read from the project's files/ directory: name -> (common name, SANs).
CSR_FILES = {
    'cyberssl_csr_info': {'www.example.com.csr': ('www.example.com', ['www.example.com', 'example.com'])},
    'cyberssl_order': {'example.com.csr': ('example.com', ['example.com'])},
    'cyberssl_order_info': {'www.example.com.csr': ('www.example.com', ['www.example.com'])},
}

# Emulator knobs per module: {vendor: config}, set after the reset (the reset restores the defaults).
EMULATOR_CONFIG = {
    'ssaudit': {'securityspace': {'audit_duration': 0.0}},
    'ssaudit_info': {'securityspace': {'audit_duration': 0.0}},
    # The world outside the account: shop.example.com's web root holds the sync file (virusdie_syncfile's example
    # puts it there itself: sync_file_in_web_root checks that it did).
    'virusdie_site': {'virusdie': {'syncfile_uploaded': ['shop.example.com']}},
    'virusdie_syncfile': {'virusdie': {'syncfile_uploaded': ['shop.example.com']}},
    'virusdie_site_info': {'virusdie': {'syncfile_uploaded': ['shop.example.com'],
                                        'scan_threats': {'shop.example.com': 2}}},
}

_CONTACT = {'first_name': 'Jane', 'last_name': 'Doe', 'phone': '+1.5555550100', 'title': 'Platform engineer',
            'email': 'hostmaster@example.com'}
_ZONE = {'name': 'prelude: the zone example.com', 'domainsec.onboard.ssdns_domain': {'domain': 'example.com'}}
_SITE = {'name': 'prelude: the site www-example-com',
         'domainsec.onboard.sigsci_site': {'name': 'www-example-com', 'display_name': 'www.example.com'}}

# What the examples of a module take for granted, created first in the same play. Names start with "prelude: ".
PRELUDE = {
    'ssdns_domain': [
        {'name': 'prelude: the zone old.example.com, which the examples remove',
         'domainsec.onboard.ssdns_domain': {'domain': 'old.example.com'}},
    ],
    'ssdns_domain_info': [
        _ZONE,
        {'name': 'prelude: a record in it', 'domainsec.onboard.ssdns_record': {
            'domain': 'example.com', 'type': 'A', 'name': 'www', 'value': '192.0.2.10'}},
    ],
    'ssdns_record': [_ZONE],
    'ssaudit_info': [
        {'name': 'prelude: an audit of 192.0.2.10, finished', 'domainsec.onboard.ssaudit': {
            'targets': ['192.0.2.10'], 'audit_type': 'standard', 'wait': True}},
    ],
    'hardenize_group': [
        {'name': 'prelude: the group Legacy', 'domainsec.onboard.hardenize_group': {'name': 'Legacy'}},
        {'name': 'prelude: a host in it', 'domainsec.onboard.hardenize_host': {
            'hostnames': ['legacy.example.com'], 'groups': ['Legacy']}},
    ],
    'hardenize_event_type': [
        {'name': 'prelude: CT log entry events on, which the examples stop',
         'domainsec.onboard.hardenize_event_type': {'name': 'ct.entry'}},
    ],
    'hardenize_group_info': [
        {'name': 'prelude: the group Production', 'domainsec.onboard.hardenize_group': {'name': 'Production'}},
    ],
    'hardenize_host': [
        {'name': 'prelude: the hosts added by mistake', 'domainsec.onboard.hardenize_host': {
            'hostnames': ['not-ours.example.net', 'www.not-ours.example.net']}},
    ],
    'hardenize_host_info': [
        {'name': 'prelude: monitored hosts', 'domainsec.onboard.hardenize_host': {
            'hostnames': ['example.com', 'www.example.com'], 'status': 'monitored'}},
    ],
    'hardenize_event_hook_info': [
        {'name': 'prelude: the webhook', 'domainsec.onboard.hardenize_event_hook': {
            'destination': 'https://hooks.example.com/hardenize/4c1f0a', 'event_types': ['pki.cert.new'],
            'status': 'disabled'}},
    ],
    'sigsci_site_info': [_SITE],
    'sigsci_site_member': [
        _SITE,
        {'name': 'prelude: the member who leaves', 'domainsec.onboard.sigsci_site_member': {
            'site': 'www-example-com', 'members': [{'email': 'former@example.com', 'role': 'user'}]}},
    ],
    'virusdie_site': [
        {'name': 'prelude: the site old.example.com, which the examples remove',
         'domainsec.onboard.virusdie_site': {'domains': ['old.example.com']}},
    ],
    'virusdie_site_info': [
        {'name': 'prelude: the shop, scanned', 'domainsec.onboard.virusdie_site': {
            'domains': ['shop.example.com'], 'scan': True}},
    ],
    'virusdie_unit': [
        {'name': 'prelude: a site shared with old@example.com', 'domainsec.onboard.virusdie_site': {
            'domains': ['shop.example.com'], 'share_with': 'old@example.com'}},
    ],
    'cyberssl_order': [_ZONE],
    'certificate_files': [_ZONE],
    'cyberssl_order_info': [
        _ZONE,
        {'name': 'prelude: order 1001 for www.example.com', 'domainsec.onboard.cyberssl_order': {
            'primary_domain': 'www.example.com', 'product_id': 17, 'dv_zones': ['example.com'],
            'csr': "{{ lookup('ansible.builtin.file', 'www.example.com.csr') }}", 'admin_contact': _CONTACT},
         'register': 'prelude_order'},
        {'name': 'prelude: its validation record', 'domainsec.onboard.ssdns_record': {
            'domain': '{{ item.zone }}', 'type': '{{ item.type }}', 'name': '{{ item.name }}',
            'value': '{{ item.value }}'},
         'loop': '{{ prelude_order.dv_records }}'},
        {'name': 'prelude: the certificate issued', 'domainsec.onboard.cyberssl_order': {
            'primary_domain': 'www.example.com', 'product_id': 17,
            'csr': "{{ lookup('ansible.builtin.file', 'www.example.com.csr') }}", 'admin_contact': _CONTACT,
            'wait': True, 'wait_interval': 1, 'wait_timeout': 60}},
    ],
}

# Example tasks (by name) that change on the second run too, with the reason. Nothing else may change.
_PRELUDE_AGAIN = 'the prelude creates again what this example removes'
CHANGES_EVERY_RUN = {
    'ssdns_domain': {'Remove a zone': _PRELUDE_AGAIN},
    'ssdns_record': {
        'One A record': 'the next example moves www away from 192.0.2.10, so each run adds it back',
        'Move www to a new address (add the new one, then delete the old)':
            'it deletes the 192.0.2.10 the previous example adds back on each run',
    },
    'ssaudit': {
        'Audit the web servers and wait for the result': 'starting an audit is an action: every run starts one',
        'Start an audit of a /27 and do not wait': 'starting an audit is an action: every run starts one',
    },
    'hardenize_event_type': {'Stop the CT log entry events': 'the prelude turns the events on again'},
    'hardenize_group': {'Delete a group that is still used': _PRELUDE_AGAIN},
    'hardenize_host': {'Delete hosts that were added by mistake, with their subdomains': _PRELUDE_AGAIN},
    'hardenize_event_hook': dict.fromkeys((
        'Create the webhook, disabled until its receiver can check the signatures',
        'Hand the secret to the receiver, which reads <hook id>.secret from its directory',
        'Test the webhook, and enable it once the receiver accepted the test delivery',
        'Remove the webhook',
    ), 'the last example removes the hook, so each run creates a new one (with a new secret) and enables it'),
    'sigsci_site': dict.fromkeys((
        'A site for www.example.com, blocking, behind a load balancer',
        'Redirect blocked requests to an explanation page',
        'Remove the site, with its members and agents',
    ), 'the last example removes the site, so each run creates and changes it again'),
    'sigsci_site_member': {"The site's team": 'exclusive: it removes former@example.com, whom the prelude adds on '
                                              'each run (so "Take a user off the site" finds nobody to remove)'},
    'virusdie_site': {
        'Scan after the sync file was put in the web root': 'starting a scan is an action: every run starts one',
        'Remove a site': _PRELUDE_AGAIN,
    },
    'virusdie_syncfile': {'Scan the shop': 'starting a scan is an action: every run starts one'},
    'virusdie_unit': dict.fromkeys((
        'The customer changed their address',
        'The customer left; keep the sites, unshared',
    ), 'the prelude shares a site with old@example.com again, so the unit exists again under its old address'),
}


def module_names(modules_dir=MODULES_DIR):
    """Every module file of plugins/modules/ (not a hand-kept list)."""
    return sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(modules_dir, '*.py'))
                  if not os.path.basename(p).startswith('_'))


def examples_source(name, modules_dir=MODULES_DIR):
    """The EXAMPLES string of a module, read from its source with ast (None when there is none)."""
    path = os.path.join(modules_dir, name + '.py')
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == 'EXAMPLES' for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def load_examples(name, modules_dir=MODULES_DIR):
    """The module's EXAMPLES as a list of tasks; fails the test when it is missing or is not one."""
    source = examples_source(name, modules_dir)
    assert isinstance(source, str) and source.strip(), '%s has no EXAMPLES string' % name
    tasks = yaml.safe_load(source)
    assert isinstance(tasks, list) and tasks, '%s: EXAMPLES is not a list of tasks: %r' % (name, type(tasks).__name__)
    for index, task in enumerate(tasks):
        assert isinstance(task, dict), '%s: EXAMPLES item %d is not a task: %r' % (name, index, task)
    return tasks


def flatten(tasks):
    """The tasks in the order they run: a block's tasks in place of the block (no rescue/always expected)."""
    found = []
    for task in tasks:
        if 'block' in task:
            assert not set(task) & {'rescue', 'always'}, 'a block with rescue/always cannot be checked task by task'
            found.extend(flatten(task['block']))
        else:
            found.append(task)
    return found


def action_of(task):
    """The module a task calls (its first key that is not a task keyword)."""
    keywords = {'name', 'register', 'when', 'loop', 'loop_control', 'vars', 'environment', 'no_log', 'notify',
                'module_defaults', 'delegate_to', 'run_once', 'tags', 'changed_when', 'failed_when', 'until',
                'retries', 'delay', 'become', 'check_mode', 'diff', 'ignore_errors', 'args', 'with_items'}
    actions = [k for k in task if k not in keywords]
    assert len(actions) == 1, 'task %r: cannot tell its module from %s' % (task.get('name'), sorted(task))
    return actions[0]


def walk_values(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from walk_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_values(item)
    else:
        yield value


def walk_tasks(tasks):
    """Every task and block, blocks included."""
    for task in tasks:
        yield task
        for section in ('block', 'rescue', 'always'):
            yield from walk_tasks(task.get(section) or [])


@pytest.mark.parametrize('name', module_names())
def test_examples_are_a_task_list(name):
    """EXAMPLES exists, is a list of named tasks in FQCN that run for real, and shows the module itself."""
    examples = load_examples(name)
    for task in walk_tasks(examples):
        pretend = sorted(set(task) & {'check_mode', 'ignore_errors', 'ignore_unreachable'})
        assert not pretend, '%s: %r uses %s; an example must run for real' % (name, task.get('name'), pretend)
    tasks = flatten(examples)
    for task in tasks:
        assert task.get('name'), '%s: an example task has no name: %r' % (name, task)
        assert '.' in action_of(task), '%s: task %r does not use the FQCN of its module' % (name, task['name'])
    assert '%s.%s' % (COLLECTION, name) in [action_of(t) for t in tasks], '%s: no example uses the module' % name


@pytest.mark.parametrize('name', module_names())
def test_examples_write_no_fixed_path(name):
    """No example option is an absolute path: the test must be able to point every file it writes at tmp_path."""
    for task in flatten(load_examples(name)):
        options = task[action_of(task)]
        fixed = [v for v in walk_values(options) if isinstance(v, str) and v.startswith('/')]
        assert not fixed, ('%s: task %r uses the fixed path(s) %s; use a variable with the real default, e.g. '
                           '"{{ tls_dir | default(\'/etc/ssl\') }}/x.crt"' % (name, task['name'], fixed))


def test_parametrization_follows_the_modules_directory(tmp_path):
    """The cases are the files of plugins/modules/: a module added there is a case (and fails without a task list
    in EXAMPLES); the per-module tables (every dict of this file but NOT_PER_MODULE: a new table is checked without
    being listed) name modules that exist, CHANGES_EVERY_RUN their example tasks, CSR_FILES files they read."""
    names = set(module_names())
    assert len(names) >= 24 and 'ssdns_record' in names and '__init__' not in names
    for fake, source in (('new_module', 'EXAMPLES = r\'\'\'\n- name: A task\n  domainsec.onboard.new_module:\n\'\'\'\n'),
                         ('no_examples', 'DOCUMENTATION = "module: no_examples"\n'),
                         ('prose_examples', 'EXAMPLES = "Run it with the defaults."\n'),
                         ('one_task_not_a_list', 'EXAMPLES = "name: A task\\nping:"\n')):
        (tmp_path / (fake + '.py')).write_text(source)
    assert module_names(str(tmp_path)) == ['new_module', 'no_examples', 'one_task_not_a_list', 'prose_examples']
    assert [t['name'] for t in load_examples('new_module', str(tmp_path))] == ['A task']
    for broken in ('no_examples', 'prose_examples', 'one_task_not_a_list'):
        with pytest.raises(AssertionError, match='no EXAMPLES|not a list of tasks'):
            load_examples(broken, str(tmp_path))
    tables = per_module_tables()
    assert {'PRELUDE', 'CHANGES_EVERY_RUN', 'CSR_FILES', 'EMULATOR_CONFIG', 'SETUP', 'AFTER_RUN'} <= set(tables)
    for table_name, table in sorted(tables.items()):
        assert set(table) <= names, '%s: entries for modules that do not exist: %s' % (
            table_name, sorted(set(table) - names))
    for name, exceptions in CHANGES_EVERY_RUN.items():
        example_names = [t['name'] for t in flatten(load_examples(name))]
        assert set(exceptions) <= set(example_names), '%s: exceptions for tasks that are not examples: %s' % (
            name, sorted(set(exceptions) - set(example_names)))
    for name, files in CSR_FILES.items():
        read = json.dumps(PRELUDE.get(name, []) + load_examples(name), default=str)
        unread = sorted(f for f in files if "'%s'" % f not in read)
        assert not unread, 'CSR_FILES: %s reads no %s (lookup(\'ansible.builtin.file\', ...))' % (name, unread)


# The dicts of this file (upper-case names) that are not keyed by module; every other one is a per-module table,
# which test_parametrization_follows_the_modules_directory checks without being told about it.
NOT_PER_MODULE = ('VAULT_VARS', 'ACCOUNT_VARS', 'PATH_VARS')


def per_module_tables():
    """{name: table} of every per-module table of this file (its module-level dicts but NOT_PER_MODULE)."""
    tables = dict((name, value) for name, value in globals().items()
                  if name.isupper() and not name.startswith('_') and isinstance(value, dict))
    assert set(NOT_PER_MODULE) <= set(tables), 'NOT_PER_MODULE names no table: %s' % sorted(
        set(NOT_PER_MODULE) - set(tables))
    return dict((name, value) for name, value in tables.items() if name not in NOT_PER_MODULE)


# -- running -------------------------------------------------------------------------------------------------------
def write_csr(path, common_name, sans):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
           .sign(key, hashes.SHA256()))
    path.write_bytes(csr.public_bytes(serialization.Encoding.PEM))


def admin_call(emulators, url, body):
    """POST ``body`` to an admin URL of the emulators (the receiver's config is at its own /_receiver/config)."""
    context = ssl.create_default_context(cafile=emulators.env['DOMAINSEC_CA_PATH'])
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method='POST',
                                     headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        text = answer.read()
    return json.loads(text) if text else None


def hook_receiver(emulators, extra_vars):
    """The webhook receiver of the hardenize_event_hook example is the emulators' (``hook_url``). Like a real one, it
    reads each hook's secret from ``<hook id>.secret`` in its directory, ``hook_receiver_dir``, where the example
    hands it over; it knows no secret otherwise, so the test delivery passes only after the example wrote the file."""
    env = emulators.env
    admin_call(emulators, env['EMULATOR_RECEIVER_ADMIN'] + '/config',
               {'org': env['HARDENIZE_ORG'], 'secrets_dir': extra_vars['hook_receiver_dir']})
    extra_vars['hook_url'] = env['HARDENIZE_TEST_RECEIVER_URL'] + '/hardenize/4c1f0a'


def sync_file_in_web_root(emulators, extra_vars):
    """After the virusdie_syncfile examples: the sync file Virusdie found on shop.example.com (EMULATOR_CONFIG) is the
    one the example fetched and copied into the shop's web root."""
    copied = glob.glob(os.path.join(extra_vars['shop_web_root'], 'vdconnect-*.php'))
    assert len(copied) == 1, 'the sync file is not in the web root: %s' % os.listdir(extra_vars['shop_web_root'])
    fetched = os.path.join(extra_vars['virusdie_dir'], os.path.basename(copied[0]))
    with open(copied[0], 'rb') as web_root, open(fetched, 'rb') as download:
        text = web_root.read()
        assert b'VDCONNECT_TOKEN' in text and text == download.read()


# What stands for the world outside the play, set up before the first run (may add extra vars).
SETUP = {'hardenize_event_hook': hook_receiver}
# Checks of what the examples left outside the emulators, after each run.
AFTER_RUN = {'virusdie_syncfile': sync_file_in_web_root}


def changed_tasks(output, expected_names, second_run):
    """The names of the tasks that reported a change, checked against the task headers: one header per task, in
    the order of ``expected_names``; no task skipped, except, on the second run, a loop over an empty list (the
    validation records of an order that is issued by now: nothing to do is the idempotent outcome)."""
    headers, changed = [], []
    for line in output.splitlines():
        header = re.match(r'^TASK \[(.*)\] \**$', line)
        if header:
            headers.append(header.group(1))
        elif line.startswith('changed: [') and headers and (not changed or changed[-1] != headers[-1]):
            changed.append(headers[-1])
        elif line.startswith('skipping: ['):
            assert second_run and '"skipped_reason": "No items in the list"' in line, (
                'a task was skipped: %s' % (headers[-1] if headers else line))
    assert headers == expected_names, 'the tasks that ran are not the tasks of the play:\n%s\n%s' % (
        headers, expected_names)
    return changed


def most_runs():
    """Twice, to show the examples are idempotent (DOMAINSEC_EXAMPLE_RUNS=1: once, for a quicker look)."""
    return max(1, min(2, int(os.environ.get('DOMAINSEC_EXAMPLE_RUNS', '2'))))


def recap_changed(output):
    found = re.findall(r'^localhost\s*: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0', output, re.M)
    assert len(found) == 1, 'no PLAY RECAP with failed=0 for localhost'
    return int(found[0])


@pytest.mark.second_core_only
@pytest.mark.parametrize('name', module_names())
def test_examples_run(name, emulators, tmp_path):
    """The prelude and the examples run as one play, twice (see the module's docstring for when once): failed=0, no
    secret, the second run changes nothing but the prelude and the listed exceptions."""
    examples = load_examples(name)
    prelude = PRELUDE.get(name, [])
    assert all(t['name'].startswith('prelude: ') for t in prelude)
    tasks = prelude + examples
    task_names = [t['name'] for t in flatten(tasks)]

    for vendor in emulators.harness.emulators:
        emulators.reset(vendor)
    for vendor, config in EMULATOR_CONFIG.get(name, {}).items():
        emulators.configure(vendor, **config)

    files = tmp_path / 'project' / 'files'
    files.mkdir(parents=True)
    for filename, (common_name, sans) in CSR_FILES.get(name, {}).items():
        write_csr(files / filename, common_name, sans)
    extra_vars = dict((var, emulators.env[env]) for var, env in VAULT_VARS.items())
    extra_vars.update((var, emulators.env[env]) for var, env in ACCOUNT_VARS.items())
    extra_vars['vault_hardenize_tsig_key'] = TSIG_KEY
    for var, relative in PATH_VARS.items():
        extra_vars[var] = str(tmp_path / 'root' / relative)
        os.makedirs(extra_vars[var])
    for relative in PATH_SUBDIRS:
        os.makedirs(str(tmp_path / 'root' / relative), exist_ok=True)

    playbook = tmp_path / 'project' / 'examples.yml'
    play = {'name': 'EXAMPLES of %s.%s' % (COLLECTION, name), 'hosts': 'localhost', 'gather_facts': False,
            'tasks': tasks}
    playbook.write_text(yaml.safe_dump([play], sort_keys=False, allow_unicode=True), encoding='utf-8')
    vars_file = tmp_path / 'vars.yml'

    if name in SETUP:
        SETUP[name](emulators, extra_vars)
    vars_file.write_text(yaml.safe_dump(extra_vars), encoding='utf-8')

    outputs, changed = [], []  # each run's output, and the tasks that changed in it
    prelude_names = set(t['name'] for t in flatten(prelude))
    for run in range(1, most_runs() + 1):
        result = run_playbook(str(playbook), extra_args=['-v', '-e', '@%s' % vars_file])
        (tmp_path / ('run%d.txt' % run)).write_text(result.stdout, encoding='utf-8')
        if result.returncode != 0:
            why = failure_excerpt(result.stdout)
            sys.stdout.write('== failed tasks ==\n%s\n== end of the output ==\n%s' % (why, result.stdout[-20000:]))
            pytest.fail('examples of %s failed on run %d (rc=%d), output in %s; failed tasks:\n%s'
                        % (name, run, result.returncode, tmp_path, why))
        if name in AFTER_RUN:
            AFTER_RUN[name](emulators, extra_vars)
        outputs.append(result.stdout)
        changed.append(changed_tasks(result.stdout, task_names, run == 2))
        if run == 1 and not [n for n in changed[0] if n not in prelude_names]:
            break  # no example task changed anything (an info module's reads): a second run would show nothing more

    for output in outputs:
        assert 'failed=0' in output
        assert_no_secrets(output, emulators)
        warnings = [line for line in output.splitlines() if re.match(r'^\[(WARNING|DEPRECATION WARNING)\]', line)]
        assert not warnings, '%s: the examples print warnings: %s' % (name, warnings)
    for output, names in zip(outputs, changed):
        assert recap_changed(output) == len(names)
    if len(outputs) == 1:
        return
    again = [n for n in changed[1] if n not in prelude_names]
    expected = sorted(CHANGES_EVERY_RUN.get(name, {}))
    assert sorted(again) == expected, (
        '%s: example tasks that changed on the second run: %s; expected (CHANGES_EVERY_RUN, with the reasons): %s'
        % (name, sorted(again), CHANGES_EVERY_RUN.get(name, {})))
