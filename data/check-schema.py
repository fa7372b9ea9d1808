#!/usr/bin/env python3
# Loads the compiled GSettings schema the way the app and the tests do (from
# GSETTINGS_SCHEMA_DIR-style directory) and checks that every key is documented and
# that the keys the app reads have the defaults the design promises.
#
# Usage: check-schema.py SCHEMA_DIR SCHEMA_ID

import sys

import gi
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

# The keys other code relies on, with their types and defaults.
EXPECTED = {
    'window-width': ('i', 1100),
    'window-height': ('i', 720),
    'window-maximized': ('b', False),
    'use-system-font': ('b', True),
    'font': ('s', 'Monospace 11'),
    'scrollback-lines': ('i', 10000),
    'color-scheme': ('s', 'system'),
    'confirm-multiline-paste': ('b', True),
    'audible-bell': ('b', False),
    'auto-reconnect': ('b', False),
    'default-server-alive-interval': ('u', 60),
}
COLOR_SCHEMES = ['system', 'light', 'dark']


def main(schema_dir, schema_id):
    errors = []
    try:
        source = Gio.SettingsSchemaSource.new_from_directory(schema_dir, None, True)
    except GLib.Error as e:
        print('cannot load schemas from {}: {}'.format(schema_dir, e.message), file=sys.stderr)
        return 1
    schema = source.lookup(schema_id, False)
    if schema is None:
        print('schema {} not in {}'.format(schema_id, schema_dir), file=sys.stderr)
        return 1

    keys = set(schema.list_keys())
    for name in sorted(keys):
        key = schema.get_key(name)
        if not (key.get_summary() or '').strip():
            errors.append('key {} has no <summary>'.format(name))
        if not (key.get_description() or '').strip():
            errors.append('key {} has no <description>'.format(name))

    for name, (type_string, default) in EXPECTED.items():
        if name not in keys:
            errors.append('key {} is missing'.format(name))
            continue
        value = schema.get_key(name).get_default_value()
        if value.get_type_string() != type_string or value.unpack() != default:
            errors.append('key {} defaults to {}, expected {!r} of type {}'.format(
                name, value.print_(True), default, type_string))

    if 'color-scheme' in keys:
        key = schema.get_key('color-scheme')
        range_type, choices = key.get_range().unpack()
        if range_type != 'enum' or sorted(choices) != sorted(COLOR_SCHEMES):
            errors.append('color-scheme allows {} {}, expected enum {}'.format(
                range_type, choices, COLOR_SCHEMES))
        elif key.range_check(GLib.Variant('s', 'sepia')):
            errors.append('color-scheme accepts an unknown value')

    if 'scrollback-lines' in keys and \
       not schema.get_key('scrollback-lines').range_check(GLib.Variant('i', -1)):
        errors.append('scrollback-lines does not accept -1 (unlimited)')

    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == '__main__':
    if len(sys.argv) != 3:
        print('usage: check-schema.py SCHEMA_DIR SCHEMA_ID', file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
