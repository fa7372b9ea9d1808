#!/usr/bin/env python3
# Checks the application icons: each must be well-formed SVG with the view box the icon
# theme expects, a symbolic icon may use only the one colour GTK recolours, and, where
# librsvg's GdkPixbuf loader is available, each must actually render.
#
# Usage: check-icons.py --size N [--symbolic] FILE.svg

import argparse
import re
import sys
import xml.etree.ElementTree as ET

SVG_NS = '{http://www.w3.org/2000/svg}'
# GTK recolours symbolic icons by replacing this foreground colour.
SYMBOLIC_COLOUR = '#2e3436'
COLOUR_ATTRS = ('fill', 'stroke', 'stop-color', 'color')


def colours_of(element):
    for attr in COLOUR_ATTRS:
        value = element.get(attr)
        if value is not None:
            yield attr, value.strip().lower()
    for decl in (element.get('style') or '').split(';'):
        if ':' in decl:
            name, value = decl.split(':', 1)
            if name.strip() in COLOUR_ATTRS:
                yield name.strip(), value.strip().lower()


def try_render(path, size):
    """Renders with librsvg through GdkPixbuf; returns an error string or None."""
    try:
        import gi
        gi.require_version('GdkPixbuf', '2.0')
        from gi.repository import GdkPixbuf, GLib
    except (ImportError, ValueError):
        return None
    if not any('svg' in f.get_name() for f in GdkPixbuf.Pixbuf.get_formats()):
        return None
    try:
        pixbuf = GdkPixbuf.Pixbuf.new_from_file_at_size(path, size, size)
    except GLib.Error as e:
        return 'does not render: {}'.format(e.message)
    if pixbuf.get_width() != size or pixbuf.get_height() != size:
        return 'renders at {}x{}, not {}x{}'.format(pixbuf.get_width(), pixbuf.get_height(),
                                                    size, size)
    return None


def check(path, size, symbolic):
    errors = []
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        return ['not well-formed XML: {}'.format(e)]

    if root.tag != SVG_NS + 'svg':
        errors.append('root element is {}, not an SVG <svg>'.format(root.tag))
    view_box = re.split(r'[\s,]+', (root.get('viewBox') or '').strip())
    if view_box != ['0', '0', str(size), str(size)]:
        errors.append('viewBox is "{}", expected "0 0 {} {}"'.format(root.get('viewBox'),
                                                                  size, size))
    if sum(1 for el in root.iter() if el.tag.startswith(SVG_NS) and
           el.tag[len(SVG_NS):] in ('path', 'rect', 'circle', 'ellipse', 'polygon')) == 0:
        errors.append('draws nothing')

    if symbolic:
        for el in root.iter():
            for attr, value in colours_of(el):
                if value not in ('none', SYMBOLIC_COLOUR, 'currentcolor'):
                    errors.append('{} {}="{}": a symbolic icon may use only {}'.format(
                        el.tag[len(SVG_NS):], attr, value, SYMBOLIC_COLOUR))

    render_error = try_render(path, size)
    if render_error:
        errors.append(render_error)
    return errors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size', type=int, required=True)
    parser.add_argument('--symbolic', action='store_true')
    parser.add_argument('files', nargs='+')
    args = parser.parse_args()

    failed = False
    for path in args.files:
        for error in check(path, args.size, args.symbolic):
            print('{}: {}'.format(path, error), file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
