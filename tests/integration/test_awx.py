# -*- coding: utf-8 -*-
"""Running the onboarding in AWX / Automation Controller (docs/awx.md).

- The credential types in ``extensions/awx/credential_types/`` are checked the way the controller checks a custom
  credential type when it is saved (the input schema, the injector schema, every template rendered with every input
  set), and against the collection: the environment variables they set are exactly those the doc fragments name
  (``E(...)``), every input that feeds a ``no_log`` option is secret, the required inputs are the required options,
  and an optional input left empty (the controller still sets its variable, to "" or to the injector's default)
  gives the module the documented default.
- ``extensions/awx/register_credential_types.yml`` passes ``--syntax-check`` with awx.awx (fetched by
  ``scripts/fetch-collections.sh``) and registers the six types with a fake controller API: each arrives as
  written in its file (templates unrendered), a second run changes nothing, ``state=absent`` removes one.
- ``extensions/awx/configure_controller.yml`` (the credential types, credentials, project, inventory, job templates,
  workflow and schedule) against the same fake controller, grown to every endpoint the awx.awx modules call: every
  object as the playbook means it, a second run without a write, no secret in the output.
- The EDA controller: the ``*_controller.yml`` rulebooks are their CLI twins with ``run_job_template``, naming job
  templates the configure playbook creates; ``extensions/eda/decision-environment.yml`` through
  ``ansible-builder create``.
- The example project in ``extensions/awx/project/``: the survey specs in ``extensions/awx/surveys/`` are valid and
  read by ``onboard.yml``, whose ``onboard_domains`` is checked for each survey's answers.
- The onboarding workflow as the controller runs it: the injectors rendered as the controller renders them at launch
  (a Jinja2 sandbox, the CA bundle written to a file in the private data directory), ``ansible_runner.run`` on a
  private data directory with ``env/envvars``, ``env/extravars``, ``inventory/hosts`` and the project
  (``onboard.yml`` imports ``domainsec.onboard.onboard``), with no vendor variable in the parent's environment; then
  ``audit.yml`` with the first job's ``set_stats`` artifacts. The emulators get the writes and the audit, and no
  secret is in the jobs' output (``stdout``, ``job_events``) or any other artifact, except the environment
  ansible-runner records in ``artifacts/<ident>/command`` (see ``test_onboard_then_audit_workflow``).
- The execution environment: ``meta/execution-environment.yml``, an ``ansible-builder create`` context for an EE with
  the collection's tarball, the context's galaxy step run locally, and ``ansible-builder introspect`` on the result
  reporting the collection's Python requirements.
"""

import ast
import glob
import importlib
import inspect
import json
import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import types
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from jinja2 import StrictUndefined, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from secret_grep import leaked_forms
from test_targets import ROOT, ansible_bin, failure_excerpt, known_secrets, run_playbook
from ansible_collections.domainsec.onboard.plugins.module_utils import http_transport, locks
from ansible_collections.domainsec.onboard.plugins.module_utils.vendor_client import VendorClient

AWX_DIR = os.path.join(ROOT, 'extensions', 'awx')
DOC = os.path.join(ROOT, 'docs', 'awx.md')
EDA_DOC = os.path.join(ROOT, 'docs', 'eda.md')
TYPES_DIR = os.path.join(AWX_DIR, 'credential_types')
REGISTER_PLAYBOOK = os.path.join(AWX_DIR, 'register_credential_types.yml')
CONFIGURE_PLAYBOOK = os.path.join(AWX_DIR, 'configure_controller.yml')
CONFIGURE_EXAMPLE = os.path.join(AWX_DIR, 'configure_controller.example.yml')
FRAGMENTS_DIR = os.path.join(ROOT, 'plugins', 'doc_fragments')
MODULE_UTILS_DIR = os.path.join(ROOT, 'plugins', 'module_utils')
FETCH_SCRIPT = os.path.join(ROOT, 'scripts', 'fetch-collections.sh')
COLLECTIONS = os.path.join(ROOT, 'build', 'collections')
AWX_COLLECTIONS = os.path.join(ROOT, 'build', 'collections-awx')
AWX_COLLECTION = os.path.join(AWX_COLLECTIONS, 'ansible_collections', 'awx', 'awx')

PROJECT_DIR = os.path.join(AWX_DIR, 'project')
SURVEYS_DIR = os.path.join(AWX_DIR, 'surveys')
EDA_DIR = os.path.join(ROOT, 'extensions', 'eda')
RULEBOOKS_DIR = os.path.join(EDA_DIR, 'rulebooks')
DECISION_ENVIRONMENT = os.path.join(EDA_DIR, 'decision-environment.yml')
TYPE_FILES = sorted(glob.glob(os.path.join(TYPES_DIR, '*.yml')))
# The doc fragment whose options a credential type feeds: the vendor's own, named like the file; the CA bundle feeds
# the transport's ca_path.
FRAGMENT_OF = {'domainsec_ca': 'transport', 'domainsec_locks': 'locks'}

# What the controller accepts in a custom credential type (awx/main/fields.py: CredentialTypeInputField and
# CredentialTypeInjectorField; the env blocklist of awx_plugins.interfaces injectors).
FIELD_KEYS = {'id', 'label', 'type', 'format', 'choices', 'help_text', 'multiline', 'secret', 'ask_at_runtime', 'default'}
NAME_RE = re.compile(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$')
FILE_KEY_RE = re.compile(r'^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$')
ENV_BLOCKLIST = frozenset((
    'VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID', 'INVENTORY_UPDATE_ID',
    'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES', 'CALLBACK_QUEUE', 'CALLBACK_CONNECTION',
    'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS', 'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH',
))
SECRET_LOOKING = re.compile(r'pass|key|token|secret', re.I)
# What a survey question may hold, and its types (the controller's survey spec).
SURVEY_KEYS = {'question_name', 'question_description', 'variable', 'type', 'required', 'min', 'max', 'default', 'choices',
               'new_question'}
SURVEY_TYPES = ('text', 'textarea', 'password', 'integer', 'float', 'multiplechoice', 'multiselect')

# The domain of test_onboard_then_audit_workflow: the minimal domain entry of docs/awx.md.
RUNNER_DOMAIN = {'name': 'runner.example', 'records': [{'type': 'A', 'name': '', 'value': '192.0.2.7'}], 'monitoring': True}


# ---------------------------------------------------------------------------------------------------- helpers
def load_type(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def type_name(path):
    return os.path.splitext(os.path.basename(path))[0]


def fragment_options(name):
    """The options of plugins/doc_fragments/<name>.py (its DOCUMENTATION, read with ast)."""
    with open(os.path.join(FRAGMENTS_DIR, name + '.py')) as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, 'id', None) == 'DOCUMENTATION' for t in node.targets):
            return (yaml.safe_load(node.value.value) or {}).get('options') or {}
    return {}  # a fragment of attributes only (attributes.py)


def documented_env(name):
    """{env var: (option name, option)} of the options of a doc fragment that name an E(...) variable."""
    found = {}
    for option_name, option in fragment_options(name).items():
        description = option.get('description') or []
        for line in [description] if isinstance(description, str) else description:
            for variable in re.findall(r'E\(([A-Z][A-Z0-9_]*)\)', line):
                found[variable] = (option_name, option)
    return found


def fragments_with_env():
    """The doc fragments that name an environment variable: each needs a credential type."""
    names = sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(FRAGMENTS_DIR, '*.py')))
    return [n for n in names if not n.startswith('__') and documented_env(n)]


def documented_prefixes():
    """SECURITYSPACE_, HARDENIZE_, ...: the prefixes of every variable the doc fragments name."""
    return tuple(sorted({v.split('_', 1)[0] + '_' for f in fragments_with_env() for v in documented_env(f)}))


def vendor_clients():
    """{doc fragment name: VendorClient subclass} from plugins/module_utils (each client names its fragment)."""
    clients = {}
    for path in sorted(glob.glob(os.path.join(MODULE_UTILS_DIR, '*.py'))):
        module = importlib.import_module('ansible_collections.domainsec.onboard.plugins.module_utils.'
                                         + os.path.splitext(os.path.basename(path))[0])
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, VendorClient) and value is not VendorClient and value.DOC_FRAGMENT:
                clients[value.DOC_FRAGMENT.rsplit('.', 1)[-1]] = value
    return clients


def option_spec(fragment, option):
    """The argument spec of a fragment's option, as the modules build it."""
    if fragment == 'transport':
        return http_transport.transport_argument_spec()[option]
    if fragment == 'locks':
        return locks.lock_argument_spec()[option]
    return vendor_clients()[fragment].OPTIONS[option]


def template_inputs(template):
    return meta.find_undeclared_variables(ImmutableSandboxedEnvironment().parse(template))


def env_inputs(definition):
    """{env var: the one input its template renders} ('tower' stands for the file injector)."""
    found = {}
    for variable, template in definition['injectors'].get('env', {}).items():
        names = template_inputs(template)
        assert len(names) == 1, '%s renders %s: one input per variable' % (variable, sorted(names))
        found[variable] = names.pop()
    return found


def render_injectors(definition, inputs, private_data_dir):
    """Render a credential type's injectors as the controller does when a job starts (awx_plugins.interfaces
    injectors.inject_credential): inputs with an empty value are left out of the namespace, each file template is
    rendered into a new file in <private_data_dir>/env (mode 0600) and its path is ``tower.filename``, and every env
    template is rendered with Jinja2's ImmutableSandboxedEnvironment (default Undefined, so a missing input renders
    as ""): every env injector sets its variable. Returns the environment."""
    sandbox = ImmutableSandboxedEnvironment()
    tower = types.SimpleNamespace(filename=None)
    namespace = {'tower': tower}
    for field in definition['inputs']['fields']:
        value = inputs.get(field['id'])
        if isinstance(value, bool) or value:
            namespace[field['id']] = value
    single, files = None, {}
    for label, template in definition['injectors'].get('file', {}).items():
        data = sandbox.from_string(template).render(**namespace)
        handle, path = tempfile.mkstemp(dir=os.path.join(private_data_dir, 'env'))
        with os.fdopen(handle, 'w') as out:
            out.write(data)
        os.chmod(path, 0o600)
        if '.' in label:
            files[label.split('.', 1)[1]] = path
        else:
            single = path
    tower.filename = single or types.SimpleNamespace(**files)
    env = {}
    for variable, template in definition['injectors'].get('env', {}).items():
        if variable not in ENV_BLOCKLIST:
            env[variable] = sandbox.from_string(template).render(**namespace)
    return env


def inputs_from_env(definition, env):
    """The inputs of a credential of this type holding what ``env`` (the emulators' variables) holds: each input
    takes the value of the variable that injects it; the file injector's input takes the content of the file."""
    inputs = {}
    for variable, name in env_inputs(definition).items():
        if name == 'tower':
            with open(env[variable]) as handle:
                content = handle.read()
            for template in definition['injectors']['file'].values():
                for file_input in template_inputs(template):
                    inputs[file_input] = content
        else:
            inputs[name] = env[variable]
    return inputs


def secret_values(definition, inputs):
    secret = {f['id'] for f in definition['inputs']['fields'] if f.get('secret')}
    return {value for name, value in inputs.items() if name in secret and value}


