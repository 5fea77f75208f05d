# -*- coding: utf-8 -*-
# Copyright (c) 2026, domainsec.onboard contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unpack one collection out of the `ansible` package's wheel (used by scripts/fetch-collections.sh).

    unpack_wheel_collection.py WHEEL DEST PREFIX

Writes every file of the wheel under PREFIX (``ansible_collections/<namespace>/<name>/``) below DEST, keeping the
path, and prints how many it wrote. A member whose path would leave DEST is refused.
"""

import os
import sys
import zipfile


def main(wheel, dest, prefix):
    count = 0
    root = os.path.realpath(dest)
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.infolist():
            name = member.filename
            if not name.startswith(prefix) or member.is_dir():
                continue
            target = os.path.realpath(os.path.join(dest, name))
            if not target.startswith(root + os.sep):
                sys.exit('unsafe path in the wheel: %s' % name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with archive.open(member) as source, open(target, 'wb') as out:
                out.write(source.read())
            count += 1
    if not count:
        sys.exit('the wheel holds no %s' % prefix)
    print(count)


if __name__ == '__main__':
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:4])
