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
import subprocess
import sys
import tempfile
import threading
import types
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
TYPES_DIR = os.path.join(AWX_DIR, 'credential_types')
REGISTER_PLAYBOOK = os.path.join(AWX_DIR, 'register_credential_types.yml')
FRAGMENTS_DIR = os.path.join(ROOT, 'plugins', 'doc_fragments')
MODULE_UTILS_DIR = os.path.join(ROOT, 'plugins', 'module_utils')
FETCH_SCRIPT = os.path.join(ROOT, 'scripts', 'fetch-collections.sh')
COLLECTIONS = os.path.join(ROOT, 'build', 'collections')
AWX_COLLECTIONS = os.path.join(ROOT, 'build', 'collections-awx')
AWX_COLLECTION = os.path.join(AWX_COLLECTIONS, 'ansible_collections', 'awx', 'awx')

PROJECT_DIR = os.path.join(AWX_DIR, 'project')
SURVEYS_DIR = os.path.join(AWX_DIR, 'surveys')
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
    """Just enough of the controller's API v2 for awx.awx.credential_type: list by name, create, update, delete.
    Every request is kept (method, path, body, Authorization header)."""

    def __init__(self, token):
        self.token = token
        self.types = {}
        self.requests = []
        self.next_id = 100
        self.lock = threading.Lock()
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

    def handle(self, method, path, body, authorization):
        with self.lock:
            self.requests.append((method, path, body, authorization))
            if authorization != 'Bearer ' + self.token:
                return 401, {'detail': 'Authentication credentials were not provided.'}
            url = urlsplit(path)
            match = re.match(r'^/api/v2/credential_types/(?:(\d+)/)?$', url.path)
            if not match:
                return 404, {'detail': 'Not found.'}
            if match.group(1) is None and method == 'GET':
                query = parse_qs(url.query)
                found = [t for t in self.types.values() if not query.get('name') or t['name'] in query['name']]
                return 200, {'count': len(found), 'next': None, 'previous': None, 'results': found}
            if match.group(1) is None and method == 'POST':
                self.next_id += 1
                item = dict(body, id=self.next_id, type='credential_type',
                            url='/api/v2/credential_types/%d/' % self.next_id)
                self.types[item['id']] = item
                return 201, item
            item = self.types.get(int(match.group(1) or 0))
            if item is None:
                return 404, {'detail': 'Not found.'}
            if method == 'PATCH':
                item.update(body)
                return 200, item
            if method == 'DELETE':
                del self.types[item['id']]
                return 204, None
            return 405, {'detail': 'Method not allowed.'}

    def writes(self):
        return [(m, p) for m, p, _b, _a in self.requests if m != 'GET']

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def controller():
    fake = FakeController(token='controller-token-7c1e')
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
    """A survey spec as the controller's API takes it; every variable is one the project's wrapper reads."""
    with open(path) as handle:
        survey = json.load(handle)
    assert set(survey) == {'name', 'description', 'spec'} and survey['name'] and survey['spec']
    with open(os.path.join(PROJECT_DIR, 'onboard.yml')) as handle:
        wrapper = handle.read()
    variables = []
    for question in survey['spec']:
        assert set(question) <= SURVEY_KEYS and question['question_name'] and question['question_description']
        assert question['type'] in SURVEY_TYPES and isinstance(question['required'], bool)
        assert NAME_RE.match(question['variable']) and not question['variable'].startswith(('ansible_', 'awx_', 'tower_'))
        assert re.search(r'\b%s\b' % question['variable'], wrapper), '%s is not read by onboard.yml' % question['variable']
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


def run_job(ansible_runner, pdd, playbook, envvars):
    """ansible_runner.run as the controller runs a job (verbosity 3, the most a job template's debug level shows
    of module arguments and results); returns (result, stdout). Fails with the failed tasks when the job failed."""
    result = ansible_runner.run(private_data_dir=pdd, playbook=playbook, ident='job', quiet=True, verbosity=3,
                                cancel_callback=lambda: False, timeout=300)
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


# ---------------------------------------------------------------------------------------------------- docs/awx.md
def doc_blocks(language):
    with open(DOC) as handle:
        text = handle.read()
    return [match.group(1) for match in re.finditer(r'^```%s\n(.*?)^```' % language, text, re.S | re.M)]


def test_doc_quotes_the_shipped_files():
    """What docs/awx.md shows of a file is what the file holds: the EE metadata and definition, the project's
    requirements, wrapper and audit task, the survey spec, the SecuritySpace URL injector."""
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