@pytest.fixture(scope='module')
def awx_collection():
    """awx.awx in build/collections-awx, fetched by scripts/fetch-collections.sh (idempotent). A failed fetch fails
    the tests that need it: they are never skipped."""
    result = subprocess.run(['bash', FETCH_SCRIPT, 'awx.awx'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, timeout=600, check=False)
    assert result.returncode == 0, 'scripts/fetch-collections.sh could not fetch awx.awx (rc=%d): %s' % (
        result.returncode, result.stdout.strip()[-600:])
    assert os.path.isfile(os.path.join(AWX_COLLECTION, 'plugins', 'modules', 'credential_type.py'))
    return AWX_COLLECTIONS


def awx_env(extra=None):
    env = {'ANSIBLE_COLLECTIONS_PATH': os.pathsep.join((COLLECTIONS, AWX_COLLECTIONS))}
    env.update(extra or {})
    return env


# ---------------------------------------------------------------------------------------------------- credential types
def test_one_credential_type_per_documented_fragment():
    """A file per vendor fragment (and the CA), the names unique: nothing to add, nothing left over."""
    assert TYPE_FILES, 'no credential types in %s' % TYPES_DIR
    fragments = {FRAGMENT_OF.get(type_name(p), type_name(p)) for p in TYPE_FILES}
    assert fragments == set(fragments_with_env())
    names = [load_type(p)['name'] for p in TYPE_FILES]
    assert len(set(names)) == len(names), names


@pytest.mark.parametrize('path', TYPE_FILES, ids=type_name)
def test_credential_type_is_valid_for_the_controller(path):
    """What the controller checks when the type is saved: the input schema, unique ids, the injector schema, no
    ANSIBLE_* or reserved variable, and every template renders with every input set (StrictUndefined)."""
    definition = load_type(path)
    assert set(definition) == {'name', 'description', 'kind', 'inputs', 'injectors'}
    assert definition['kind'] == 'cloud'
    assert definition['name'].strip() and definition['description'].strip()
    assert set(definition['inputs']) == {'fields', 'required'}
    ids = []
    for field in definition['inputs']['fields']:
        assert set(field) <= FIELD_KEYS, field
        assert NAME_RE.match(field['id']) and field['id'] != 'tower', field['id']
        assert field['type'] == 'string', field
        assert field['label'].strip() and field['help_text'].strip(), field
        assert isinstance(field.get('secret', False), bool) and isinstance(field.get('multiline', False), bool)
        ids.append(field['id'])
    assert len(ids) == len(set(ids)), 'input ids not unique: %s' % ids
    assert definition['inputs']['required'] and set(definition['inputs']['required']) <= set(ids)

    injectors = definition['injectors']
    assert set(injectors) <= {'env', 'file', 'extra_vars'} and injectors.get('env')
    for key in injectors.get('file', {}):
        assert FILE_KEY_RE.match(key), key
    file_keys = list(injectors.get('file', {}))
    assert 'template' not in file_keys or len(file_keys) == 1, 'single and multi-file syntax mixed'
    for variable, template in injectors['env'].items():
        assert NAME_RE.match(variable) and not variable.startswith('ANSIBLE_') and variable not in ENV_BLOCKLIST
        assert isinstance(template, str) and template.isascii(), variable

    namespace = dict((name, 'EXAMPLE') for name in ids)
    namespace['tower'] = types.SimpleNamespace(filename='EXAMPLE_FILENAME' if 'template' in file_keys else None)
    strict = ImmutableSandboxedEnvironment(undefined=StrictUndefined)
    for section in ('env', 'file', 'extra_vars'):
        for key, template in injectors.get(section, {}).items():
            assert strict.from_string(template).render(**namespace), '%s %s renders empty' % (section, key)


@pytest.mark.parametrize('path', TYPE_FILES, ids=type_name)
def test_injectors_use_declared_inputs_only(path):
    """Every template names declared inputs only (``tower`` only with a file injector), and every input is used."""
    definition = load_type(path)
    ids = {f['id'] for f in definition['inputs']['fields']}
    injectors = definition['injectors']
    used = set()
    for section in ('env', 'file', 'extra_vars'):
        for key, template in injectors.get(section, {}).items():
            names = template_inputs(template)
            allowed = ids | ({'tower'} if section == 'env' and injectors.get('file') else set())
            assert names <= allowed, '%s %s uses undeclared %s' % (section, key, sorted(names - allowed))
            used |= names
    assert used - {'tower'} == ids, 'inputs that inject nothing: %s' % sorted(ids - used)


@pytest.mark.parametrize('path', TYPE_FILES, ids=type_name)
def test_env_matches_the_documented_options(path):
    """The variables set are exactly those of the fragment; each comes from the input named like the option; the
    inputs that feed a no_log option (or look like a password, key or token) are secret; the required inputs are
    the required options."""
    definition = load_type(path)
    fragment = FRAGMENT_OF.get(type_name(path), type_name(path))
    documented = documented_env(fragment)
    sources = env_inputs(definition)
    assert set(sources) == set(documented)
    fields = dict((f['id'], f) for f in definition['inputs']['fields'])
    for field_id, field in fields.items():
        if SECRET_LOOKING.search(field_id):
            assert field.get('secret') is True, '%s looks secret but is not secret: true' % field_id
    required = set()
    for variable, source in sources.items():
        option_name, option = documented[variable]
        spec = option_spec(fragment, option_name)
        assert variable in spec['fallback'][1], '%s is not the fallback of %s' % (variable, option_name)
        if source == 'tower':  # the CA bundle: the file holds the input, the variable its path
            assert fragment == 'transport' and option_name == 'ca_path'
            required |= set(definition['inputs']['required'])
            continue
        assert source == option_name, '%s comes from input %s, the option is %s' % (variable, source, option_name)
        assert fields[source].get('secret', False) is bool(spec.get('no_log')), source
        # The lock directory's type exists only to set it: its one input is required, though the option is not.
        if option.get('required') or fragment == 'locks':
            required.add(source)
    assert set(definition['inputs']['required']) == required
    for field_id in set(fields) - required:
        assert 'empty' in fields[field_id]['help_text'].lower(), '%s: say what an empty value means' % field_id


def documented_default_url(fragment, documented):
    """The base URL a vendor's modules use when api_url is not set."""
    for option_name, option in documented.values():
        if option_name == 'api_url':
            if 'default' in option:
                return option['default']
    # CyberSSL documents no default: "if neither is set, sandbox picks the URL" (sandbox=false: the live API).
    module = importlib.import_module('ansible_collections.domainsec.onboard.plugins.module_utils.' + fragment)
    return module.LIVE_URL


@pytest.mark.parametrize('path', [p for p in TYPE_FILES if type_name(p) not in FRAGMENT_OF], ids=type_name)
def test_optional_inputs_left_empty_give_the_module_defaults(path, tmp_path, monkeypatch):
    """With only the required inputs the controller still sets every variable; the modules, reading exactly that
    environment, end up with the documented default URL (or CyberSSL's live URL) and no MAC key."""
    definition = load_type(path)
    fragment = type_name(path)
    client_class = vendor_clients()[fragment]
    documented = documented_env(fragment)
    (tmp_path / 'env').mkdir()
    inputs = dict((name, 'user@example.com' if name == 'email' else 'value-of-' + name)
                  for name in definition['inputs']['required'])
    env = render_injectors(definition, inputs, str(tmp_path))
    assert set(env) == set(documented)
    prefixes = documented_prefixes()
    for variable in list(os.environ):
        if variable.startswith(prefixes):
            monkeypatch.delenv(variable)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    result = ArgumentSpecValidator(client_class.argument_spec()).validate({})
    assert not result.error_messages, result.error_messages
    params = result.validated_parameters
    for variable, (option_name, option) in documented.items():
        if option_name in inputs:
            assert params[option_name] == inputs[option_name], variable
        elif 'default' in option:
            assert env[variable] == option['default'] and params[option_name] == option['default'], variable
        else:
            assert env[variable] == '', variable
    client = client_class.from_params(params)  # refuses a URL that is not https://; sends nothing
    try:
        expected = documented_default_url(fragment, documented)
        assert client_class.base_url(params) == expected
        mac_key = getattr(client.http.auth, 'mac_key', None)
        assert mac_key is None
    finally:
        client.close()


# ---------------------------------------------------------------------------------------------------- registration
def test_register_playbook_syntax(awx_collection):
    result = run_playbook(REGISTER_PLAYBOOK, extra_args=['--syntax-check'], env=awx_env())
    assert result.returncode == 0, result.stdout


class FakeController(object):
    """Enough of the controller's API v2 (AWX 24, the version of the awx.awx in build/collections-awx) for the awx.awx
    modules of extensions/awx/, modelled on what those modules send and read (plugins/module_utils/controller_api.py):

    - lists answer the filters the modules send (``name``, ``organization``, ``credential_type``, ``inventory``,
      ``type``, ``identifier``, ``workflow_job_template``, ``unified_job_template``, ``or__id``/``or__name``) as
      ``{count, next, previous, results}``; ``unified_job_templates`` lists the job templates, workflows and projects,
      which share one id space as in the controller;
    - an object comes back as the API serializes it: ``url``, ``related`` (the sublists the modules follow),
      ``summary_fields``, the API's defaults for fields not given, and a credential's secret inputs as ``$encrypted$``
      (an empty secret input is dropped, as the controller's encrypt_field drops it);
    - writes are checked as the API checks them, with its messages: references exist, names are unique where the
      API makes them unique, a credential's inputs are its type's fields with the required ones given, a job
      template's playbook is one of its project's, a survey spec is valid, a job template takes one credential per
      credential type, workflow nodes link within their workflow and without a cycle, an rrule has DTSTART and RRULE;
    - creating a project (or changing where it syncs from) starts a project update, which succeeds at once.

    Every request is kept (method, path, body, Authorization header)."""

    TYPES = {'organizations': 'organization', 'credential_types': 'credential_type', 'credentials': 'credential',
             'projects': 'project', 'project_updates': 'project_update', 'inventories': 'inventory', 'hosts': 'host',
             'job_templates': 'job_template', 'workflow_job_templates': 'workflow_job_template',
             'workflow_job_template_nodes': 'workflow_job_template_node', 'schedules': 'schedule'}
    # What the API answers for a field a create does not give.
    DEFAULTS = {
        'credentials': {'description': '', 'organization': None, 'inputs': {}, 'managed': False},
        'projects': {'description': '', 'scm_type': '', 'scm_url': '', 'scm_branch': '', 'scm_revision': '',
                     'credential': None, 'default_environment': None, 'scm_update_on_launch': False},
        'inventories': {'description': '', 'kind': '', 'host_filter': None, 'variables': ''},
        'hosts': {'description': '', 'enabled': True, 'variables': ''},
        'job_templates': {'description': '', 'job_type': 'run', 'inventory': None, 'execution_environment': None,
                          'extra_vars': '', 'survey_enabled': False, 'ask_variables_on_launch': False,
                          'ask_inventory_on_launch': False, 'allow_simultaneous': False, 'job_slice_count': 1},
        'workflow_job_templates': {'description': '', 'extra_vars': '', 'survey_enabled': False, 'inventory': None,
                                   'ask_variables_on_launch': False, 'allow_simultaneous': False},
        'workflow_job_template_nodes': {'extra_data': {}, 'all_parents_must_converge': False},
        'schedules': {'description': '', 'enabled': True, 'extra_data': {}},
    }
    RELATED = {'job_templates': ('survey_spec', 'credentials', 'launch'),
               'workflow_job_templates': ('survey_spec', 'workflow_nodes', 'launch'),
               'workflow_job_template_nodes': ('success_nodes', 'failure_nodes', 'always_nodes'),
               'projects': ('update', 'project_updates')}
    # The sublists a POST of {id} associates (or with "disassociate", removes), and what they hold.
    SUBLISTS = {('job_templates', 'credentials'): 'credentials',
                ('workflow_job_template_nodes', 'success_nodes'): 'workflow_job_template_nodes',
                ('workflow_job_template_nodes', 'failure_nodes'): 'workflow_job_template_nodes',
                ('workflow_job_template_nodes', 'always_nodes'): 'workflow_job_template_nodes'}
    SURVEY_TYPES = ('text', 'textarea', 'password', 'integer', 'float', 'multiplechoice', 'multiselect')
    RRULE = re.compile(r'^DTSTART(;TZID=[A-Za-z_/+-]+)?:\d{8}T\d{6}Z? RRULE:(?=.*\bFREQ=(MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)\b)'
                       r'[A-Z]+=[^;\s]+(;[A-Z]+=[^;\s]+)*$')

    def __init__(self, token, playbooks=()):
        self.token = token
        self.playbooks = list(playbooks)  # what every project's sync finds (the controller lists them per project)
        self.objects = dict((endpoint, {}) for endpoint in self.TYPES)
        self.secrets = {}   # credential id: the inputs as written (the API shows the secret ones as $encrypted$)
        self.surveys = {}   # (endpoint, id): survey spec
        self.links = {}     # (endpoint, id, sublist): [ids]
        self.requests = []
        self.next_id = 100
        self.lock = threading.Lock()
        self.objects['organizations'][1] = {'id': 1, 'type': 'organization', 'url': '/api/v2/organizations/1/',
                                            'name': 'Default', 'related': {}, 'summary_fields': {}}
        controller = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # pylint: disable=arguments-differ
                pass

            def _dispatch(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                status, answer = controller.handle(self.command, self.path, body, self.headers.get('Authorization'))
                data = json.dumps(answer).encode() if answer is not None else b''
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _dispatch

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def types(self):
        return self.objects['credential_types']

    # ------------------------------------------------------------------------------------------------ the API
    def handle(self, method, path, body, authorization):
        with self.lock:
            self.requests.append((method, path, body, authorization))
            if authorization != 'Bearer ' + self.token:
                return 401, {'detail': 'Authentication credentials were not provided.'}
            url = urlsplit(path)
            match = re.match(r'^/api/v2/([a-z_]+)/(?:(\d+)/(?:([a-z_]+)/)?)?$', url.path)
            if not match or (match.group(1) not in self.objects and match.group(1) != 'unified_job_templates'):
                return 404, {'detail': 'Not found.'}
            endpoint, number, sub = match.group(1), match.group(2), match.group(3)
            if number is None:
                if method == 'GET':
                    return 200, self.page(self.listing(endpoint), parse_qs(url.query))
                if method == 'POST' and (endpoint in self.DEFAULTS or endpoint == 'credential_types'):
                    return self.create(endpoint, body or {})
                return 405, {'detail': 'Method "%s" not allowed.' % method}
            item = self.objects.get(endpoint, {}).get(int(number))
            if item is None:
                return 404, {'detail': 'Not found.'}
            if sub is None:
                return self.detail(method, endpoint, item, body or {})
            if sub == 'survey_spec' and endpoint in ('job_templates', 'workflow_job_templates'):
                return self.survey(method, endpoint, item, body)
            if (endpoint, sub) in self.SUBLISTS:
                return self.sublist(method, endpoint, item, sub, body or {})
            return 404, {'detail': 'Not found.'}

    def listing(self, endpoint):
        if endpoint != 'unified_job_templates':
            return [self.show(endpoint, item) for item in self.objects[endpoint].values()]
        return [dict((k, item[k]) for k in ('id', 'type', 'url', 'name', 'organization', 'related'))
                for source in ('job_templates', 'workflow_job_templates', 'projects')
                for item in self.objects[source].values()]

    @staticmethod
    def page(items, query):
        either = dict((k[4:], v) for k, v in query.items() if k.startswith('or__'))
        found = []
        for item in sorted(items, key=lambda i: i['id']):
            if any(str(item.get(k)) not in v for k, v in query.items() if not k.startswith('or__')):
                continue
            if either and not any(str(item.get(k)) in v for k, v in either.items()):
                continue
            found.append(item)
        return {'count': len(found), 'next': None, 'previous': None, 'results': found}

    def show(self, endpoint, item):
        """The object as the API serializes it: a credential's secret inputs as $encrypted$."""
        shown = json.loads(json.dumps(item))
        if endpoint == 'credentials':
            secret = self.secret_fields(item['credential_type'])
            shown['inputs'] = dict((k, '$encrypted$' if k in secret else v) for k, v in item['inputs'].items())
        if endpoint == 'workflow_job_template_nodes':
            for sub in self.RELATED[endpoint]:
                shown[sub] = list(self.links.get((endpoint, item['id'], sub), []))
        return shown

    def secret_fields(self, type_id):
        fields = self.objects['credential_types'][type_id]['inputs'].get('fields', [])
        return [f['id'] for f in fields if f.get('secret')]

    def create(self, endpoint, body):
        self.next_id += 1
        number = self.next_id
        url = '/api/v2/%s/%d/' % (endpoint, number)
        item = dict(self.DEFAULTS.get(endpoint, {}), **body)
        item.update(id=number, type=self.TYPES[endpoint], url=url, summary_fields={},
                    related=dict((sub, url + sub + '/') for sub in self.RELATED.get(endpoint, ())))
        errors = self.check(endpoint, item)
        if errors:
            self.next_id -= 1
            return 400, errors
        self.store(endpoint, item)
        self.objects[endpoint][number] = item
        shown = self.show(endpoint, item)
        if endpoint == 'projects' and item['scm_type']:
            shown['summary_fields']['current_update'] = self.project_update(item)
        return 201, shown

    def detail(self, method, endpoint, item, body):
        if method == 'GET':
            return 200, self.show(endpoint, item)
        if method == 'PATCH':
            changed = dict(item, **body)
            if endpoint == 'credentials' and 'inputs' in body:  # $encrypted$ keeps what was there
                changed['inputs'] = dict((k, self.secrets[item['id']].get(k) if v == '$encrypted$' else v)
                                         for k, v in body['inputs'].items())
            errors = self.check(endpoint, changed)
            if errors:
                return 400, errors
            self.store(endpoint, changed)
            item.clear()
            item.update(changed)
            shown = self.show(endpoint, item)
            if endpoint == 'projects' and item['scm_type'] and set(body) & {'scm_type', 'scm_url', 'scm_branch'}:
                shown['summary_fields']['current_update'] = self.project_update(item)
            return 200, shown
        if method == 'DELETE':
            del self.objects[endpoint][item['id']]
            return 204, None
        return 405, {'detail': 'Method "%s" not allowed.' % method}

    def store(self, endpoint, item):
        if endpoint == 'credentials':  # kept as written; an empty secret input is dropped (encrypt_field)
            secret = self.secret_fields(item['credential_type'])
            item['inputs'] = dict((k, v) for k, v in item['inputs'].items() if k not in secret or v not in ('', None))
            self.secrets[item['id']] = dict(item['inputs'])

    def project_update(self, project):
        self.next_id += 1
        update = {'id': self.next_id, 'type': 'project_update', 'url': '/api/v2/project_updates/%d/' % self.next_id,
                  'project': project['id'], 'status': 'successful', 'failed': False, 'finished': '2026-01-01T00:00:00Z',
                  'related': {}, 'summary_fields': {}}
        self.objects['project_updates'][update['id']] = update
        return {'id': update['id'], 'status': 'pending', 'failed': False}

    def find(self, endpoint, number):
        return self.objects[endpoint].get(number) if isinstance(number, int) else None

    def check(self, endpoint, item):
        """The API's refusals of a create or update (the whole object after it), or None."""
        if endpoint == 'credential_types':
            return None
        if endpoint not in ('workflow_job_template_nodes', 'project_updates') and not item.get('name'):
            return {'name': ['This field is required.']}
        same = [o for o in self.objects[endpoint].values() if o['id'] != item['id']]
        organization = item.get('organization')
        if organization is not None and not self.find('organizations', organization):
            return {'organization': ['Invalid pk "%s" - object does not exist.' % organization]}
        if endpoint == 'credentials':
            kind = self.find('credential_types', item.get('credential_type'))
            if not kind:
                return {'credential_type': ['Invalid pk "%s" - object does not exist.' % item.get('credential_type')]}
            if [o for o in same if (o['organization'], o['name'], o['credential_type'])
                    == (organization, item['name'], kind['id'])]:
                return {'__all__': ['Credential with this Organization, Name and Credential type already exists.']}
            fields = dict((f['id'], f) for f in kind['inputs'].get('fields', []))
            unknown = sorted(set(item['inputs']) - set(fields))
            if unknown:
                return {'inputs': ['Additional properties are not allowed (%s were unexpected)' % ', '.join(map(repr, unknown))]}
            for name, value in item['inputs'].items():
                if not isinstance(value, str):
                    return {'inputs': {name: ['%r is not of type \'string\'' % (value,)]}}
            missing = [r for r in kind['inputs'].get('required', []) if item['inputs'].get(r) in ('', None)]
            if missing:
                return {'inputs': dict((name, ['required for %s' % kind['name']]) for name in missing)}
        if endpoint == 'projects':
            if item['scm_type'] and not item['scm_url']:
                return {'scm_url': ['SCM URL is required.']}
            if item['credential'] is not None and not self.find('credentials', item['credential']):
                return {'credential': ['Invalid pk "%s" - object does not exist.' % item['credential']]}
        if endpoint == 'inventories' and organization is None:
            return {'organization': ['This field is required.']}
        if endpoint == 'hosts':
            if not self.find('inventories', item.get('inventory')):
                return {'inventory': ['Invalid pk "%s" - object does not exist.' % item.get('inventory')]}
            if [o for o in same if (o['inventory'], o['name']) == (item['inventory'], item['name'])]:
                return {'__all__': ['Host with this Name and Inventory already exists.']}
        if endpoint == 'job_templates':
            if not self.find('projects', item.get('project')):
                return {'project': ['This field is required.']}
            if item.get('playbook') not in self.playbooks:
                return {'playbook': ['Playbook not found for project.']}
            if item['inventory'] is None and not item['ask_inventory_on_launch']:
                return {'inventory': ["Job Template must provide 'inventory' or allow prompting for it."]}
            if item['inventory'] is not None and not self.find('inventories', item['inventory']):
                return {'inventory': ['Invalid pk "%s" - object does not exist.' % item['inventory']]}
            if not isinstance(item['job_slice_count'], int) or item['job_slice_count'] < 0:
                return {'job_slice_count': ['A valid integer is required.']}
        if endpoint in ('job_templates', 'workflow_job_templates'):
            if [o for o in same if (o.get('organization'), o['name']) == (organization, item['name'])]:
                return {'__all__': ['%s with this (name, organization) combination already exists.'
                                    % self.TYPES[endpoint].replace('_', ' ').capitalize()]}
            try:
                json.loads(item['extra_vars'] or '{}')
            except ValueError:
                return {'extra_vars': ['Cannot parse as JSON (error: %s) or YAML.' % item['extra_vars']]}
        if endpoint == 'workflow_job_template_nodes':
            if not self.find('workflow_job_templates', item.get('workflow_job_template')):
                return {'workflow_job_template': ['This field is required.']}
            templates = [t['id'] for t in self.listing('unified_job_templates')]
            if item.get('unified_job_template') not in templates:
                return {'unified_job_template': ['Invalid pk "%s" - object does not exist.' % item.get('unified_job_template')]}
            if [o for o in same if (o['workflow_job_template'], o.get('identifier'))
                    == (item['workflow_job_template'], item.get('identifier'))]:
                return {'__all__': ['Workflow job template node with this Workflow job template and Identifier already exists.']}
        if endpoint == 'schedules':
            templates = [t['id'] for t in self.listing('unified_job_templates')]
            if item.get('unified_job_template') not in templates:
                return {'unified_job_template': ['This field is required.']}
            if not self.RRULE.match(item.get('rrule') or ''):
                return {'rrule': ['Valid DTSTART and RRULE required in rrule.']}
            if [o for o in same if (o['unified_job_template'], o['name']) == (item['unified_job_template'], item['name'])]:
                return {'__all__': ['Schedule with this Unified job template and Name already exists.']}
        return None

    def survey(self, method, endpoint, item, spec):
        key = (endpoint, item['id'])
        if method == 'GET':
            return 200, self.surveys.get(key, {})
        if method == 'DELETE':
            self.surveys.pop(key, None)
            return 200, None
        if method != 'POST':
            return 405, {'detail': 'Method "%s" not allowed.' % method}
        error = self.survey_error(spec)
        if error:
            return 400, {'error': error}
        self.surveys[key] = spec
        return 200, None

    def survey_error(self, spec):
        """The checks of the API's survey_spec view, with its messages."""
        if not isinstance(spec, dict):
            return 'Survey spec must be a JSON object.'
        for key in ('name', 'description'):
            if key not in spec:
                return "'%s' missing from survey spec." % key
        if not isinstance(spec.get('spec'), list):
            return "'spec' must be a list of items."
        if not spec['spec']:
            return "'spec' doesn't contain any items."
        variables = []
        for number, question in enumerate(spec['spec']):
            if not isinstance(question, dict):
                return 'Survey question %i is not a json object.' % number
            for key in ('type', 'question_name', 'variable', 'required'):
                if key not in question:
                    return "'%s' missing from survey question %i." % (key, number)
            if question['type'] not in self.SURVEY_TYPES:
                return "'%s' in survey question %i is not one of '%s' allowed question types." % (
                    question['type'], number, ', '.join(self.SURVEY_TYPES))
            if question['variable'] in variables:
                return "'variable' '%s' duplicated in survey question %i." % (question['variable'], number)
            variables.append(question['variable'])
            if question['type'] == 'multiplechoice' and question.get('default') not in question.get('choices', '').split('\n'):
                return "Default choice must be answered from the choices listed in survey question %i." % number
        return None

    def sublist(self, method, endpoint, item, sub, body):
        key = (endpoint, item['id'], sub)
        target = self.SUBLISTS[(endpoint, sub)]
        linked = self.links.setdefault(key, [])
        if method == 'GET':
            return 200, self.page([self.show(target, self.objects[target][i]) for i in linked], {})
        if method != 'POST':
            return 405, {'detail': 'Method "%s" not allowed.' % method}
        other = self.find(target, body.get('id'))
        if other is None:
            return 400, {'msg': 'Related object not found.'}
        if body.get('disassociate'):
            if other['id'] in linked:
                linked.remove(other['id'])
            return 204, None
        if other['id'] in linked:
            return 204, None
        if target == 'credentials':
            if other['credential_type'] in [self.objects[target][i]['credential_type'] for i in linked]:
                kind = self.objects['credential_types'][other['credential_type']]['name']
                return 400, {'error': 'Cannot assign multiple %s credentials.' % kind}
        else:
            if other['workflow_job_template'] != item['workflow_job_template']:
                return 400, {'Error': 'Cannot associate nodes of different workflows.'}
            if item['id'] == other['id'] or item['id'] in self.descendants(other['id']):
                return 400, {'Error': 'Cycle detected.'}
        linked.append(other['id'])
        return 204, None

    def descendants(self, number):
        found, todo = set(), [number]
        while todo:
            current = todo.pop()
            for sub in self.RELATED['workflow_job_template_nodes']:
                for child in self.links.get(('workflow_job_template_nodes', current, sub), []):
                    if child not in found:
                        found.add(child)
                        todo.append(child)
        return found

    # ------------------------------------------------------------------------------------------------ for the tests
    def named(self, endpoint, name):
        found = [o for o in self.objects[endpoint].values() if o.get('name') == name]
        assert len(found) == 1, '%s named %r: %d' % (endpoint, name, len(found))
        return found[0]

    def linked(self, endpoint, item, sub):
        target = self.SUBLISTS[(endpoint, sub)]
        return [self.objects[target][i] for i in self.links.get((endpoint, item['id'], sub), [])]

    def writes(self):
        return [(m, p) for m, p, _b, _a in self.requests if m != 'GET']

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def controller():
    """The fake controller; its projects hold the playbooks of extensions/awx/project."""
    fake = FakeController(token='controller-token-7c1e', playbooks=sorted(
        os.path.basename(p) for p in glob.glob(os.path.join(PROJECT_DIR, '*.yml'))))
    yield fake
    fake.close()


def test_register_playbook_registers_the_files_unrendered(awx_collection, controller, tmp_path):
    """Each type reaches the controller as written in its file (the injector templates unrendered); a second run
    sets back only what was changed in the controller; state=absent for one file removes that type only. The token
    never shows."""
    env = awx_env({'CONTROLLER_HOST': controller.url, 'CONTROLLER_OAUTH_TOKEN': controller.token,
                   'HOME': str(tmp_path)})  # no ~/.tower_cli.cfg of the machine
    definitions = [load_type(p) for p in TYPE_FILES]

    first = run_playbook(REGISTER_PLAYBOOK, env=env)
    assert first.returncode == 0, failure_excerpt(first.stdout)
    assert first.stdout.count('changed: [localhost] => (item=') == len(TYPE_FILES) and '<< error' not in first.stdout
    assert [m for m, _p in controller.writes()] == ['POST'] * len(TYPE_FILES)
    stored = sorted(controller.types.values(), key=lambda t: t['name'])
    for definition, item in zip(sorted(definitions, key=lambda d: d['name']), stored):
        assert dict((k, item[k]) for k in definition) == definition
        assert item['managed'] is False
    assert any('{{ tower.filename }}' in t['injectors']['env'].get('DOMAINSEC_CA_PATH', '') for t in stored)

    # Again, after someone edited one type in the controller: that one is set back, nothing else is written.
    del controller.requests[:]
    edited = stored[0]
    edited['description'] = 'edited in the UI'
    second = run_playbook(REGISTER_PLAYBOOK, env=env)
    assert second.returncode == 0, failure_excerpt(second.stdout)
    assert controller.writes() == [('PATCH', edited['url'])]
    assert second.stdout.count('changed: [localhost] => (item=') == 1
    assert dict((k, edited[k]) for k in definitions[0]) in definitions

    del controller.requests[:]
    absent = run_playbook(REGISTER_PLAYBOOK, env=env, extra_args=[
        '-e', '{"domainsec_awx_credential_types": ["securityspace"], "domainsec_awx_credential_type_state": "absent"}'])
    assert absent.returncode == 0, failure_excerpt(absent.stdout)
    assert [m for m, _p in controller.writes()] == ['DELETE']
    assert load_type(os.path.join(TYPES_DIR, 'securityspace.yml'))['name'] not in [t['name'] for t in controller.types.values()]
    assert len(controller.types) == len(TYPE_FILES) - 1

    unknown = run_playbook(REGISTER_PLAYBOOK, env=env, extra_args=['-e', '{"domainsec_awx_credential_types": ["nosuch"]}'])
    assert unknown.returncode != 0 and 'no credential type definitions selected' in unknown.stdout
    for result in (first, second, absent, unknown):
        assert controller.token not in result.stdout


# ---------------------------------------------------------------------------------------------------- everything as code
class _AnsibleYamlLoader(yaml.SafeLoader):
    """yaml.SafeLoader that reads Ansible's !unsafe tag as the plain string it tags."""


_AnsibleYamlLoader.add_constructor('!unsafe', lambda loader, node: loader.construct_scalar(node))


def configure_defaults():
    """The play variables of configure_controller.yml's own play: every name and setting with its default."""
    with open(CONFIGURE_PLAYBOOK) as handle:
        plays = yaml.load(handle, Loader=_AnsibleYamlLoader)  # nosec B506 - SafeLoader plus one tag
    assert plays[0]['ansible.builtin.import_playbook'] == 'register_credential_types.yml'
    return plays[1]['vars']


def render(template, variables):
    """A template of the playbooks or rulebooks rendered with plain Jinja2 (names, defaults: no Ansible filter)."""
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined).from_string(template).render(**variables)


def configured_job_templates():
    """{name: entry} of configure_controller.yml's job templates, the names rendered with its defaults."""
    defaults = configure_defaults()
    return dict((render(t['name'], defaults), t) for t in defaults['domainsec_awx_job_templates'])


# The credential types whose modules each job template's playbook calls, and the CA bundle (every module takes it)
# and the lock directory (the modules that keep locks: cyberssl_order, ssdns_record, virusdie_site).
JOB_TEMPLATE_VENDORS = {
    'onboard.yml': {'securityspace', 'hardenize', 'cyberssl', 'virusdie', 'sigsci', 'domainsec_ca', 'domainsec_locks'},
    'offboard.yml': {'securityspace', 'hardenize', 'virusdie', 'sigsci', 'domainsec_ca', 'domainsec_locks'},
    'renew.yml': {'securityspace', 'cyberssl', 'domainsec_ca', 'domainsec_locks'},
    'audit.yml': {'securityspace', 'domainsec_ca'},
    'eda_certificate_issued.yml': {'cyberssl', 'domainsec_ca'},
    'eda_host_discovered.yml': {'hardenize', 'domainsec_ca'},
}


@pytest.mark.main_core_only  # awx.awx against the fake controller: the register test runs awx.awx on the second core
def test_configure_playbook_creates_everything_once(awx_collection, controller, tmp_path):
    """configure_controller.yml with the example variables file and a secrets file (as a vault would hold them),
    against the fake controller: the credential types, a credential per entry of the example (inputs as given, the
    secret ones never shown), the git project, the inventory with localhost, the six job templates (playbook,
    inventory, the credentials of the vendors their playbooks call, the survey files, extra variables, prompts), the
    workflow (its survey; onboard, then audit on success) and the daily schedule on the renewal template. A second
    run changes nothing and writes nothing. A third, for job slicing (the onboarding template on an inventory of the
    domains, job_slice_count 3, the surveys off), changes the onboarding template and the workflow only. No run shows
    a secret or the token."""
    with open(CONFIGURE_EXAMPLE) as handle:
        example = yaml.safe_load(handle)
    secrets = dict((name, 'test-%s-%s' % (name.replace('_', '-'), number))
                   for number, name in enumerate(sorted(set(re.findall(r'\bvault_[a-z_]+', json.dumps(example))))))
    secrets_file = tmp_path / 'secrets.yml'
    secrets_file.write_text(yaml.safe_dump(secrets))
    env = awx_env({'CONTROLLER_HOST': controller.url, 'CONTROLLER_OAUTH_TOKEN': controller.token,
                   'HOME': str(tmp_path)})
    args = ['-e', '@' + CONFIGURE_EXAMPLE, '-e', '@%s' % secrets_file]

    first = run_playbook(CONFIGURE_PLAYBOOK, extra_args=args, env=env)
    assert first.returncode == 0, failure_excerpt(first.stdout)
    assert {m for m, _p in controller.writes()} == {'POST'}, controller.writes()
    defaults = configure_defaults()
    names = dict(defaults, **example)

    # The credentials: one per entry, of its type, the inputs as written (rendered from the secrets file).
    given = json.loads(render(json.dumps(example['domainsec_awx_credential_inputs']), secrets))
    credentials = {}
    for key, inputs in given.items():
        credential = controller.named('credentials', names['domainsec_awx_credential_names'][key])
        kind = controller.types[credential['credential_type']]
        assert kind['name'] == load_type(os.path.join(TYPES_DIR, key + '.yml'))['name']
        assert credential['organization'] == 1
        assert controller.secrets[credential['id']] == inputs
        credentials[credential['id']] = key
    assert len(controller.objects['credentials']) == len(given)
    assert len(controller.types) == len(TYPE_FILES)

    project = controller.named('projects', names['domainsec_awx_project_name'])
    assert (project['scm_type'], project['scm_url'], project['scm_branch'], project['organization']) == (
        'git', example['domainsec_awx_project_scm_url'], example['domainsec_awx_project_scm_branch'], 1)
    inventory = controller.named('inventories', names['domainsec_awx_inventory_name'])
    host = controller.named('hosts', 'localhost')
    assert host['inventory'] == inventory['id'] and json.loads(host['variables']) == {
        'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'}

    # The job templates: the playbooks of the project, each with the credentials of its vendors.
    templates = {}
    for name, entry in configured_job_templates().items():
        template = controller.named('job_templates', name)
        templates[entry['playbook']] = template
        assert (template['project'], template['inventory'], template['organization']) == (project['id'], inventory['id'], 1)
        attached = [credentials[c['id']] for c in controller.linked('job_templates', template, 'credentials')]
        assert set(attached) == JOB_TEMPLATE_VENDORS[template['playbook']] & set(given), (name, attached)
        assert template['ask_variables_on_launch'] is template['playbook'].startswith('eda_'), name
        assert template['job_slice_count'] == 1, name
    assert sorted(templates) == sorted(JOB_TEMPLATE_VENDORS)
    survey_of = {'onboard.yml': 'onboard_domains.json', 'offboard.yml': 'offboard_domains.json'}
    for playbook, template in templates.items():
        spec = controller.surveys.get(('job_templates', template['id']))
        assert template['survey_enabled'] is (playbook in survey_of)
        if playbook in survey_of:
            with open(os.path.join(SURVEYS_DIR, survey_of[playbook])) as handle:
                assert spec == json.load(handle), playbook
        else:
            assert spec is None, playbook
    assert json.loads(templates['onboard.yml']['extra_vars']) == example['domainsec_awx_onboard_extra_vars']
    assert json.loads(templates['renew.yml']['extra_vars']) == example['domainsec_awx_renew_extra_vars']

    # The workflow: its survey; onboard, then audit on success only.
    workflow = controller.named('workflow_job_templates', names['domainsec_awx_workflow_name'])
    with open(os.path.join(SURVEYS_DIR, 'onboard_domains.json')) as handle:
        assert controller.surveys[('workflow_job_templates', workflow['id'])] == json.load(handle)
    assert workflow['survey_enabled'] is True
    nodes = dict((n['identifier'], n) for n in controller.objects['workflow_job_template_nodes'].values())
    assert sorted(nodes) == ['audit', 'onboard'] and {n['workflow_job_template'] for n in nodes.values()} == {workflow['id']}
    assert nodes['onboard']['unified_job_template'] == templates['onboard.yml']['id']
    assert nodes['audit']['unified_job_template'] == templates['audit.yml']['id']
    edges = dict(((identifier, sub), [n['identifier'] for n in controller.linked('workflow_job_template_nodes', node, sub)])
                 for identifier, node in nodes.items() for sub in ('success_nodes', 'failure_nodes', 'always_nodes'))
    assert dict((k, v) for k, v in edges.items() if v) == {('onboard', 'success_nodes'): ['audit']}

    schedule = controller.named('schedules', names['domainsec_awx_renew_schedule_name'])
    assert (schedule['unified_job_template'], schedule['rrule'], schedule['enabled']) == (
        templates['renew.yml']['id'], example['domainsec_awx_renew_rrule'], True)
    assert 'FREQ=DAILY' in schedule['rrule']

    # Again, at the most verbose: nothing changes, nothing is written.
    del controller.requests[:]
    second = run_playbook(CONFIGURE_PLAYBOOK, extra_args=args + ['-vvv'], env=env)
    assert second.returncode == 0, failure_excerpt(second.stdout)
    assert controller.writes() == []
    recap = re.search(r'^localhost\s+: ok=\d+\s+changed=(\d+)', second.stdout, re.M)
    assert recap and recap.group(1) == '0', second.stdout[-2000:]

    # Job slicing: the onboarding template on an inventory of the domains (made in the controller beforehand), cut
    # into 3 jobs, both surveys off (the domains come from the inventory). Only the onboarding template and the
    # workflow change.
    _status, domains_inventory = controller.create('inventories', {'name': 'domainsec domains', 'organization': 1})
    del controller.requests[:]
    sliced = run_playbook(CONFIGURE_PLAYBOOK, extra_args=args + ['-e', json.dumps({
        'domainsec_awx_onboard_inventory': 'domainsec domains', 'domainsec_awx_onboard_slice_count': 3,
        'domainsec_awx_onboard_survey': '', 'domainsec_awx_workflow_survey': ''})], env=env)
    assert sliced.returncode == 0, failure_excerpt(sliced.stdout)
    onboard = templates['onboard.yml']
    assert (onboard['job_slice_count'], onboard['inventory'], onboard['survey_enabled']) == (3, domains_inventory['id'], False)
    assert [(t['job_slice_count'], t['inventory']) for p, t in templates.items() if p != 'onboard.yml'] == \
        [(1, inventory['id'])] * (len(templates) - 1)
    assert workflow['survey_enabled'] is False
    assert sorted({p for _m, p in controller.writes()}) == sorted([onboard['url'], workflow['url']]), controller.writes()
    for result in (first, second, sliced):
        assert not leaked_forms(result.stdout, set(secrets.values()) | {controller.token})


# ---------------------------------------------------------------------------------------------------- the project
def survey_files():
    return sorted(glob.glob(os.path.join(SURVEYS_DIR, '*.json')))


class _PlainDumper(yaml.SafeDumper):
    """yaml.SafeDumper without anchors: the controller's variables come from JSON and share no object."""

    def ignore_aliases(self, data):
        return True


class _AwxStringDumper(_PlainDumper):
    """The controller's dumper for variables it does not trust (awx.main.utils.safe_yaml, SafeStringDumper): every
    string, keys included, is written with the !unsafe tag."""

    def represent_data(self, data):
        if isinstance(data, str):
            return self.represent_scalar('!unsafe', data)
        return super(_AwxStringDumper, self).represent_data(data)


class AwxAnswer(str):
    """A string that _PlayDumper writes as the controller writes a survey answer (!unsafe), in a play's vars."""


class _PlayDumper(yaml.SafeDumper):
    pass


_PlayDumper.add_representer(AwxAnswer, lambda dumper, value: dumper.represent_scalar('!unsafe', str(value)))


def awx_extravars(untrusted, trusted=None):
    """env/extravars as the controller writes it for a job (awx.main.utils.safe_yaml.safe_dump): the job template's
    own variables (``trusted``) plainly, each other variable - survey answers, launch-time variables, a workflow's
    artifacts - with every string tagged !unsafe, its name included. ansible-core 2.19 reads ``!unsafe ''`` (an
    empty survey answer) as None."""
    trusted = trusted or {}
    merged = dict(trusted, **untrusted)
    return ''.join(yaml.dump_all([{key: value}], Dumper=_PlainDumper if key in trusted and trusted[key] == value
                                 else _AwxStringDumper, default_flow_style=False) for key, value in merged.items())


def survey_answers(name, **answers):
    """A survey's answers as a launch from the controller's UI sends them: every question answered (an empty text
    answer is ''), the questions not given here with their default."""
    with open(os.path.join(SURVEYS_DIR, name)) as handle:
        spec = json.load(handle)['spec']
    unknown = set(answers) - set(q['variable'] for q in spec)
    assert not unknown, 'not questions of %s: %s' % (name, sorted(unknown))
    return dict((q['variable'], answers.get(q['variable'], q['default'])) for q in spec)


@pytest.mark.parametrize('path', survey_files(), ids=os.path.basename)
def test_survey_spec_is_valid(path):
    """A survey spec as the controller's API takes it; every variable is one the project's wrapper reads (offboard.yml
    for the offboarding survey, onboard.yml for the others)."""
    with open(path) as handle:
        survey = json.load(handle)
    assert set(survey) == {'name', 'description', 'spec'} and survey['name'] and survey['spec']
    reader = 'offboard.yml' if os.path.basename(path).startswith('offboard') else 'onboard.yml'
    with open(os.path.join(PROJECT_DIR, reader)) as handle:
        wrapper = handle.read()
    variables = []
    for question in survey['spec']:
        assert set(question) <= SURVEY_KEYS and question['question_name'] and question['question_description']
        assert question['type'] in SURVEY_TYPES and isinstance(question['required'], bool)
        assert NAME_RE.match(question['variable']) and not question['variable'].startswith(('ansible_', 'awx_', 'tower_'))
        assert re.search(r'\b%s\b' % question['variable'], wrapper), '%s is not read by %s' % (question['variable'], reader)
        if question['type'] == 'multiplechoice':
            assert question['default'] in question['choices'].split('\n')
        if question['type'] in ('text', 'textarea'):
            assert question['default'] == '' or question['min'] <= len(question['default']) <= question['max']
        variables.append(question['variable'])
    assert len(variables) == len(set(variables))


def test_wrapper_builds_onboard_domains_from_the_surveys(tmp_path):
    """The wrapper's onboard_domains for each survey's answers as the controller writes them (strings tagged
    !unsafe; an empty answer, read as None, is left out): the surveys' defaults, the YAML and the JSON form of the
    list, the one-domain survey with and without its certificate answers, and no answer at all; evaluated by
    ansible-playbook (one play per case). An empty key directory or contact stays '', which the playbook then takes
    as not given (test_onboard_playbook.test_domain_list_checks)."""
    with open(os.path.join(PROJECT_DIR, 'onboard.yml')) as handle:
        wrapper = yaml.safe_load(handle)
    assert wrapper[0]['ansible.builtin.import_playbook'] == 'domainsec.onboard.onboard'
    expressions = wrapper[0]['vars']
    contact = {'first_name': 'Jane', 'last_name': 'Doe', 'title': 'Ops', 'phone': '+1 555 555 0100',
               'email': 'hostmaster@two.example'}
    contact_answers = dict(('survey_contact_' + key, value) for key, value in contact.items())
    record = {'type': 'A', 'name': '', 'value': '192.0.2.9'}
    cases = [
        (survey_answers('onboard_domains.json'),
         [{'name': 'example.com', 'records': [{'type': 'A', 'name': '', 'value': '192.0.2.10'}], 'monitoring': True}]),
        (survey_answers('onboard_domain.json', survey_domain='one.example'),
         [{'name': 'one.example', 'monitoring': True, 'certificate': False}]),
        (survey_answers('onboard_domain.json', survey_domain=' two.example ', survey_address='192.0.2.9 ',
                        survey_monitoring='no', survey_certificate='yes'),
         [{'name': 'two.example', 'records': [record], 'monitoring': False, 'certificate': True,
           'certificate_dir': '/var/lib/domainsec/tls', 'certificate_admin_contact': ''}]),
        (survey_answers('onboard_domain.json', survey_domain='two.example', survey_certificate='yes',
                        survey_certificate_dir='', **contact_answers),
         [{'name': 'two.example', 'monitoring': True, 'certificate': True, 'certificate_dir': '',
           'certificate_admin_contact': contact}]),
        (survey_answers('onboard_domain.json', survey_domain='two.example', survey_certificate='yes',
                        survey_contact_email='hostmaster@two.example'),
         [{'name': 'two.example', 'monitoring': True, 'certificate': True, 'certificate_dir': '/var/lib/domainsec/tls',
           'certificate_admin_contact': {'email': 'hostmaster@two.example'}}]),
        ({'survey_domains': '[{"name": "three.example", "certificate": true}, "four.example"]', 'survey_domain': 'ignored.example'},
         [{'name': 'three.example', 'certificate': True}, 'four.example']),
        ({'survey_domains': '  \n', 'survey_domain': 'five.example'},
         [{'name': 'five.example', 'monitoring': False, 'certificate': False}]),
        ({'survey_domains': '', 'survey_domain': ''}, []),
        ({}, []),
    ]
    plays = []
    for number, (answers, expected) in enumerate(cases):
        play_vars = dict(expressions, expected=expected)
        play_vars.update((variable, AwxAnswer(answer)) for variable, answer in answers.items())
        plays.append({'name': 'case %d' % number, 'hosts': 'localhost', 'gather_facts': False, 'vars': play_vars,
                      'tasks': [{'name': 'onboard_domains of case %d' % number, 'ansible.builtin.assert': {
                          'that': ['onboard_domains == expected'], 'fail_msg': '{{ onboard_domains | to_json }}'}}]})
    playbook = tmp_path / 'cases.yml'
    playbook.write_text(yaml.dump(plays, Dumper=_PlayDumper))
    assert "survey_address: !unsafe ''" in playbook.read_text()
    result = run_playbook(str(playbook))
    assert result.returncode == 0, failure_excerpt(result.stdout)
    assert result.stdout.count('All assertions passed') == len(cases)


def test_offboard_wrapper_needs_the_confirmation(tmp_path):
    """The offboarding template's wrapper (project/offboard.yml) goes on to domainsec.onboard.offboard only when the
    confirmation names exactly the domains of the list (case and order aside): its first play, run for each case on a
    host of its own with the survey's answers as the controller writes them (!unsafe), in one ansible-playbook run.
    Then the wrapper itself, answered with one domain too few: it fails in its first play, before the collection's
    playbook starts."""
    with open(os.path.join(PROJECT_DIR, 'offboard.yml')) as handle:
        wrapper = yaml.safe_load(handle)
    assert [p.get('ansible.builtin.import_playbook') for p in wrapper] == [None, 'domainsec.onboard.offboard']
    domains = "- a.example\n- name: b.example\n  delete_zone: true\n"
    listed = ['a.example', {'name': 'b.example', 'delete_zone': True}]
    cases = [  # (answers, the list to offboard, or None: refused)
        (survey_answers('offboard_domains.json', survey_offboard_domains=domains,
                        survey_offboard_confirm='b.example, A.example'), listed),
        (survey_answers('offboard_domains.json', survey_offboard_domains=domains,
                        survey_offboard_confirm='a.example b.example,'), listed),
        (survey_answers('offboard_domains.json', survey_offboard_domains=domains, survey_offboard_confirm='a.example'), None),
        (survey_answers('offboard_domains.json', survey_offboard_domains=domains,
                        survey_offboard_confirm='a.example, b.example, c.example'), None),
        (survey_answers('offboard_domains.json', survey_offboard_domains=domains), None),  # no confirmation
        (survey_answers('offboard_domains.json', survey_offboard_domains='[]', survey_offboard_confirm='a.example'), None),
        (survey_answers('offboard_domains.json', survey_offboard_domains='a.example', survey_offboard_confirm='a.example'), None),
        (survey_answers('offboard_domains.json'), None),
    ]
    plays = [{'name': 'one host per case', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'case hosts', 'ansible.builtin.add_host': {'name': 'case%d' % n, 'ansible_connection': 'local',
                                                            'ansible_python_interpreter': sys.executable}}
        for n in range(len(cases))]}]
    for number, (answers, expected) in enumerate(cases):
        play_vars = dict(wrapper[0]['vars'], expected=expected)
        play_vars.update((variable, AwxAnswer(answer)) for variable, answer in answers.items())
        plays.append({'name': 'case %d' % number, 'hosts': 'case%d' % number, 'gather_facts': False, 'vars': play_vars,
                      'tasks': [{'name': 'the wrapper', 'block': wrapper[0]['tasks'] + [
                          {'name': 'confirmed', 'ansible.builtin.set_fact': {'outcome': '{{ offboard_domains }}'}}],
                          'rescue': [{'name': 'refused', 'ansible.builtin.set_fact': {'outcome': None}}]},
                          {'name': 'outcome of case %d' % number, 'ansible.builtin.assert': {
                              'that': ['outcome == expected'], 'fail_msg': '{{ outcome | to_json }}'}}]})
    playbook = tmp_path / 'cases.yml'
    playbook.write_text(yaml.dump(plays, Dumper=_PlayDumper))
    result = run_playbook(str(playbook))
    assert result.returncode == 0, failure_excerpt(result.stdout)
    assert result.stdout.count('All assertions passed') == len(cases)

    extravars = tmp_path / 'extravars'
    extravars.write_text(awx_extravars(survey_answers('offboard_domains.json', survey_offboard_domains=domains,
                                                      survey_offboard_confirm='a.example')))
    refused = run_playbook(os.path.join(PROJECT_DIR, 'offboard.yml'), ['-e', '@%s' % extravars])
    assert refused.returncode == 2, failure_excerpt(refused.stdout)
    assert ('Nothing was offboarded: the confirmation (survey_offboard_confirm) must name exactly the domains of the '
            'list, separated by commas: a.example, b.example; it named: a.example') in refused.stdout
    assert refused.stdout.count('PLAY [') == 1, refused.stdout


