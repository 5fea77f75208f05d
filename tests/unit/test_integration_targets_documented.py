# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/testing.md's table of integration targets lists exactly the targets of tests/integration/targets/.

A target is what tests/integration/test_targets.py runs: a directory with ``tasks/main.yml`` whose name does not start
with ``setup_`` (those are helper roles the targets include, named in the section's text instead of the table).
"""

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGETS_DIR = os.path.join(ROOT, 'tests', 'integration', 'targets')
TESTING_DOC = os.path.join(ROOT, 'docs', 'testing.md')
SECTION = '## Integration targets'
ROW = re.compile(r'^\|\s*`([^`|]+)`\s*\|')


def target_dirs(targets_dir=TARGETS_DIR):
    """(targets, helpers): the directories of targets_dir, by the rule of test_targets.py."""
    targets, helpers = [], []
    for name in sorted(os.listdir(targets_dir)):
        if not os.path.isdir(os.path.join(targets_dir, name)):
            continue
        if name.startswith('setup_'):
            helpers.append(name)
        else:
            targets.append(name)
    return targets, helpers


def section_text(path=TESTING_DOC, title=SECTION):
    """The text of the section ``title`` (up to the next heading of the same level)."""
    with open(path, encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    assert title in lines, '%s has no section %r' % (path, title)
    start = lines.index(title) + 1
    end = next((n for n in range(start, len(lines)) if lines[n].startswith('## ')), len(lines))
    return lines[start:end]


def documented_targets(lines):
    """The first cell of every row of the section's table (the header and the separator are not rows)."""
    rows = [ROW.match(line).group(1).strip() for line in lines if ROW.match(line)]
    return [name for name in rows if name != 'Target']


def test_every_target_has_a_row_and_every_row_a_target():
    targets, dummy = target_dirs()
    rows = documented_targets(section_text())
    duplicates = sorted(set(name for name in rows if rows.count(name) > 1))
    assert not duplicates, 'docs/testing.md (%s): more than one row for %s' % (SECTION, duplicates)
    missing = sorted(set(targets) - set(rows))
    assert not missing, ('docs/testing.md (%s): no row for the target(s) %s; add one saying what each proves'
                         % (SECTION, missing))
    unknown = sorted(set(rows) - set(targets))
    assert not unknown, ('docs/testing.md (%s): rows for %s, which are not targets of tests/integration/targets/'
                         % (SECTION, unknown))


def test_every_directory_is_a_target_that_runs_or_a_helper_named_in_the_section():
    """A directory test_targets.py does not run (no tasks/main.yml) would be documented but never run; a helper role
    is named in the section's text, not in its table."""
    targets, helpers = target_dirs()
    not_run = [name for name in targets if not os.path.isfile(os.path.join(TARGETS_DIR, name, 'tasks', 'main.yml'))]
    assert not not_run, 'tests/integration/targets/: %s have no tasks/main.yml: test_targets.py runs nothing' % not_run
    text = '\n'.join(line for line in section_text() if not ROW.match(line))
    unnamed = [name for name in helpers if '`%s`' % name not in text]
    assert not unnamed, 'docs/testing.md (%s) does not name the helper role(s) %s' % (SECTION, unnamed)


def test_the_table_is_read_from_its_section(tmp_path):
    """The parsing: rows of this section's table only, not the header, not a table of the next section."""
    doc = tmp_path / 'testing.md'
    doc.write_text('# T\n\n## Before\n\n| Target | x |\n|---|---|\n| `before` | x |\n\n%s\n\ntext `setup_x`\n\n'
                   '| Target | What it proves |\n|---|---|\n| `one` | a \\| b |\n|  `two`  | c |\n\n## After\n\n'
                   '| `after` | x |\n' % SECTION)
    lines = section_text(str(doc))
    assert documented_targets(lines) == ['one', 'two']
    targets = tmp_path / 'targets'
    for name in ('one', 'setup_x'):
        (targets / name / 'tasks').mkdir(parents=True)
    (targets / 'README.md').write_text('not a directory')
    assert target_dirs(str(targets)) == (['one'], ['setup_x'])
