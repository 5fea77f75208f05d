# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""file_writer.FileWriter, the one file writer of the collection: content and attribute changes are written and
reported, a re-run changes nothing, check mode predicts and writes nothing, a backup is made only when the content
changes, a secret is 0600 from its first moment and never backed up, no temporary file is left behind."""

import grp
import os
import pwd
import stat

import pytest

from ansible_collections.domainsec.onboard.plugins.module_utils import file_writer as fw
from ansible_collections.domainsec.onboard.plugins.module_utils.file_writer import FileWriteError, FileWriter

from unit.file_module import file_module

SECRET = 'vdconnect: key=0123456789abcdef'


@pytest.fixture(autouse=True)
def usual_umask():
    """The tests count on the usual umask 022 (a new file without a mode would be 0644)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def writer(check_mode=False, **params):
    params.setdefault('mode', '0644')
    return FileWriter(file_module(params, check_mode=check_mode))


def mode_of(path):
    return stat.S_IMODE(os.stat(str(path)).st_mode)


def listing(directory):
    return sorted(os.listdir(str(directory)))


def test_a_new_file_is_written_with_its_mode_and_a_rerun_changes_nothing(tmp_path):
    path = str(tmp_path / 'site.crt')
    assert writer().write(path, 'one\n') is True
    assert open(path).read() == 'one\n' and mode_of(path) == 0o644
    again = writer()
    assert again.write(path, 'one\n') is False
    assert again.diffs == {} and listing(tmp_path) == ['site.crt']


def test_a_content_change_is_written_and_reported(tmp_path):
    path = str(tmp_path / 'site.crt')
    writer().write(path, 'one\n')
    second = writer()
    assert second.write(path, b'two\n') is True
    assert open(path).read() == 'two\n' and mode_of(path) == 0o644
    assert second.diffs[path] == dict(before=dict(state='file'), after=dict(state='file'))


def test_a_mode_change_alone_is_set_and_reported_with_the_content_left_alone(tmp_path):
    path = str(tmp_path / 'site.crt')
    writer().write(path, 'one\n')
    os.chmod(path, 0o600)
    inode = os.stat(path).st_ino
    second = writer()
    assert second.write(path, 'one\n') is True
    assert mode_of(path) == 0o644 and os.stat(path).st_ino == inode  # not rewritten
    assert second.diffs[path]['before']['mode'] == '0600' and second.diffs[path]['after']['mode'] == '0644'
    assert writer(mode='u=rw,g=r,o=').write(path, 'one\n') is True and mode_of(path) == 0o640  # symbolic, as copy takes


def test_owner_and_group_of_the_current_user_change_nothing_another_owner_does(tmp_path):
    path = str(tmp_path / 'site.crt')
    me = dict(owner=pwd.getpwuid(os.geteuid()).pw_name, group=grp.getgrgid(os.getegid()).gr_name)
    assert writer(**me).write(path, 'one\n') is True
    assert writer(**me).write(path, 'one\n') is False
    assert (os.stat(path).st_uid, os.stat(path).st_gid) == (os.geteuid(), os.getegid())
    if os.geteuid() == 0:  # root can give the file away: it is done and reported
        nobody = pwd.getpwnam('nobody')
        assert writer(owner='nobody').write(path, 'one\n') is True
        assert os.stat(path).st_uid == nobody.pw_uid
        assert writer(owner='nobody').write(path, 'one\n') is False
    else:  # anyone else: check mode says it would
        assert writer(check_mode=True, owner='root').write(path, 'one\n') is True
        assert os.stat(path).st_uid == os.geteuid()


def test_a_backup_is_made_only_when_the_content_changes(tmp_path):
    path = str(tmp_path / 'site.crt')
    first = writer(backup=True)
    first.write(path, 'one\n')
    assert first.backup_files == {} and listing(tmp_path) == ['site.crt']  # nothing to keep yet
    same = writer(backup=True)
    assert same.write(path, 'one\n') is False and same.backup_files == {}
    os.chmod(path, 0o600)
    mode_only = writer(backup=True)
    assert mode_only.write(path, 'one\n') is True and mode_only.backup_files == {}
    assert listing(tmp_path) == ['site.crt']
    changed = writer(backup=True)
    assert changed.write(path, 'two\n') is True
    backup = changed.backup_files[path]
    assert os.path.dirname(backup) == str(tmp_path) and os.path.basename(backup).startswith('site.crt.')
    assert backup.endswith('~') and open(backup).read() == 'one\n'
    assert listing(tmp_path) == sorted(['site.crt', os.path.basename(backup)])
    assert writer(backup=False).write(path, 'three\n') is True and len(listing(tmp_path)) == 2  # backup=false: none


def test_check_mode_predicts_every_change_and_writes_nothing(tmp_path):
    path = str(tmp_path / 'site.crt')
    assert writer(check_mode=True, backup=True).write(path, 'one\n') is True
    assert listing(tmp_path) == []
    writer().write(path, 'one\n')
    os.chmod(path, 0o600)
    before = os.stat(path)
    predicted = writer(check_mode=True, backup=True)
    assert predicted.write(path, 'two\n') is True  # content
    assert predicted.backup_files == {}
    assert writer(check_mode=True).write(path, 'one\n') is True  # the mode alone
    assert writer(check_mode=True, mode='0600').write(path, 'one\n') is False  # nothing
    after = os.stat(path)
    assert open(path).read() == 'one\n' and listing(tmp_path) == ['site.crt']
    assert (after.st_mode, after.st_ino, after.st_mtime_ns) == (before.st_mode, before.st_ino, before.st_mtime_ns)