# ---------------------------------------------------------------------------------------------------- jobs in ansible-runner
def write_private_data_dir(pdd, emulators, playbook, extravars, trusted=None):
    """The private data directory of a job with the seven credentials attached, the project's files in project/,
    ``extravars`` (survey answers, launch variables, artifacts) and the job template's own variables (``trusted``)
    in env/extravars as the controller writes them (awx_extravars). Returns (envvars, the secret inputs)."""
    for name in ('env', 'inventory'):
        os.makedirs(os.path.join(pdd, name))
    shutil.copytree(PROJECT_DIR, os.path.join(pdd, 'project'))
    assert os.path.isfile(os.path.join(pdd, 'project', playbook))
    envvars, secrets = {}, set()
    # The lock directory credential: a directory every job would share (a volume, in production).
    environment = dict(emulators.env, DOMAINSEC_LOCK_DIR=os.path.join(pdd, 'locks'))
    for path in TYPE_FILES:
        definition = load_type(path)
        inputs = inputs_from_env(definition, environment)
        rendered = render_injectors(definition, inputs, pdd)
        assert not set(rendered) & set(envvars), 'two credential types set %s' % sorted(set(rendered) & set(envvars))
        envvars.update(rendered)
        secrets |= secret_values(definition, inputs)
    # What the controller adds from the project's collections/requirements.yml: the collection on the path.
    envvars['ANSIBLE_COLLECTIONS_PATH'] = COLLECTIONS
    with open(os.path.join(pdd, 'env', 'envvars'), 'w') as out:
        yaml.safe_dump(envvars, out)
    with open(os.path.join(pdd, 'env', 'extravars'), 'w') as out:
        out.write(awx_extravars(extravars, trusted))
    with open(os.path.join(pdd, 'inventory', 'hosts'), 'w') as out:
        out.write('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    return envvars, secrets


def job_arguments(pdd, playbook):
    """ansible_runner's arguments as the controller runs a job (verbosity 3, the most a job template's debug level
    shows of module arguments and results)."""
    return dict(private_data_dir=pdd, playbook=playbook, ident='job', quiet=True, verbosity=3,
                cancel_callback=lambda: False, timeout=300)


def run_job(ansible_runner, pdd, playbook, envvars):
    """ansible_runner.run as the controller runs a job; returns (result, stdout, command). Fails with the failed
    tasks when the job failed."""
    return checked_job(ansible_runner.run(**job_arguments(pdd, playbook)), pdd, playbook, envvars)


def checked_job(result, pdd, playbook, envvars):
    """A finished job: (result, stdout, command), or a failure with the failed tasks when the job failed."""
    with open(os.path.join(pdd, 'artifacts', 'job', 'stdout')) as handle:
        stdout = handle.read()
    assert result.status == 'successful' and result.rc == 0, '%s failed:\n%s\n%s' % (
        playbook, failure_excerpt(stdout), stdout[-6000:])

    # The environment of the job is exactly env/envvars for every vendor variable (none from the parent process).
    with open(os.path.join(pdd, 'artifacts', 'job', 'command')) as handle:
        command = json.load(handle)
    prefixes = vendor_prefixes(envvars)
    job_env = command['env']
    assert dict((v, job_env[v]) for v in job_env if v.startswith(prefixes)) == \
        dict((v, envvars[v]) for v in envvars if v.startswith(prefixes))
    assert job_env['ANSIBLE_COLLECTIONS_PATH'] == COLLECTIONS
    assert os.path.dirname(job_env['DOMAINSEC_CA_PATH']) == os.path.join(pdd, 'env')
    return result, stdout, command


def vendor_prefixes(envvars):
    return tuple(sorted({v.split('_', 1)[0] + '_' for v in envvars if v != 'ANSIBLE_COLLECTIONS_PATH'}))


def assert_no_secret_in_artifacts(pdd, command, secrets):
    """No secret in any file under artifacts/, except ``job/command``'s env (see test_onboard_then_audit_workflow)."""
    assert not leaked_forms(json.dumps(dict(command, env=None)), secrets)
    assert [s for s in secrets if s in json.dumps(command['env'])], 'the injected secrets are not in the job env'
    artifacts = os.path.join(pdd, 'artifacts')
    scanned, leaks = 0, {}
    for directory, _dirs, files in os.walk(artifacts):
        for name in files:
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, artifacts)
            if relative == os.path.join('job', 'command'):
                continue
            scanned += 1
            with open(path, 'rb') as handle:
                text = handle.read().decode('utf-8', 'replace')
            found = leaked_forms(text, secrets)
            if found:
                leaks[relative] = found
    assert scanned > 5 and os.path.isdir(os.path.join(artifacts, 'job', 'job_events')), scanned
    assert not leaks, 'secrets in the artifacts: %s' % leaks


