# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""certificate_files: a certificate is written only beside its own key, a waiting key is promoted with the old files
kept, a re-run and check mode write nothing, and no key reaches the output."""

import contextlib
import grp
import io
import json
import os
import pwd

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.domainsec.onboard.plugins.modules import certificate_files as mod

from unit.pki import cert_pem, key_pem, new_key

KEY = new_key()
OTHER = new_key()
# made once: ECDSA signs anew each time
CERT = cert_pem(KEY)
OTHER_CERT = cert_pem(OTHER)
CHAIN = cert_pem(OTHER, 'ca')


def run(tmp_path, check=False, **extra):
    args = dict(certificate=CERT, chain=CHAIN, private_key_path=str(tmp_path / 'd.key'),
                certificate_path=str(tmp_path / 'd.crt'), fullchain_path=str(tmp_path / 'd.fullchain.pem'),
                _ansible_check_mode=check, _ansible_diff=True)
    args.update(extra)
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        with pytest.raises(SystemExit):
            mod.main()
    text = out.getvalue()
    assert 'PRIVATE KEY' not in text
    return json.loads(text)


def listing(tmp_path):
    return {name: (tmp_path / name).read_text() for name in sorted(os.listdir(tmp_path))}


def test_beside_its_key_then_nothing_then_check_mode_writes_nothing(tmp_path):
    (tmp_path / 'd.key').write_text(key_pem(KEY))
    assert run(tmp_path, check=True)['files_changed'] == [str(tmp_path / 'd.crt'), str(tmp_path / 'd.fullchain.pem')]
    assert sorted(os.listdir(tmp_path)) == ['d.key']
    first = run(tmp_path)
    assert first['changed'] and first['diff']['before']['certificate'] is None
    assert first['diff']['after']['certificate']['serial'] == first['certificate_info']['serial']
    assert (tmp_path / 'd.fullchain.pem').read_text() == CERT.strip() + '\n' + CHAIN
    assert oct(os.stat(tmp_path / 'd.crt').st_mode & 0o777) == '0o644'
    assert run(tmp_path)['changed'] is False
    os.chmod(tmp_path / 'd.crt', 0o600)
    assert run(tmp_path)['files_changed'] == [str(tmp_path / 'd.crt')]


def test_the_waiting_key_takes_the_place_of_the_old_one_which_is_kept(tmp_path):
    (tmp_path / 'd.key').write_text(key_pem(OTHER))
    (tmp_path / 'd.crt').write_text(OTHER_CERT)
    (tmp_path / 'd.key.new').write_text(key_pem(KEY))
    result = run(tmp_path)
    assert result['key_promoted'] and result['changed']
    files = listing(tmp_path)
    assert files['d.key'] == key_pem(KEY) and files['d.key.previous'] == key_pem(OTHER)
    assert files['d.crt'] == CERT and files['d.crt.previous'] == OTHER_CERT
    assert 'd.key.new' not in files and oct(os.stat(tmp_path / 'd.key').st_mode & 0o777) == '0o600'
    assert run(tmp_path)['changed'] is False


def test_a_certificate_of_another_key_is_not_written(tmp_path):
    (tmp_path / 'd.key').write_text(key_pem(OTHER))
    result = run(tmp_path)
    assert result['failed'] and 'belongs neither to the key' in result['msg'], result
    assert sorted(os.listdir(tmp_path)) == ['d.key']


def test_no_key_fails_and_check_mode_warns(tmp_path, monkeypatch):
    assert 'no key at private_key_path' in run(tmp_path)['msg']
    warned = []
    monkeypatch.setattr(mod.AnsibleModule, 'warn', lambda self, text: warned.append(text))
    assert run(tmp_path, check=True)['changed']
    assert len(warned) == 1 and warned[0].startswith('no key at private_key_path')
    assert os.listdir(tmp_path) == []


def test_backup_of_a_replaced_certificate_file_never_of_a_key(tmp_path):
    (tmp_path / 'd.key').write_text(key_pem(OTHER))
    (tmp_path / 'd.crt').write_text(OTHER_CERT)
    (tmp_path / 'd.key.new').write_text(key_pem(KEY))
    promoted = run(tmp_path, backup=True)  # the certificate is replaced (and kept as .previous), the key moved
    assert promoted['key_promoted'] and list(promoted['backup_files']) == [str(tmp_path / 'd.crt')]
    assert open(promoted['backup_files'][str(tmp_path / 'd.crt')]).read() == OTHER_CERT
    (tmp_path / 'd.crt').write_text(OTHER_CERT)  # someone put the old certificate back
    restored = run(tmp_path, backup=True)
    backup = restored['backup_files'][str(tmp_path / 'd.crt')]
    assert list(restored['backup_files']) == [str(tmp_path / 'd.crt')] and restored['files_changed'] == [
        str(tmp_path / 'd.crt')]
    assert open(backup).read() == OTHER_CERT and (tmp_path / 'd.crt').read_text() == CERT
    assert not [name for name in os.listdir(tmp_path) if name.startswith('d.key') and name.endswith('~')]


def test_owner_group_and_mode_changes_are_predicted_then_made_and_the_key_keeps_its_mode(tmp_path):
    (tmp_path / 'd.key').write_text(key_pem(KEY))
    os.chmod(tmp_path / 'd.key', 0o640)
    me = dict(owner=pwd.getpwuid(os.geteuid()).pw_name, group=grp.getgrgid(os.getegid()).gr_name)
    assert run(tmp_path, **me)['changed']
    assert run(tmp_path, **me)['changed'] is False  # the user the module runs as: nothing to change
    predicted = run(tmp_path, check=True, mode='0600', **me)
    assert predicted['files_changed'] == [str(tmp_path / 'd.crt'), str(tmp_path / 'd.fullchain.pem')]
    assert oct(os.stat(tmp_path / 'd.crt').st_mode & 0o777) == '0o644'  # check mode changed nothing
    assert run(tmp_path, mode='u=rw,g=r,o=', **me)['files_changed'] == predicted['files_changed']
    assert oct(os.stat(tmp_path / 'd.fullchain.pem').st_mode & 0o777) == '0o640'
    assert oct(os.stat(tmp_path / 'd.key').st_mode & 0o777) == '0o640'  # the key in place keeps its mode
    if os.geteuid() == 0:  # the key in place gets the owner, as the certificate files do
        assert run(tmp_path, mode='u=rw,g=r,o=', owner='nobody')['files_changed'] == [
            str(tmp_path / 'd.crt'), str(tmp_path / 'd.fullchain.pem'), str(tmp_path / 'd.key')]
        assert os.stat(tmp_path / 'd.key').st_uid == pwd.getpwnam('nobody').pw_uid


def test_an_owner_that_does_not_exist_fails_before_anything_is_written(tmp_path):
    (tmp_path / 'd.key').write_text(key_pem(KEY))
    result = run(tmp_path, owner='no-such-user-domainsec')
    assert result['failed'] and result['msg'] == "owner: there is no user 'no-such-user-domainsec' on this host"
    assert sorted(os.listdir(tmp_path)) == ['d.key']