def test_the_write_is_atomic_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = str(tmp_path / 'site.crt')
    writer().write(path, 'one\n')
    writer().write(path, 'two\n')
    assert listing(tmp_path) == ['site.crt']
    failing = writer()
    moved = []

    def refuse(source, dest, **kwargs):
        moved.append(source)
        assert os.path.dirname(source) == str(tmp_path) and open(source).read() == 'three\n'  # beside the file
        raise OSError('disk full')
    monkeypatch.setattr(failing.module, 'atomic_move', refuse)
    with pytest.raises(FileWriteError) as caught:
        failing.write(path, 'three\n')
    assert 'could not write %s' % path in str(caught.value) and 'disk full' in str(caught.value)
    assert 'three' not in str(caught.value)
    assert moved and open(path).read() == 'two\n' and listing(tmp_path) == ['site.crt']


def test_a_secret_is_0600_from_its_first_moment_whatever_the_mode_and_never_backed_up(tmp_path, monkeypatch):
    path = str(tmp_path / 'vdconnect.php')
    secret = writer(mode='0644', backup=True)
    seen = []
    real_move = secret.module.atomic_move

    def watch(source, dest, **kwargs):
        real_move(source, dest, **kwargs)
        seen.append(mode_of(dest))  # the mode the new file has before its attributes are set
    monkeypatch.setattr(secret.module, 'atomic_move', watch)
    assert secret.write(path, SECRET, secret=True) is True
    assert seen == [0o600] and mode_of(path) == 0o600
    again = writer(mode='0644', backup=True)
    assert again.write(path, SECRET + '2', secret=True) is True
    assert again.backup_files == {} and listing(tmp_path) == ['vdconnect.php'] and mode_of(path) == 0o600
    assert SECRET not in repr(again.diffs) and SECRET not in repr(secret.diffs)


def test_a_new_file_is_private_until_its_mode_is_set(tmp_path, monkeypatch):
    path = str(tmp_path / 'vdconnect.php')
    opened = writer(mode='0644')
    seen = []
    real_move = opened.module.atomic_move

    def watch(source, dest, **kwargs):
        real_move(source, dest, **kwargs)
        seen.append(mode_of(dest))
    monkeypatch.setattr(opened.module, 'atomic_move', watch)
    opened.write(path, SECRET)
    assert seen == [0o600] and mode_of(path) == 0o644
    # a symbolic mode of a new file counts from the umask's 0644, as for ansible.builtin.copy, not from that 0600
    other = str(tmp_path / 'other.php')
    writer(mode='o-r').write(other, SECRET)
    assert mode_of(other) == 0o640


def test_the_attributes_of_a_file_in_place_keep_mode_or_secret(tmp_path):
    path = str(tmp_path / 'site.key')
    with open(path, 'w') as handle:
        handle.write('key\n')
    os.chmod(path, 0o640)
    assert writer(mode='0644').set_attributes(path, keep_mode=True) is False and mode_of(path) == 0o640
    assert writer(mode='0644').set_attributes(path, secret=True) is True and mode_of(path) == 0o600
    assert writer().set_attributes(str(tmp_path / 'missing.key')) is False


def test_move_puts_a_file_in_place_with_its_attributes_and_check_mode_moves_nothing(tmp_path):
    source, path = str(tmp_path / 'site.key.new'), str(tmp_path / 'site.key')
    for name, text in ((source, 'new\n'), (path, 'old\n')):
        with open(name, 'w') as handle:
            handle.write(text)
        os.chmod(name, 0o644)
    assert writer(check_mode=True).move(source, path, secret=True) is True
    assert listing(tmp_path) == ['site.key', 'site.key.new'] and open(path).read() == 'old\n'
    assert writer().move(source, path, secret=True) is True
    assert listing(tmp_path) == ['site.key'] and open(path).read() == 'new\n' and mode_of(path) == 0o600


@pytest.mark.parametrize('params, says', [
    (dict(mode='rw-r--r--'), "mode must be an octal file mode such as '0644' or a symbolic one"),
    (dict(mode='01777777'), 'mode must be an octal file mode'),
    (dict(mode=0o1000000), 'mode must be an octal file mode'),
    (dict(owner='no-such-user-domainsec'), "owner: there is no user 'no-such-user-domainsec'"),
    (dict(group='no-such-group-domainsec'), "group: there is no group 'no-such-group-domainsec'"),
])
def test_check_names_the_option_that_cannot_be_applied(params, says):
    with pytest.raises(ValueError) as caught:
        writer(**params).check()
    assert says in str(caught.value)


def test_check_takes_what_ansible_takes():
    for params in (dict(mode='0640'), dict(mode=0o640), dict(mode='u=rw,g=r,o='), dict(owner='0', group='0'),
                   dict(owner=pwd.getpwuid(os.geteuid()).pw_name), dict(mode=None)):
        writer(**params).check()


def test_a_directory_in_the_way_is_an_error_naming_it(tmp_path):
    (tmp_path / 'site.crt').mkdir()
    with pytest.raises(FileWriteError) as caught:
        writer().write(str(tmp_path / 'site.crt'), 'one\n')
    assert 'site.crt is not a regular file' in str(caught.value)


def test_read_bytes():
    assert fw.read_bytes(None) is None and fw.read_bytes('/nonexistent/file') is None