def job_environment(emulators, monkeypatch):
    """Nothing a vendor module reads may come from the parent process: what a job has, it has from env/envvars.
    Returns the secrets the emulators know."""
    known = known_secrets(emulators)
    prefixes = documented_prefixes()
    for variable in list(os.environ):
        if variable in emulators.env or variable.startswith(prefixes):
            monkeypatch.delenv(variable)
    # ansible-runner starts ansible-playbook from PATH (in an EE, the image's): this venv's, when pytest was started
    # without activating it.
    monkeypatch.setenv('PATH', os.path.dirname(ansible_bin('ansible-playbook')) + os.pathsep + os.environ['PATH'])
    return known


def stats_artifacts(result):
    """What the job handed on with set_stats: the controller passes it to the next workflow nodes as extra vars."""
    stats = [e for e in result.events if e.get('event') == 'playbook_on_stats']
    assert len(stats) == 1
    return stats[0]['event_data'].get('artifact_data') or {}


@pytest.mark.main_core_only  # ansible-runner is a tool of the main venv only (requirements-dev.txt)
def test_onboard_then_audit_workflow(emulators, tmp_path, monkeypatch):
    """The onboarding workflow as the controller runs it: the onboarding job (project/onboard.yml) with the domain
    list as the answer to the domains survey (onboard_domains.json, on the workflow) in env/extravars, written as
    the controller writes it (!unsafe), then the audit job (project/audit.yml) with the survey answer and the first
    job's set_stats artifacts as extra vars. Credentials come only from env/envvars, rendered from the emulators' credentials; the emulators get the
    zone, the record, the monitored host and the audit of the record's address; no secret is in either job's output.

    ansible-runner (every version) records the environment it started the playbook with in
    ``artifacts/<ident>/command`` (runner.py writes ``{"command", "cwd", "env"}``), so the injected credentials are
    there by design, as in every controller job (the controller keeps private data directories in a temporary place,
    removes them after the job, and shows the job's environment with secret inputs masked). The test checks that
    this file holds them in ``env`` only and exactly as injected, and that no other file under ``artifacts/`` holds
    any secret."""
    # pinned in requirements-dev.txt: a main venv without it is broken, so the test fails (it is never skipped)
    ansible_runner = importlib.import_module('ansible_runner')
    for vendor in emulators.harness.emulators:
        emulators.reset(vendor)
    emulators.configure('securityspace', audit_duration=0.0)  # the audit ends at once instead of after a second
    assert 'runner.example' not in emulators.state('securityspace')['domains']
    workflow_vars = dict(survey_answers('onboard_domains.json', survey_domains=yaml.safe_dump([RUNNER_DOMAIN])),
                         audit_poll_interval=1)
    known = job_environment(emulators, monkeypatch)

    try:
        onboard_pdd = str(tmp_path / 'onboard')
        envvars, secrets = write_private_data_dir(onboard_pdd, emulators, 'onboard.yml', workflow_vars)
        assert not [v for v in os.environ if v.startswith(vendor_prefixes(envvars))]
        result, stdout, command = run_job(ansible_runner, onboard_pdd, 'onboard.yml', envvars)
        zone = emulators.state('securityspace')['domains'].get('runner.example')
        assert zone, 'the zone was not created'
        assert [r['data'] for r in zone['records'] if r['type'] == 'A'] == [{'name': '', 'data': '192.0.2.7'}], zone
        assert 'runner.example' in [h['hostname'] for h in emulators.state('hardenize')['hosts']]
        assert 'runner.example' in stdout
        assert_no_secret_in_artifacts(onboard_pdd, command, secrets | known)
        handed_on = stats_artifacts(result)
        assert handed_on['onboard_summary']['onboarded'] == ['runner.example'], handed_on

        audit_pdd = str(tmp_path / 'audit')
        envvars, secrets = write_private_data_dir(audit_pdd, emulators, 'audit.yml', dict(workflow_vars, **handed_on))
        scans_before = len(emulators.state('securityspace')['scans'])
        result, stdout, command = run_job(ansible_runner, audit_pdd, 'audit.yml', envvars)
        scans = emulators.state('securityspace')['scans'][scans_before:]
        assert [s['hostip'] for s in scans] == ['192.0.2.7'], scans
        summary = stats_artifacts(result)['audit_summary']
        assert summary['domains'] == ['runner.example'] and summary['targets'] == ['192.0.2.7'] and summary['scans']
        assert set(summary['risk']) == {'high', 'medium', 'low', 'other'}
        assert_no_secret_in_artifacts(audit_pdd, command, secrets | known)
    finally:
        emulators.reset('securityspace')


