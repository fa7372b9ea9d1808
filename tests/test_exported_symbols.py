# test_exported_symbols.py: libtether-1.so exports its public API and nothing else.
#
#   test_exported_symbols.py NM LIBRARY GIR|- PUBLIC-HEADER...
#
# The core is compiled with -fvisibility=hidden and each public declaration is marked
# TETHER_AVAILABLE_IN_ALL (see tether-version.h). This test fails both ways: when a private
# helper (`_tether_…`, a -private.h declaration, a static parser) leaks into the dynamic symbol
# table, and when a function of a public header is not exported, which is what forgetting the
# macro on a new function does (its GIR entry would then fail at run time).
import re
import subprocess
import sys
import unittest

import taptestrunner

NM, LIBRARY, GIR = sys.argv[1:4]
HEADERS = sys.argv[4:]


def exported_symbols():
    out = subprocess.run([NM, "-D", "--defined-only", LIBRARY],
                         check=True, capture_output=True, text=True).stdout
    # "ADDRESS TYPE NAME"; drop the symbol versions nm may append.
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def declared_symbols():
    """The functions the public headers declare, and the get_type of each G_DECLARE_* type."""
    names = set()
    for path in HEADERS:
        with open(path) as f:
            text = f.read()
        # Comments may name private functions; #define lines only refer to declared ones.
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        text = re.sub(r"^\s*#.*(\\\n.*)*$", "", text, flags=re.M)
        names |= set(re.findall(r"\b(tether_\w+)\s*\(", text))
        for prefix in re.findall(r"G_DECLARE_\w+\s*\(\s*\w+\s*,\s*(\w+)\s*,", text):
            names.add(prefix + "_get_type")
    return names


def gir_symbols():
    with open(GIR) as f:
        text = f.read()
    return (set(re.findall(r'c:identifier="(tether_\w+)"', text))
            | set(re.findall(r'glib:get-type="(\w+)"', text)))


class ExportedSymbolsTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.exported = exported_symbols()
        cls.declared = declared_symbols()

    def test_exports_something(self):
        # A library that failed to export anything would pass every test below.
        self.assertIn("tether_connection_get_type", self.exported)
        self.assertIn("tether_get_version", self.exported)
        self.assertGreater(len(self.declared), 100)

    def test_no_private_names(self):
        bad = sorted(s for s in self.exported if not s.startswith("tether_"))
        self.assertEqual(bad, [], "symbols outside the public tether_ namespace are exported")

    def test_only_public_declarations(self):
        extra = sorted(self.exported - self.declared)
        self.assertEqual(extra, [], "exported, but declared in no public header")

    def test_every_public_declaration_exported(self):
        missing = sorted(self.declared - self.exported)
        self.assertEqual(missing, [], "declared in a public header but not exported: "
                                      "mark it TETHER_AVAILABLE_IN_ALL")

    @unittest.skipIf(GIR == "-", "no GIR in this build")
    def test_gir_matches_exports(self):
        gir = gir_symbols()
        self.assertEqual(sorted(gir - self.exported), [], "in the GIR but not exported")
        self.assertEqual(sorted(self.exported - gir), [], "exported but not in the GIR")


if __name__ == "__main__":
    taptestrunner.main()
