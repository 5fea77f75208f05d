# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two web hosts for the playbook tests: inventory hosts with their own file system roots under the test's
temporary directory (local connection, the files owned by the user running the tests), and a third that cannot be
reached."""

import grp
import json
import os
import pwd

HOSTS = ('web01', 'web02')


def inventory(tmp_path):
    """web01 and web02, each with its own root under tmp_path; web02 with another certificate mode and web root
    base (per-host variables); a host nothing listens for, in its own group."""
    user, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    hosts = {}
    for name in HOSTS:
        root = tmp_path / name
        hosts[name] = {
            'onboard_domain_web_certificate_dir': str(root / 'etc/ssl/domainsec'),
            'onboard_domain_web_root_base': str(root / ('srv' if name == 'web02' else 'var/www')),
            'onboard_domain_web_waf_agent_conf': str(root / 'etc/sigsci/agent.conf'),
            'onboard_domain_web_reload_command': "sh -c 'echo reload >> %s'" % (root / 'reloads'),
            'onboard_domain_web_owner': user, 'onboard_domain_web_group': group}
    hosts['web02']['onboard_domain_web_certificate_mode'] = '0640'
    path = tmp_path / 'inventory.json'
    path.write_text(json.dumps({'web': {'hosts': hosts},
                                'gone': {'hosts': {'web03': {'ansible_connection': 'ssh', 'ansible_host': '127.0.0.1',
                                                             'ansible_port': 1}}}}))
    return str(path)


def web_files(tmp_path):
    """{path relative to tmp_path: (mode, owner uid, content)} of every file under the web hosts' roots."""
    found = {}
    for name in HOSTS:
        for base, _dirs, names in os.walk(tmp_path / name):
            for each in names:
                path = os.path.join(base, each)
                found[os.path.relpath(path, tmp_path)] = (oct(os.stat(path).st_mode & 0o777), os.stat(path).st_uid,
                                                          open(path).read())
    return found