@pytest.mark.main_core_only  # ansible-runner is a tool of the main venv only (requirements-dev.txt)
def test_one_domain_survey_job(emulators, tmp_path, monkeypatch):
    """The one-domain survey (onboard_domain.json) as the controller runs it: its answers as the UI sends them - the
    IPv4 address left empty, "certificate: yes" with the key directory and the contact the survey asks for - tagged
    !unsafe in env/extravars beside the job template's own variables, onboard.yml through ansible-runner. The empty
    address is no record (it was a record of 'None', refused after the zone was made); the certificate is ordered
    once, validated through the zone and issued, its key made in the answered directory (mode 0600); the summary is
    handed on with set_stats; no secret is in the job's artifacts."""
    ansible_runner = importlib.import_module('ansible_runner')
    for vendor in emulators.harness.emulators:
        emulators.reset(vendor)
    known = job_environment(emulators, monkeypatch)
    tls = tmp_path / 'tls'
    answers = survey_answers('onboard_domain.json', survey_domain='survey.example', survey_address='',
                             survey_monitoring='no', survey_certificate='yes', survey_certificate_dir=str(tls),
                             survey_contact_first_name='Jane', survey_contact_last_name='Doe', survey_contact_title='Ops',
                             survey_contact_phone='+1 555 555 0100', survey_contact_email='hostmaster@survey.example')
    pdd = str(tmp_path / 'job')
    # The job template's own variables: what its administrator saved (here only a shorter wait between looks).
    envvars, secrets = write_private_data_dir(pdd, emulators, 'onboard.yml', answers,
                                              trusted={'onboard_defaults': {'certificate_wait_interval': 1}})
    with open(os.path.join(pdd, 'env', 'extravars')) as handle:
        extravars = handle.read()
    assert "!unsafe 'survey_address': !unsafe ''" in extravars and 'certificate_wait_interval: 1' in extravars
    result, stdout, command = run_job(ansible_runner, pdd, 'onboard.yml', envvars)
    zone = emulators.state('securityspace')['domains']['survey.example']
    assert [r for r in zone['records'] if r['type'] == 'A'] == [], zone
    assert emulators.counters('cyberssl')['counts'].get('add_ssl_order') == 1
    assert emulators.counters('hardenize')['total'] == 0  # monitoring: no
    summary = stats_artifacts(result)['onboard_summary']
    assert summary['onboarded'] == ['survey.example'] and summary['failed'] == {}, summary
    certificate = summary['results']['survey.example']['certificate']
    assert certificate['status'] == 'Activated' and certificate['serial'], certificate
    assert os.stat(str(tls / 'survey.example.key')).st_mode & 0o777 == 0o600
    assert (tls / 'survey.example.fullchain.pem').read_text().startswith('-----BEGIN CERTIFICATE-----')
    assert '1 onboarded, 0 failed' in stdout
    assert_no_secret_in_artifacts(pdd, command, secrets | known)


