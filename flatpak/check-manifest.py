#!/usr/bin/env python3
# Checks the Flatpak manifest without flatpak-builder (which needs the network): it must be
# strict JSON, name the right application and command, and pin every git source by tag so
# that a build is reproducible.
#
# Usage: check-manifest.py MANIFEST APP_ID COMMAND

import json
import sys

# Sandbox holes the app cannot work without; dropping one is a regression, not a cleanup.
REQUIRED_FINISH_ARGS = [
    '--share=network',
    '--socket=wayland',
    '--socket=ssh-auth',
    '--filesystem=~/.ssh:create',
]


def check(manifest, app_id, command):
    errors = []
    manifest_id = manifest.get('id', manifest.get('app-id'))
    if manifest_id != app_id:
        errors.append('id is {!r}, expected {!r}'.format(manifest_id, app_id))
    if manifest.get('command') != command:
        errors.append('command is {!r}, expected {!r}'.format(manifest.get('command'), command))
    for key in ('runtime', 'runtime-version', 'sdk'):
        if not manifest.get(key):
            errors.append('{} is missing'.format(key))

    finish_args = manifest.get('finish-args', [])
    for arg in REQUIRED_FINISH_ARGS:
        if arg not in finish_args:
            errors.append('finish-args lacks {}'.format(arg))
    if '--filesystem=home' in finish_args or '--filesystem=host' in finish_args:
        errors.append('finish-args grants the whole home or host file system')

    modules = manifest.get('modules', [])
    if not modules:
        errors.append('no modules')
    for module in modules:
        if isinstance(module, str):
            continue  # an included file
        name = module.get('name', '?')
        if not module.get('buildsystem'):
            errors.append('module {} has no buildsystem'.format(name))
        for source in module.get('sources', []):
            if source.get('type') == 'git' and not (source.get('tag') or source.get('commit')):
                errors.append('module {}: git source {} is not pinned'.format(
                    name, source.get('url')))
    if modules and modules[-1].get('name') != command:
        errors.append('the last module should be the app itself ({})'.format(command))
    return errors


def main():
    if len(sys.argv) != 4:
        print('usage: check-manifest.py MANIFEST APP_ID COMMAND', file=sys.stderr)
        return 2
    path, app_id, command = sys.argv[1:]
    try:
        with open(path, encoding='utf-8') as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print('{}: {}'.format(path, e), file=sys.stderr)
        return 1
    errors = check(manifest, app_id, command)
    for error in errors:
        print('{}: {}'.format(path, error), file=sys.stderr)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
