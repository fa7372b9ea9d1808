#!/usr/bin/env python3
# Keeps po/POTFILES.in in step with the sources: every file with a translatable string must
# be listed (or its strings never reach translators), and every listed file must exist (or
# xgettext fails when the .pot file is regenerated).
#
# Usage: check-potfiles.py [--xgettext XGETTEXT] [SOURCE_ROOT]
#
# With --xgettext it also runs the extraction as `ninja tether-pot` would and checks that
# every listed file yields at least one message, so that a file xgettext cannot parse, or an
# ITS rule it lacks, fails a test rather than the next release.
#
# Translatable means: _(), N_(), C_(), NC_() or the ngettext family in C sources and headers
# (outside comments), translatable="yes" in GtkBuilder files, and the desktop entry, AppStream
# metainfo and GSettings schema files in data/. Files in po/POTFILES.skip are not required.

import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

C_PATTERNS = ('src/**/*.c', 'src/**/*.h')
UI_PATTERNS = ('ui/**/*.ui', 'src/**/*.ui')
DATA_PATTERNS = ('data/*.in', 'data/*.xml.in', 'data/*.gschema.xml')

# Comments and the contents of literals are blanked out so that a "_(" in prose or in a
# string does not count; literals are matched first so that "/*" in a string is no comment.
C_TOKEN_RE = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*', re.S)
C_GETTEXT_RE = re.compile(
    r'(?<![\w.>])(?:_|N_|C_|NC_|Q_|ngettext|g_dngettext|g_dpgettext2?|g_dgettext)\s*\(')
UI_TRANSLATABLE_RE = re.compile(r'\btranslatable\s*=\s*["\'](?:yes|true|1)["\']', re.I)
DESKTOP_TRANSLATABLE_RE = re.compile(r'^(?:Name|GenericName|Comment|Keywords)\s*=', re.M)
METAINFO_TRANSLATABLE_RE = re.compile(r'<(?:name|summary|p|li|caption|keyword)[\s>]')
SCHEMA_TRANSLATABLE_RE = re.compile(r'<(?:summary|description)[\s>]')


def strip_c_comments_and_literals(text):
    return C_TOKEN_RE.sub(lambda m: ' ' if m.group(0)[0] == '/' else '""', text)


def is_translatable(path):
    try:
        text = path.read_text(encoding='utf-8')
    except UnicodeDecodeError:
        return False
    name = path.name
    if name.endswith(('.c', '.h')):
        return bool(C_GETTEXT_RE.search(strip_c_comments_and_literals(text)))
    if name.endswith('.ui'):
        return bool(UI_TRANSLATABLE_RE.search(text))
    if name.endswith('.desktop.in'):
        return bool(DESKTOP_TRANSLATABLE_RE.search(text))
    if name.endswith(('.metainfo.xml.in', '.appdata.xml.in')):
        return bool(METAINFO_TRANSLATABLE_RE.search(text))
    if name.endswith(('.gschema.xml', '.gschema.xml.in')):
        return bool(SCHEMA_TRANSLATABLE_RE.search(text))
    return False


def read_list(path):
    """Returns the entries of a POTFILES-style list: one path a line, '#' comments."""
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding='utf-8').splitlines():
        line = line.strip()
        if line and not line.startswith('#'):
            entries.append(line)
    return entries


# The keywords of meson's i18n 'glib' preset.
XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments',
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
]


def check_extraction(xgettext, root, listed):
    """Runs xgettext over the listed files; returns a list of errors."""
    existing = [entry for entry in listed if (root / entry).is_file()]
    if not existing:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        pot = pathlib.Path(tmp) / 'check.pot'
        files_from = pathlib.Path(tmp) / 'POTFILES'
        files_from.write_text('\n'.join(existing) + '\n', encoding='utf-8')
        result = subprocess.run([xgettext, '--directory=' + str(root),
                                 '--files-from=' + str(files_from),
                                 '--output=' + str(pot)] + XGETTEXT_ARGS,
                                capture_output=True, text=True)
        if result.returncode != 0:
            return ['xgettext failed:\n' + result.stderr.strip()]
        text = pot.read_text(encoding='utf-8') if pot.exists() else ''
    referenced = set(re.findall(r'^#: (.*)$', text, re.M))
    referenced = {ref.rsplit(':', 1)[0] for line in referenced for ref in line.split()}
    return ['xgettext finds no translatable string in {}; remove it from po/POTFILES.in'
            .format(entry) for entry in existing if entry not in referenced]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--xgettext', help='also run this xgettext over the listed files')
    parser.add_argument('root', nargs='?',
                        default=pathlib.Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    root = pathlib.Path(args.root)
    potfiles_in = root / 'po' / 'POTFILES.in'
    if not potfiles_in.exists():
        print('{} does not exist'.format(potfiles_in), file=sys.stderr)
        return 1

    listed = read_list(potfiles_in)
    skipped = set(read_list(root / 'po' / 'POTFILES.skip'))
    errors = []

    seen = set()
    for entry in listed:
        if entry in seen:
            errors.append('po/POTFILES.in lists {} twice'.format(entry))
        seen.add(entry)
        if not (root / entry).is_file():
            errors.append('po/POTFILES.in lists {}, which does not exist'.format(entry))

    candidates = set()
    for pattern in C_PATTERNS + UI_PATTERNS + DATA_PATTERNS:
        candidates.update(p for p in root.glob(pattern) if p.is_file())
    for path in sorted(candidates):
        relative = path.relative_to(root).as_posix()
        if relative in seen or relative in skipped:
            continue
        if is_translatable(path):
            errors.append('{} has translatable strings but is not in po/POTFILES.in'.format(
                relative))

    if args.xgettext:
        errors += check_extraction(args.xgettext, root, listed)

    for error in errors:
        print(error, file=sys.stderr)
    if not errors:
        print('po/POTFILES.in lists all {} files with translatable strings'.format(len(listed)))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
