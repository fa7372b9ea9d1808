/* fuzz-known-hosts.c: libFuzzer target for the known_hosts parser and editor.
 *
 * The input is a known_hosts file. Every entry parsed from it is fed back
 * through the matcher, the checker, the fingerprinting and the line editor,
 * so hostile host patterns, hashed names and key blobs all get exercised.
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "tether-known-hosts.h"

/* A real ed25519 key, so check () can reach KNOWN and CHANGED too. */
#define FUZZ_KEY_TYPE "ssh-ed25519"
#define FUZZ_KEY_BASE64 "AAAAC3NzaC1lZDI1NTE5AAAAIOlDWHhSP+Hq2T0SK5mfGjaZrzwFm9tDmPjVgLGaMm9d"
#define FUZZ_NEW_LINE "fuzz.example ssh-ed25519 " FUZZ_KEY_BASE64 "\n"

/* Bounds the per-input work so that one input cannot time the fuzzer out. */
#define FUZZ_MAX_ENTRIES 64
#define FUZZ_MAX_LINES 8

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

static void
fuzz_entry (const char                  *text,
            gsize                        len,
            const TetherKnownHostsEntry *entry)
{
  g_autofree char *fingerprint = NULL;
  g_autofree char *line = NULL;
  g_autofree guint8 *blob = NULL;
  g_autofree char *type_short = NULL;
  TetherKnownHostsEntry *match = NULL;
  guint bits = 0;
  gsize blob_len = 0;

  /* the hosts field doubles as a host name: patterns against themselves */
  tether_known_hosts_host_matches (entry->hosts, "fuzz.example", 22);
  tether_known_hosts_host_matches (entry->hosts, entry->hosts, 2222);

  tether_known_hosts_check (text, len, "fuzz.example", 22, entry->key_type,
                            entry->key_base64, &match);
  g_clear_pointer (&match, tether_known_hosts_entry_free);

  fingerprint = tether_known_hosts_fingerprint_from_base64 (entry->key_base64);
  if (fingerprint != NULL)
    {
      guint8 digest[32] = { 0 };

      blob = g_base64_decode (entry->key_base64, &blob_len);
      if (tether_known_hosts_describe_key (blob, blob_len, &type_short, &bits))
        {
          g_autofree char *art = NULL;

          memcpy (digest, blob, MIN (blob_len, sizeof digest));
          art = tether_known_hosts_randomart (digest, sizeof digest, type_short, bits);
        }
    }

  line = tether_known_hosts_entry_format_with_key (entry, FUZZ_KEY_TYPE, FUZZ_KEY_BASE64);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        gsize         size)
{
  const char *text = (const char *) data;
  g_autoptr(GPtrArray) entries = NULL;
  TetherKnownHostsEntry *match = NULL;

  entries = tether_known_hosts_parse (text, size);
  for (guint i = 0; i < entries->len && i < FUZZ_MAX_ENTRIES; i++)
    fuzz_entry (text, size, g_ptr_array_index (entries, i));

  tether_known_hosts_check (text, size, "fuzz.example", 2222, FUZZ_KEY_TYPE,
                            FUZZ_KEY_BASE64, &match);
  g_clear_pointer (&match, tether_known_hosts_entry_free);

  for (guint line = 0; line <= FUZZ_MAX_LINES; line++)
    {
      g_autofree char *replaced = NULL;
      g_autoptr(GPtrArray) reparsed = NULL;
      gboolean found = FALSE;
      gsize replaced_len = 0;

      replaced = tether_known_hosts_replace_line (text, size, line, FUZZ_NEW_LINE,
                                                  &replaced_len);
      if (replaced == NULL)
        continue;

      /* the new entry sits exactly at the line it replaced */
      reparsed = tether_known_hosts_parse (replaced, replaced_len);
      for (guint i = 0; i < reparsed->len; i++)
        {
          const TetherKnownHostsEntry *entry = g_ptr_array_index (reparsed, i);

          if (entry->line == line)
            found = g_str_equal (entry->key_base64, FUZZ_KEY_BASE64);
        }
      g_assert (found);
    }

  return 0;
}