def test_survey_answer_that_would_delete_is_refused(emulators, tmp_path):
    """The domains survey's textarea answered with state: absent (which deleted the zone, the Hardenize hosts, the
    Virusdie site and the WAF site) or purge_records: the job fails before any vendor is asked anything, naming
    both, and no vendor receives a request."""
    for vendor in emulators.harness.emulators:
        emulators.reset(vendor)
    answer = yaml.safe_dump([{'name': 'gone.example', 'state': 'absent', 'monitoring': True, 'virusdie': True, 'waf': True},
                             {'name': 'kept.example', 'records': [{'type': 'A', 'name': 'www', 'value': '192.0.2.1'}],
                              'purge_records': True}])
    extravars = tmp_path / 'extravars'
    extravars.write_text(awx_extravars(survey_answers('onboard_domains.json', survey_domains=answer)))
    result = run_playbook(os.path.join(PROJECT_DIR, 'onboard.yml'), ['-e', '@%s' % extravars])
    assert result.returncode == 2, failure_excerpt(result.stdout)
    assert 'gone.example: state absent - the onboarding never deletes' in result.stdout
    assert 'kept.example: purge_records deletes the records of the zone' in result.stdout
    vendors = ('securityspace', 'cyberssl', 'hardenize', 'virusdie', 'sigsci')
    assert dict((v, emulators.counters(v)['total']) for v in vendors) == dict((v, 0) for v in vendors)


# ---------------------------------------------------------------------------------------------------- job slicing
SLICE_COUNT = 3
# The domains of test_sliced_onboarding_job_template: 6 on every run of the suite (two per slice);
# DOMAINSEC_AWX_SLICE_DOMAINS=30 for a run at the size of issue 23's closing note.
SLICE_DOMAINS = int(os.environ.get('DOMAINSEC_AWX_SLICE_DOMAINS') or 6)


def awx_inventory_sync(source):
    """What the controller keeps of an inventory source after an update: the output of ``ansible-inventory -i <source>
    --list --export`` (the command an inventory update runs), host variables per host, group variables on their
    groups."""
    result = subprocess.run([ansible_bin('ansible-inventory'), '-i', source, '--list', '--export'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120,
                            check=False, env=dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS))
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def awx_slice(synced, number, count):
    """The inventory of job ``number`` (1-based) of a job template sliced into ``count``, as the controller writes it
    for that job (awx/main/models/inventory.py, Inventory.get_script_data with slice_number and slice_count): the
    inventory's enabled hosts ordered by name, every count-th from number - 1 (``hosts[number - 1::count]``); each
    group with those of its hosts, its children and its variables; the hosts' variables in _meta.hostvars."""
    hostvars = synced.get('_meta', {}).get('hostvars', {})
    names = set(hostvars)
    for group, data in synced.items():
        if group != '_meta':
            names.update(data.get('hosts', []))
    chosen = sorted(names)[number - 1::count]
    data = {'_meta': {'hostvars': dict((h, hostvars.get(h, {})) for h in chosen)}}
    for group, content in synced.items():
        if group != '_meta':
            data[group] = dict(content, hosts=[h for h in content.get('hosts', []) if h in chosen])
    return chosen, data


def write_awx_inventory(pdd, data):
    """inventory/hosts as the controller writes it for a job (BaseTask.build_inventory): an executable script (0700)
    that prints the inventory as JSON, in place of write_private_data_dir's localhost."""
    path = os.path.join(pdd, 'inventory', 'hosts')
    with open(path, 'w') as out:
        out.write('#!%s\n# -*- coding: utf-8 -*-\nprint(%r)\n' % (sys.executable, json.dumps(data)))
    os.chmod(path, 0o700)


def receiver_config(emulators, **config):
    """The webhook receiver's settings (its own admin API at EMULATOR_RECEIVER_ADMIN)."""
    context = ssl.create_default_context(cafile=emulators.harness.ca_path)
    request = urllib.request.Request(emulators.env['EMULATOR_RECEIVER_ADMIN'] + '/config', data=json.dumps(config).encode(),
                                     method='POST', headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        answer.read()


def awx_workflow_artifacts(results):
    """What the workflow hands the node after a sliced job template: the slices' set_stats artifacts merged with a
    shallow dict update, one job after the other (awx/main/models/workflow.py, WorkflowJob.get_effective_artifacts:
    the jobs ordered by when they finished, then by id); here in slice order. A key that two slices set is the last
    one's."""
    merged = {}
    for result in results:
        merged.update(stats_artifacts(result))
    return merged


@pytest.mark.main_core_only  # ansible-runner is a tool of the main venv only (requirements-dev.txt)
def test_sliced_onboarding_job_template(emulators, tmp_path, monkeypatch):
    """The onboarding job template sliced into 3 jobs (job_slice_count 3) as the controller runs it: the domains are
    an inventory source read by domainsec.onboard.domains (synced as an inventory update syncs it:
    ``ansible-inventory --list --export``), and each slice job gets the controller's slice of that inventory
    (hosts ordered by name, every third) as its inventory script, the credentials in env/envvars, its own job id
    (awx_job_id) in env/extravars, and its own lock directory (the pacing state of a node of its own). The three jobs
    run at once, as on three execution nodes, with the DNS stage and the organisation-wide event hook stage (its
    event types, the hook, its test delivery) on for every domain; the hook's creation is answered slowly, so that
    the slices meet there.

    Every domain is onboarded exactly once (each zone and its record made once, no domain in two slices); the hook
    is made once per slice at most and ends as one enabled hook with its event types, every slice successful; the
    slices' artifacts merged as the workflow merges them (a shallow update) keep one slice's onboard_summary but
    every slice's onboard_summary_job_<id>, from which audit.yml's merge makes one summary of every domain and hands
    it on. No secret is in any job's artifacts."""
    ansible_runner = importlib.import_module('ansible_runner')
    for vendor in emulators.harness.emulators:
        emulators.reset(vendor)
    known = job_environment(emulators, monkeypatch)
    domains = ['slice%02d.example' % n for n in range(1, SLICE_DOMAINS + 1)]
    address = dict((name, '192.0.2.%d' % n) for n, name in enumerate(domains, start=1))
    secrets_dir = tmp_path / 'hook-secrets'  # the receiver's directory, shared by the slices (a host of its own)
    secrets_dir.mkdir()
    receiver_config(emulators, org=emulators.env['HARDENIZE_ORG'], secrets_dir=str(secrets_dir))
    destination = emulators.env['HARDENIZE_TEST_RECEIVER_URL'] + '/slices'
    # The onboarding file, in reverse order: the controller orders the hosts by name before slicing.
    (tmp_path / 'domains.yml').write_text(yaml.safe_dump({
        'onboard_domains': [{'name': name, 'records': [{'type': 'A', 'name': '', 'value': address[name]}]}
                            for name in reversed(domains)],
        'onboard_defaults': {'hook': True, 'hook_destination': destination, 'hook_secret_dir': str(secrets_dir)}}))
    (tmp_path / 'fleet.domains.yml').write_text(yaml.safe_dump({'plugin': 'domainsec.onboard.domains', 'path': 'domains.yml'}))
    synced = awx_inventory_sync(str(tmp_path / 'fleet.domains.yml'))
    assert sorted(synced['domainsec_domains']['hosts']) == domains

    emulators.fault('hardenize', 'POST /eventHooks', 'slow', delay=3, count=SLICE_COUNT)
    jobs = []
    for number in range(1, SLICE_COUNT + 1):
        pdd = str(tmp_path / ('slice%d' % number))
        envvars, secrets = write_private_data_dir(pdd, emulators, 'onboard.yml', {'awx_job_id': 700 + number})
        chosen, inventory = awx_slice(synced, number, SLICE_COUNT)
        write_awx_inventory(pdd, inventory)
        jobs.append((pdd, envvars, secrets, chosen))
    started = time.time()
    running = [ansible_runner.run_async(**job_arguments(pdd, 'onboard.yml')) for pdd, _e, _s, _c in jobs]
    for thread, _runner in running:
        thread.join(600)
    elapsed = time.time() - started
    results = []
    for (pdd, envvars, secrets, chosen), (_thread, runner) in zip(jobs, running):
        result, stdout, command = checked_job(runner, pdd, 'onboard.yml', envvars)
        summary = stats_artifacts(result)['onboard_summary']
        assert sorted(summary['onboarded']) == chosen and summary['failed'] == {}, summary
        assert '%d onboarded, 0 failed' % len(chosen) in stdout
        assert_no_secret_in_artifacts(pdd, command, secrets | known)
        results.append(result)
    sliced = [chosen for _p, _e, _s, chosen in jobs]
    assert sorted(sum(sliced, [])) == domains and all(sliced), sliced  # every domain in one slice

    # Every zone and its record made once.
    counts = emulators.counters('securityspace')['counts']
    assert (counts.get('dnsAddDomain'), counts.get('dnsAddA')) == (len(domains), len(domains)), counts
    zones = emulators.state('securityspace')['domains']
    assert sorted(zones) == domains
    for name in domains:
        assert [r['data'] for r in zones[name]['records'] if r['type'] == 'A'] == [{'name': '', 'data': address[name]}]
    # The organisation-wide stage in every slice: one hook, enabled, its event types on; a hook two slices made at
    # once was deleted again - by one slice, or by several that saw the duplicates at the same time (no lock spans
    # execution nodes; a second delete finds the hook gone), each slice at most once per duplicate.
    hardenize = emulators.counters('hardenize')['counts']
    hooks = [h for h in emulators.state('hardenize')['eventHooks'] if h['destination'] == destination]
    assert [(h['status'], sorted(h['eventTypes'])) for h in hooks] == [('enabled', ['ct.entry', 'pki.cert.new'])], hooks
    created = hardenize.get('POST /eventHooks', 0)
    deleted = hardenize.get('DELETE /eventHooks/{id}', 0)
    assert 1 <= created <= SLICE_COUNT and created - 1 <= deleted <= (created - 1) * SLICE_COUNT, hardenize
    sys.stdout.write('\n%d domains in %d slices at once: %.1f s; hooks created %d\n'
                     % (len(domains), SLICE_COUNT, elapsed, created))

    # The workflow's merge: onboard_summary is the last slice's; every slice's own key is kept.
    artifacts = awx_workflow_artifacts(results)
    assert sorted(artifacts['onboard_summary']['onboarded']) == sliced[-1]
    parts = sorted(k for k in artifacts if k.startswith('onboard_summary_job_'))
    assert parts == ['onboard_summary_job_%d' % (700 + n) for n in range(1, SLICE_COUNT + 1)], sorted(artifacts)

    # audit.yml's merge of them, in the next node's job: one summary of every domain, handed on.
    with open(os.path.join(PROJECT_DIR, 'audit.yml')) as handle:
        audit = yaml.safe_load(handle)[0]
    hand_on = audit['tasks'][0]
    assert hand_on['ansible.builtin.set_stats']['data'] == {'onboard_summary': '{{ audit_onboard_summary }}'}
    pdd = str(tmp_path / 'audit')
    envvars, _secrets = write_private_data_dir(pdd, emulators, 'audit.yml', artifacts)
    with open(os.path.join(pdd, 'project', 'merge.yml'), 'w') as out:
        yaml.safe_dump([{'name': 'audit.yml with the merged artifacts', 'hosts': 'localhost', 'gather_facts': False,
                         'vars': audit['vars'], 'tasks': [hand_on, {'name': 'The domains to audit', 'ansible.builtin.copy': {
                             'content': '{{ audit_domain_list | to_json }}', 'dest': str(tmp_path / 'audited.json'),
                             'mode': '0600'}}]}], out)
    result, _stdout, _command = run_job(ansible_runner, pdd, 'merge.yml', envvars)
    assert json.loads((tmp_path / 'audited.json').read_text()) == domains
    merged = stats_artifacts(result)['onboard_summary']
    assert merged['onboarded'] == domains and merged['failed'] == {} and sorted(merged['results']) == domains
    for name in domains:
        assert merged['results'][name]['dns']['zone'] == name


# ---------------------------------------------------------------------------------------------------- execution environment
def galaxy_version():
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        galaxy = yaml.safe_load(handle)
    return galaxy['namespace'], galaxy['name'], galaxy['version']


def requirement_names(path):
    names = []
    with open(path) as handle:
        for line in handle:
            line = line.split('#', 1)[0].strip()
            if line:
                names.append(re.split(r'[<>=!~;\[ ]', line, maxsplit=1)[0].lower())
    return names


def ee_definition(tar_name):
    """The EE definition of docs/awx.md: the AWX EE plus this collection's tarball."""
    return {
        'version': 3,
        'images': {'base_image': {'name': 'quay.io/ansible/awx-ee:24.6.1'}},
        'dependencies': {'galaxy': {'collections': [{'name': 'collections/' + tar_name, 'type': 'file'}]}},
        'additional_build_files': [{'src': tar_name, 'dest': 'collections'}],
    }


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    """The collection built with ansible-galaxy collection build (galaxy.yml's build_ignore keeps it small)."""
    out = tmp_path_factory.mktemp('collection-build')
    result = subprocess.run([ansible_bin('ansible-galaxy'), 'collection', 'build', '--output-path', str(out), ROOT],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout
    namespace, name, version = galaxy_version()
    path = out / ('%s-%s-%s.tar.gz' % (namespace, name, version))
    assert path.is_file(), result.stdout
    assert path.stat().st_size < 5 * 1024 * 1024, 'the tarball is %d bytes: check build_ignore' % path.stat().st_size
    return path


def test_collection_ee_metadata():
    """meta/execution-environment.yml names requirements.txt (which holds requests) and no system requirements."""
    with open(os.path.join(ROOT, 'meta', 'execution-environment.yml')) as handle:
        metadata = yaml.safe_load(handle)
    assert metadata == {'version': 1, 'dependencies': {'python': 'requirements.txt'}}
    assert 'requests' in requirement_names(os.path.join(ROOT, 'requirements.txt'))
    assert not os.path.exists(os.path.join(ROOT, 'bindep.txt'))


@pytest.mark.main_core_only  # ansible-builder is a tool of the main venv only (requirements-dev.txt)
def test_ee_build_context_and_introspection(tarball, tmp_path):
    """ansible-builder create makes a context that installs the tarball; its galaxy step, run here as the
    Containerfile runs it, installs the collection; ansible-builder introspect then reports requirements.txt."""
    importlib.import_module('ansible_builder')  # pinned in requirements-dev.txt: missing fails, never skips
    tar_name = tarball.name
    work = tmp_path / 'ee'
    work.mkdir()
    shutil.copy(str(tarball), str(work / tar_name))
    (work / 'execution-environment.yml').write_text(yaml.safe_dump(ee_definition(tar_name), sort_keys=False))
    context = work / 'context'
    created = subprocess.run([ansible_bin('ansible-builder'), 'create', '-f', str(work / 'execution-environment.yml'),
                              '-c', str(context), '--output-filename', 'Containerfile'], cwd=str(work), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             universal_newlines=True, timeout=120, check=False)
    assert created.returncode == 0, created.stdout
    containerfile = (context / 'Containerfile').read_text()
    build = context / '_build'
    requirements = yaml.safe_load((build / 'requirements.yml').read_text())
    assert requirements == {'collections': [{'name': 'collections/' + tar_name, 'type': 'file'}]}
    assert (build / 'collections' / tar_name).read_bytes() == tarball.read_bytes()
    assert 'COPY _build /build' in containerfile and 'WORKDIR /build' in containerfile
    install = [line for line in containerfile.splitlines() if 'ansible-galaxy collection install' in line]
    assert len(install) == 1 and '-r requirements.yml' in install[0], install

    # The galaxy stage, here: from /build's copy, into a collections path of our own. Its dependency community.crypto
    # (galaxy.yml) would come from the Galaxy server the build uses; offline, the copy scripts/fetch-collections.sh
    # unpacked from the ansible wheel stands in for it, installed first, and the install runs --offline.
    installed = tmp_path / 'installed'
    shutil.copytree(os.path.join(COLLECTIONS, 'ansible_collections', 'community', 'crypto'),
                    str(installed / 'ansible_collections' / 'community' / 'crypto'))
    galaxy = subprocess.run([ansible_bin('ansible-galaxy'), 'collection', 'install', '-r', 'requirements.yml',
                             '--offline', '--collections-path', str(installed)], cwd=str(build), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True, timeout=300, check=False,
                            env=dict(os.environ, ANSIBLE_GALAXY_DISABLE_GPG_VERIFY='1',
                                     ANSIBLE_COLLECTIONS_PATH=str(installed)))  # not the checkout's link
    assert galaxy.returncode == 0 and 'was installed successfully' in galaxy.stdout, galaxy.stdout
    namespace, name, version = galaxy_version()
    manifest = installed / 'ansible_collections' / namespace / name / 'MANIFEST.json'
    assert json.loads(manifest.read_text())['collection_info']['version'] == version

    introspect = subprocess.run([ansible_bin('ansible-builder'), 'introspect', '--sanitize', str(installed)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120,
                                check=False)
    assert introspect.returncode == 0, introspect.stdout + introspect.stderr
    report = yaml.safe_load(introspect.stdout)
    key = '%s.%s' % (namespace, name)
    reported = requirement_names_of(report['python'], key)
    for requirement in requirement_names(os.path.join(ROOT, 'requirements.txt')):
        assert requirement in reported, '%s not in what introspect reports: %s' % (requirement, report)
    # No system package of ours (community.crypto brings its own bindep: openssl, cryptsetup, ...).
    assert not requirement_names_of(report.get('system') or [], key), report


def requirement_names_of(python, key):
    """Requirement names for ``key`` in introspect's python report (a dict per collection, or a sanitized list)."""
    entries = python.get(key, []) if isinstance(python, dict) else [e for e in python if key in str(e)]
    return [re.split(r'[<>=!~;\[ #]', str(e), maxsplit=1)[0].lower() for e in entries]


# ---------------------------------------------------------------------------------------------------- EDA controller
# The fields of ansible-rulebook's rulebook schema (ansible_rulebook/schema/ruleset_schema.json) the rulebooks use.
RULESET_KEYS = {'name', 'hosts', 'sources', 'rules'}
RULE_KEYS = {'name', 'condition', 'action'}
RUN_JOB_TEMPLATE_KEYS = {'name', 'organization', 'job_args', 'post_events', 'set_facts', 'ruleset', 'var_root', 'retry',
                         'retries', 'delay'}


def rulebook_pairs():
    """(CLI rulebook, its EDA controller twin): each extensions/eda/rulebooks/X.yml and X_controller.yml."""
    cli = sorted(p for p in glob.glob(os.path.join(RULEBOOKS_DIR, '*.yml')) if not p.endswith('_controller.yml'))
    return [(path, path[:-len('.yml')] + '_controller.yml') for path in cli]


def load_rulebook(path):
    with open(path) as handle:
        rulebook = yaml.safe_load(handle)
    assert isinstance(rulebook, list) and rulebook, path
    for ruleset in rulebook:
        assert {'hosts', 'sources', 'rules'} <= set(ruleset) <= RULESET_KEYS, (path, sorted(ruleset))
        for rule in ruleset['rules']:
            assert set(rule) == RULE_KEYS and isinstance(rule['condition'], str) and rule['name'].strip(), (path, rule)
            assert isinstance(rule['action'], dict) and len(rule['action']) == 1, (path, rule)
    return rulebook


@pytest.mark.parametrize('pair', rulebook_pairs(), ids=lambda pair: os.path.basename(pair[1]))
def test_controller_rulebook_launches_a_configured_job_template(pair):
    """The EDA controller's twin of a CLI rulebook: the same hosts, source and rules (names, conditions, other
    actions), run_playbook replaced by run_job_template (what the controller supports), with the schema's fields.
    The job template it names, with no variable set and with the configure playbook's variable set, is one
    configure_controller.yml creates, in its organization; that template runs the project's wrapper of the very
    playbook the CLI rulebook runs, takes variables on launch (the event arrives as ansible_eda) and gets the same
    extra_vars."""
    cli_path, controller_path = pair
    assert os.path.isfile(controller_path), 'no EDA controller twin of %s' % cli_path
    cli, twin = load_rulebook(cli_path), load_rulebook(controller_path)
    assert 'run_playbook' not in json.dumps(twin)
    defaults = configure_defaults()
    templates = configured_job_templates()
    launched = 0
    assert len(cli) == len(twin)
    for cli_set, twin_set in zip(cli, twin):
        assert (twin_set['hosts'], twin_set['sources']) == (cli_set['hosts'], cli_set['sources'])
        assert [(r['name'], r['condition']) for r in twin_set['rules']] == [(r['name'], r['condition']) for r in cli_set['rules']]
        for cli_rule, twin_rule in zip(cli_set['rules'], twin_set['rules']):
            if 'run_playbook' not in cli_rule['action']:
                assert twin_rule['action'] == cli_rule['action']
                continue
            run = cli_rule['action']['run_playbook']
            launch = twin_rule['action']['run_job_template']
            assert {'name', 'organization'} <= set(launch) <= RUN_JOB_TEMPLATE_KEYS, sorted(launch)
            assert render(launch['organization'], {}) == defaults['domainsec_awx_organization']
            assert render(launch['organization'], {'domainsec_awx_organization': 'Other'}) == 'Other'
            name = render(launch['name'], {})
            assert name in templates, '%r is none of the job templates of configure_controller.yml: %s' % (name, sorted(templates))
            variable = re.match(r'^\{\{ (\w+) \}\}$', templates[name]['name']).group(1)
            assert render(launch['name'], {variable: 'Renamed'}) == 'Renamed', 'the rulebook does not follow %s' % variable
            template = templates[name]
            with open(os.path.join(PROJECT_DIR, template['playbook'])) as handle:
                assert yaml.safe_load(handle)[-1]['ansible.builtin.import_playbook'] == run['name']
            assert template['ask_variables_on_launch'] is True
            assert launch.get('job_args', {}).get('extra_vars') == run.get('extra_vars')
            assert set(launch.get('job_args', {})) <= {'extra_vars'}
            launched += 1
    assert launched == 1


def test_eda_doc_quotes_the_shipped_files():
    """docs/eda.md shows the decision environment and the discovery twin's launching rule as the files hold them."""
    with open(EDA_DOC) as handle:
        text = handle.read()
    blocks = [yaml.safe_load(m.group(1)) for m in re.finditer(r'^ *```yaml\n(.*?)^ *```', text, re.S | re.M)]
    with open(DECISION_ENVIRONMENT) as handle:
        assert yaml.safe_load(handle) in blocks
    rules = load_rulebook(os.path.join(RULEBOOKS_DIR, 'hardenize_discovery_controller.yml'))[0]['rules']
    assert [r for r in rules if 'run_job_template' in r['action']] in blocks


@pytest.mark.main_core_only  # ansible-builder is a tool of the main venv only (requirements-dev.txt)
def test_decision_environment_build_context(tarball, tmp_path):
    """ansible-builder create on extensions/eda/decision-environment.yml, beside the collection's tarball under the name
    it gives it: a context on the base image the EE_BASE_IMAGE build argument names, whose galaxy stage installs
    ansible.eda and the tarball, which installs ansible-core, ansible-runner and ansible-rulebook with pip and Java
    with bindep. The galaxy step for the tarball, run here offline as the Containerfile runs it, installs the
    collection under that name."""
    importlib.import_module('ansible_builder')  # pinned in requirements-dev.txt: missing fails, never skips
    with open(DECISION_ENVIRONMENT) as handle:
        definition = yaml.safe_load(handle)
    assert definition['version'] == 3
    [copied] = definition['additional_build_files']
    tar_name = copied['src']
    work = tmp_path / 'de'
    work.mkdir()
    shutil.copy(str(tarball), str(work / tar_name))
    shutil.copy(DECISION_ENVIRONMENT, str(work / 'decision-environment.yml'))
    context = work / 'context'
    created = subprocess.run([ansible_bin('ansible-builder'), 'create', '-f', str(work / 'decision-environment.yml'),
                              '-c', str(context), '--output-filename', 'Containerfile'], cwd=str(work),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=120,
                             check=False)
    assert created.returncode == 0, created.stdout
    containerfile = (context / 'Containerfile').read_text()
    base = definition['images']['base_image']['name']
    assert 'ARG EE_BASE_IMAGE="%s"' % base in containerfile and 'FROM $EE_BASE_IMAGE AS base' in containerfile
    refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="(.*)"$', containerfile, re.M).group(1).split()
    assert [re.split(r'[<>=!~]', ref)[0] for ref in refs] == ['ansible-core', 'ansible-runner']
    build = context / '_build'
    requirements = yaml.safe_load((build / 'requirements.yml').read_text())
    assert requirements == {'collections': [{'name': 'ansible.eda'}, {'name': 'collections/' + tar_name, 'type': 'file'}]}
    assert (build / 'collections' / tar_name).read_bytes() == tarball.read_bytes()
    assert 'ansible-rulebook' in requirement_names(str(build / 'requirements.txt'))
    assert re.search(r'^java-(1[7-9]|2\d)-openjdk\S* \[platform:rpm\]$', (build / 'bindep.txt').read_text(), re.M)
    assert len([line for line in containerfile.splitlines() if 'ansible-galaxy collection install' in line
                and '-r requirements.yml' in line]) == 1

    installed = tmp_path / 'installed'
    shutil.copytree(os.path.join(COLLECTIONS, 'ansible_collections', 'community', 'crypto'),
                    str(installed / 'ansible_collections' / 'community' / 'crypto'))
    galaxy = subprocess.run([ansible_bin('ansible-galaxy'), 'collection', 'install', 'collections/' + tar_name,
                             '--offline', '--collections-path', str(installed)], cwd=str(build), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, universal_newlines=True, timeout=300, check=False,
                            env=dict(os.environ, ANSIBLE_GALAXY_DISABLE_GPG_VERIFY='1',
                                     ANSIBLE_COLLECTIONS_PATH=str(installed)))
    assert galaxy.returncode == 0 and 'was installed successfully' in galaxy.stdout, galaxy.stdout
    namespace, name, version = galaxy_version()
    manifest = installed / 'ansible_collections' / namespace / name / 'MANIFEST.json'
    assert json.loads(manifest.read_text())['collection_info']['version'] == version


# ---------------------------------------------------------------------------------------------------- docs/awx.md
def doc_blocks(language):
    with open(DOC) as handle:
        text = handle.read()
    return [match.group(1) for match in re.finditer(r'^```%s\n(.*?)^```' % language, text, re.S | re.M)]


def test_doc_quotes_the_shipped_files():
    """What docs/awx.md shows of a file is what the file holds: the EE metadata and definition, the project's
    requirements, wrapper, audit task and merge of the sliced summaries, the survey spec, the SecuritySpace URL
    injector, configure_controller.yml's example variables, job templates and slicing variables, and its awx.awx
    tasks: every awx.awx task the page shows is one of the playbook's, verbatim, and the credentials, job templates,
    workflow and schedule tasks are shown."""
    blocks = [yaml.safe_load(block) for block in doc_blocks('yaml')]

    def shipped(*path):
        with open(os.path.join(ROOT, *path)) as handle:
            return yaml.safe_load(handle)

    assert shipped('meta', 'execution-environment.yml') in blocks
    assert shipped('extensions', 'awx', 'project', 'collections', 'requirements.yml') in blocks
    assert shipped('extensions', 'awx', 'project', 'onboard.yml') in blocks
    audit_task = [t for t in shipped('extensions', 'awx', 'project', 'audit.yml')[0]['tasks'] if 'domainsec.onboard.ssaudit' in t]
    assert [dict((k, v) for k, v in audit_task[0].items() if k != 'register' and k != 'when')] in blocks
    ee = [b for b in blocks if isinstance(b, dict) and b.get('version') == 3]
    assert len(ee) == 1 and ee[0] == ee_definition(ee[0]['additional_build_files'][0]['src'])
    assert re.match(r'^domainsec-onboard-[0-9.]+\.tar\.gz$', ee[0]['additional_build_files'][0]['src'])
    with open(os.path.join(SURVEYS_DIR, 'onboard_domains.json')) as handle:
        assert json.load(handle) in [json.loads(block) for block in doc_blocks('json')]
    url = load_type(os.path.join(TYPES_DIR, 'securityspace.yml'))['injectors']['env']['SECURITYSPACE_API_URL']
    assert {'SECURITYSPACE_API_URL': url} in blocks
    assert {'onboard_domains': [dict(RUNNER_DOMAIN, name='example.com')]} in blocks  # the entry the workflow test runs
    audit_vars = shipped('extensions', 'awx', 'project', 'audit.yml')[0]['vars']
    assert dict((k, audit_vars[k]) for k in ('audit_onboard_parts', 'audit_onboard_summary')) in blocks  # the merge

    assert shipped('extensions', 'awx', 'configure_controller.example.yml') in blocks
    defaults = configure_defaults()
    assert {'domainsec_awx_job_templates': defaults['domainsec_awx_job_templates']} in blocks
    [slicing] = [b for b in blocks if isinstance(b, dict) and 'domainsec_awx_onboard_slice_count' in b]
    assert set(slicing) <= set(defaults) and slicing['domainsec_awx_onboard_slice_count'] > 1, slicing
    with open(CONFIGURE_PLAYBOOK) as handle:
        tasks = yaml.load(handle, Loader=_AnsibleYamlLoader)[1]['tasks']  # nosec B506 - SafeLoader plus one tag
    shown = [t for b in blocks if isinstance(b, list) for t in b
             if isinstance(t, dict) and any(k.startswith('awx.awx.') for k in t)]
    assert [t['name'] for t in shown if t not in tasks] == []
    assert {t['name'] for t in shown} >= {t['name'] for t in tasks if {'awx.awx.credential', 'awx.awx.job_template',
                                          'awx.awx.workflow_job_template', 'awx.awx.schedule'} & set(t)}


def test_doc_playbook_snippets_pass_syntax_check(awx_collection, tmp_path):
    """The task lists of docs/awx.md (awx.awx and domainsec.onboard tasks) pass ansible-playbook --syntax-check."""
    plays = []
    for number, block in enumerate(yaml.safe_load(b) for b in doc_blocks('yaml')):
        if isinstance(block, list) and block and all(isinstance(t, dict) and 'name' in t for t in block) \
                and not any('hosts' in t or 'ansible.builtin.import_playbook' in t for t in block):
            plays.append({'name': 'block %d' % number, 'hosts': 'localhost', 'gather_facts': False, 'tasks': block})
    assert len(plays) >= 4, plays
    playbook = tmp_path / 'doc.yml'
    playbook.write_text(yaml.safe_dump(plays))
    result = run_playbook(str(playbook), extra_args=['--syntax-check'], env=awx_env())
    assert result.returncode == 0, result.stdout
