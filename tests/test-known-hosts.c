/* test-known-hosts.c: the known_hosts module against OpenSSH's own tools.
 *
 * Keys, hashed host names, fingerprints and randomart come from the real
 * ssh-keygen, so these tests prove byte-compatibility with OpenSSH rather
 * than agreement with our own idea of it.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tether-known-hosts.h"

#define SSH_KEYGEN "ssh-keygen"
#define PERMISSION_BITS 0777

typedef struct {
  const char *type;         /* ssh-keygen -t */
  const char *bits;         /* ssh-keygen -b */
  const char *type_short;   /* what ssh-keygen -l shows in parentheses */
  char *pub_path;
  char *key_type;           /* first field of the .pub file */
  char *key_base64;         /* second field */
} TestKey;

static TestKey test_keys[] = {
  { "ed25519", "256", "ED25519", NULL, NULL, NULL },
  { "rsa", "3072", "RSA", NULL, NULL, NULL },
  { "ecdsa", "256", "ECDSA", NULL, NULL, NULL },
  { "ecdsa", "521", "ECDSA", NULL, NULL, NULL },
};

enum { KEY_ED25519, KEY_RSA, KEY_ECDSA, KEY_ECDSA_521 };

/* A directory shared by the whole program for the generated keys. */
static char *keys_dir;

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            rm_rf (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    {
      g_unlink (path);
    }
}

static char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("tether-known-hosts-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* Runs ssh-keygen, asserts it succeeded, returns its stdout. */
static char *
run_keygen (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *err_out = NULL;
  char *out = NULL;
  int status;

  g_ptr_array_add (argv, (char *) SSH_KEYGEN);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err_out, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  if (error != NULL)
    g_printerr ("ssh-keygen failed: %s\n", err_out);
  g_assert_no_error (error);
  return out;
}

static gboolean
have_keygen (void)
{
  g_autofree char *path = g_find_program_in_path (SSH_KEYGEN);

  if (path == NULL)
    {
      g_test_skip ("ssh-keygen (openssh-client) is not installed");
      return FALSE;
    }
  return TRUE;
}

/* Generates the three test keys once, on first use. */
static gboolean
ensure_keys (void)
{
  if (!have_keygen ())
    return FALSE;
  if (keys_dir != NULL)
    return TRUE;

  keys_dir = make_tmp_dir ();
  for (gsize i = 0; i < G_N_ELEMENTS (test_keys); i++)
    {
      TestKey *key = &test_keys[i];
      g_autofree char *name = g_strconcat (key->type, "-", key->bits, NULL);
      g_autofree char *priv = g_build_filename (keys_dir, name, NULL);
      g_autofree char *pub_text = NULL;
      g_autofree char *out = NULL;
      g_auto(GStrv) fields = NULL;
      const char *args[] = { "-q", "-t", key->type, "-b", key->bits, "-N", "",
                             "-C", "test@tether", "-f", priv, NULL };

      out = run_keygen (args);
      key->pub_path = g_strconcat (priv, ".pub", NULL);
      g_assert_true (g_file_get_contents (key->pub_path, &pub_text, NULL, NULL));
      fields = g_strsplit (g_strstrip (pub_text), " ", 3);
      g_assert_cmpuint (g_strv_length (fields), ==, 3);
      key->key_type = g_strdup (fields[0]);
      key->key_base64 = g_strdup (fields[1]);
    }
  return TRUE;
}

static char *
read_file (const char *path,
           gsize      *len)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & PERMISSION_BITS;
}

static const TetherKnownHostsEntry *
entry_at (GPtrArray *entries,
          guint      index)
{
  g_assert_cmpuint (index, <, entries->len);
  return g_ptr_array_index (entries, index);
}

static void
test_parse (void)
{
  static const char data[] =
    "# a comment\n"                                                     /* 1 */
    "\n"                                                                /* 2 */
    "example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==\n"            /* 3 */
    "   \t \n"                                                          /* 4 */
    "  host.one,10.0.0.1\tssh-rsa AAAAB3Nz  a long  comment \n"         /* 5 */
    "only-two-fields ssh-rsa\n"                                         /* 6 */
    "sshone.example 2048 35 1234567890\n"                               /* 7 */
    "@cert-authority *.example.com ssh-ed25519 AAAA\n"                  /* 8 */
    "@revoked * ssh-rsa AAAABBBB\r\n"                                   /* 9 */
    "@bogus * ssh-rsa AAAA\n"                                           /* 10 */
    "bad.base64 ssh-rsa AA*A\n"                                         /* 11 */
    "   # indented comment ssh-rsa AAAA\n"                              /* 12 */
    "nul.example ssh-rsa AAAA\0 tail\n"                                 /* 13 */
    "last.example ecdsa-sha2-nistp256 AAAA";                            /* 14 */
  g_autoptr(GPtrArray) entries = tether_known_hosts_parse (data, sizeof data - 1);
  const TetherKnownHostsEntry *e;

  g_assert_cmpuint (entries->len, ==, 5);

  e = entry_at (entries, 0);
  g_assert_cmpuint (e->line, ==, 3);
  g_assert_cmpint (e->marker, ==, TETHER_KNOWN_HOSTS_MARKER_NONE);
  g_assert_cmpstr (e->hosts, ==, "example.com");
  g_assert_cmpstr (e->key_type, ==, "ssh-ed25519");
  g_assert_cmpstr (e->key_base64, ==, "AAAAC3NzaC1lZDI1NTE5AAAAIA==");
  g_assert_null (e->comment);

  e = entry_at (entries, 1);
  g_assert_cmpuint (e->line, ==, 5);
  g_assert_cmpstr (e->hosts, ==, "host.one,10.0.0.1");
  g_assert_cmpstr (e->key_type, ==, "ssh-rsa");
  g_assert_cmpstr (e->key_base64, ==, "AAAAB3Nz");
  g_assert_cmpstr (e->comment, ==, "a long  comment");

  e = entry_at (entries, 2);
  g_assert_cmpuint (e->line, ==, 8);
  g_assert_cmpint (e->marker, ==, TETHER_KNOWN_HOSTS_MARKER_CERT_AUTHORITY);
  g_assert_cmpstr (e->hosts, ==, "*.example.com");

  e = entry_at (entries, 3);
  g_assert_cmpuint (e->line, ==, 9);
  g_assert_cmpint (e->marker, ==, TETHER_KNOWN_HOSTS_MARKER_REVOKED);
  g_assert_cmpstr (e->hosts, ==, "*");
  g_assert_cmpstr (e->key_base64, ==, "AAAABBBB");
  g_assert_null (e->comment);

  e = entry_at (entries, 4);
  g_assert_cmpuint (e->line, ==, 14);
  g_assert_cmpstr (e->hosts, ==, "last.example");
  g_assert_cmpstr (e->key_type, ==, "ecdsa-sha2-nistp256");

  /* empty input is fine too */
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = tether_known_hosts_parse (NULL, 0);
  g_assert_cmpuint (entries->len, ==, 0);
}

static void
test_host_matches (void)
{
  const struct {
    const char *field;
    const char *host;
    guint port;
    gboolean expected;
  } cases[] = {
    { "example.com", "example.com", 22, TRUE },
    { "example.com", "example.com", 0, TRUE },
    { "example.com", "EXAMPLE.com", 22, TRUE },
    { "Example.COM", "example.com", 22, TRUE },
    { "example.com", "example.org", 22, FALSE },
    { "example.com", "example.com", 2222, FALSE },
    { "[example.com]:2222", "example.com", 2222, TRUE },
    { "[example.com]:2222", "example.com", 22, FALSE },
    { "[example.com]:2222", "example.com", 2223, FALSE },
    { "*.example.com", "www.example.com", 22, TRUE },
    { "*.example.com", "example.com", 22, FALSE },
    { "*", "anything", 22, TRUE },
    { "[*.example.com]:*", "a.example.com", 8022, TRUE },
    { "host?.lan", "host1.lan", 22, TRUE },
    { "host?.lan", "host12.lan", 22, FALSE },
    { "a*b*c", "axxbyyc", 22, TRUE },
    { "a*b*c", "axxbyy", 22, FALSE },
    { "one,two,three", "two", 22, TRUE },
    { "one,two,three", "four", 22, FALSE },
    { "one,10.0.0.1", "10.0.0.1", 22, TRUE },
    { "*.example.com,!bad.example.com", "good.example.com", 22, TRUE },
    { "*.example.com,!bad.example.com", "bad.example.com", 22, FALSE },
    /* a negated match vetoes the line even when listed after a positive one */
    { "!bad.example.com,*", "bad.example.com", 22, FALSE },
    /* a negation alone never matches */
    { "!bad.example.com", "good.example.com", 22, FALSE },
    { "", "example.com", 22, FALSE },
    /* a field starting with '|' is one hashed name, never a pattern */
    { "|example.com", "|example.com", 22, FALSE },
    { "|1|garbage|garbage", "example.com", 22, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean got = tether_known_hosts_host_matches (cases[i].field, cases[i].host,
                                                      cases[i].port);

      if (got != cases[i].expected)
        g_error ("“%s” vs %s:%u: expected %d", cases[i].field, cases[i].host,
                 cases[i].port, cases[i].expected);
    }
}

static void
test_hashed (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  const TetherKnownHostsEntry *plain;
  const TetherKnownHostsEntry *ported;
  gsize len;

  if (!ensure_keys ())
    return;

  dir = make_tmp_dir ();
  path = g_build_filename (dir, "known_hosts", NULL);
  contents = g_strdup_printf ("example.com %s %s\n[other.org]:2222 %s %s\n",
                              test_keys[KEY_ED25519].key_type,
                              test_keys[KEY_ED25519].key_base64,
                              test_keys[KEY_RSA].key_type, test_keys[KEY_RSA].key_base64);
  write_file (path, contents);
  g_clear_pointer (&contents, g_free);

  /* OpenSSH's own hashing */
  {
    const char *args[] = { "-H", "-f", path, NULL };
    out = run_keygen (args);
  }

  contents = read_file (path, &len);
  entries = tether_known_hosts_parse (contents, len);
  g_assert_cmpuint (entries->len, ==, 2);
  plain = entry_at (entries, 0);
  ported = entry_at (entries, 1);
  g_assert_true (g_str_has_prefix (plain->hosts, "|1|"));
  g_assert_true (g_str_has_prefix (ported->hosts, "|1|"));

  g_assert_true (tether_known_hosts_host_matches (plain->hosts, "example.com", 22));
  g_assert_true (tether_known_hosts_host_matches (plain->hosts, "Example.COM", 0));
  g_assert_false (tether_known_hosts_host_matches (plain->hosts, "example.org", 22));
  g_assert_false (tether_known_hosts_host_matches (plain->hosts, "example.com", 2222));
  g_assert_true (tether_known_hosts_host_matches (ported->hosts, "other.org", 2222));
  g_assert_false (tether_known_hosts_host_matches (ported->hosts, "other.org", 22));
  g_assert_false (tether_known_hosts_host_matches (ported->hosts, "example.com", 2222));

  /* check () sees through the hashing too */
  g_assert_cmpint (tether_known_hosts_check (contents, len, "example.com", 22,
                                             test_keys[KEY_ED25519].key_type,
                                             test_keys[KEY_ED25519].key_base64, NULL),
                   ==, TETHER_KNOWN_HOSTS_KNOWN);
  g_assert_cmpint (tether_known_hosts_check (contents, len, "other.org", 2222,
                                             test_keys[KEY_ED25519].key_type,
                                             test_keys[KEY_ED25519].key_base64, NULL),
                   ==, TETHER_KNOWN_HOSTS_OTHER_TYPE);

  rm_rf (dir);
}

static void
test_format_line (void)
{
  g_autofree char *line = NULL;
  g_autofree char *hashed = NULL;
  g_autofree char *hashed_again = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *found = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  const TetherKnownHostsEntry *e;

  line = tether_known_hosts_format_line ("Example.com", 22, "ssh-ed25519", "AAAA", FALSE);
  g_assert_cmpstr (line, ==, "example.com ssh-ed25519 AAAA\n");
  g_clear_pointer (&line, g_free);
  line = tether_known_hosts_format_line ("example.com", 2222, "ssh-ed25519", "AAAA", FALSE);
  g_assert_cmpstr (line, ==, "[example.com]:2222 ssh-ed25519 AAAA\n");
  g_clear_pointer (&line, g_free);
  line = tether_known_hosts_format_line ("::1", 2222, "ssh-ed25519", "AAAA", FALSE);
  g_assert_cmpstr (line, ==, "[::1]:2222 ssh-ed25519 AAAA\n");

  hashed = tether_known_hosts_format_line ("example.com", 2222, "ssh-ed25519", "AAAA", TRUE);
  hashed_again = tether_known_hosts_format_line ("example.com", 2222, "ssh-ed25519", "AAAA",
                                                 TRUE);
  g_assert_true (g_str_has_prefix (hashed, "|1|"));
  g_assert_true (g_str_has_suffix (hashed, " ssh-ed25519 AAAA\n"));
  g_assert_cmpstr (hashed, !=, hashed_again);  /* a fresh salt each time */

  entries = tether_known_hosts_parse (hashed, strlen (hashed));
  e = entry_at (entries, 0);
  g_assert_true (tether_known_hosts_host_matches (e->hosts, "example.com", 2222));
  g_assert_false (tether_known_hosts_host_matches (e->hosts, "example.com", 22));

  /* and OpenSSH finds the host in what we hashed */
  if (!ensure_keys ())
    return;
  dir = make_tmp_dir ();
  path = g_build_filename (dir, "known_hosts", NULL);
  g_clear_pointer (&hashed, g_free);
  hashed = tether_known_hosts_format_line ("example.com", 2222,
                                           test_keys[KEY_ED25519].key_type,
                                           test_keys[KEY_ED25519].key_base64, TRUE);
  contents = g_strconcat ("# first\n", hashed, NULL);
  write_file (path, contents);
  {
    const char *args[] = { "-F", "[example.com]:2222", "-f", path, NULL };
    found = run_keygen (args);
  }
  g_assert_nonnull (strstr (found, "found: line 2"));
  g_assert_nonnull (strstr (found, test_keys[KEY_ED25519].key_base64));

  rm_rf (dir);
}

static void
test_check (void)
{
  const TestKey *ed;
  const TestKey *rsa;
  const TestKey *ecdsa;
  g_autofree char *data = NULL;
  TetherKnownHostsEntry *match = NULL;
  gsize len;

  if (!ensure_keys ())
    return;
  ed = &test_keys[KEY_ED25519];
  rsa = &test_keys[KEY_RSA];
  ecdsa = &test_keys[KEY_ECDSA];

  data = g_strdup_printf (
    "# known hosts\n"                                              /* 1 */
    "known.example %s %s\n"                                        /* 2 */
    "changed.example,10.1.1.1 %s %s old key\n"                     /* 3 */
    "other.example %s %s\n"                                        /* 4 */
    "@cert-authority *.ca.example %s %s\n"                         /* 5 */
    "@revoked * %s %s\n"                                           /* 6 */
    "[rsa.example]:2022 %s %s\n"                                   /* 7 */
    "twice.example %s %s\n"                                        /* 8 */
    "twice.example %s %s\n",                                       /* 9 */
    ed->key_type, ed->key_base64,
    ed->key_type, "AAAAC3NzaC1lZDI1NTE5AAAAIOlDWHhSP+Hq2T0SK5mfGjaZrzwFm9tDmPjVgLGaMm9d",
    ecdsa->key_type, ecdsa->key_base64,
    ed->key_type, ed->key_base64,
    ecdsa->key_type, ecdsa->key_base64,
    rsa->key_type, rsa->key_base64,
    ed->key_type, "AAAAC3NzaC1lZDI1NTE5AAAAIOlDWHhSP+Hq2T0SK5mfGjaZrzwFm9tDmPjVgLGaMm9d",
    ed->key_type, ed->key_base64);
  len = strlen (data);

  /* KNOWN */
  g_assert_cmpint (tether_known_hosts_check (data, len, "known.example", 22, ed->key_type,
                                             ed->key_base64, &match),
                   ==, TETHER_KNOWN_HOSTS_KNOWN);
  g_assert_nonnull (match);
  g_assert_cmpuint (match->line, ==, 2);
  g_clear_pointer (&match, tether_known_hosts_entry_free);

  /* an RSA key negotiated as rsa-sha2-512 is still the ssh-rsa key */
  g_assert_cmpint (tether_known_hosts_check (data, len, "rsa.example", 2022, "rsa-sha2-512",
                                             rsa->key_base64, NULL),
                   ==, TETHER_KNOWN_HOSTS_KNOWN);

  /* CHANGED, pointing at the line with the old key */
  g_assert_cmpint (tether_known_hosts_check (data, len, "changed.example", 22, ed->key_type,
                                             ed->key_base64, &match),
                   ==, TETHER_KNOWN_HOSTS_CHANGED);
  g_assert_nonnull (match);
  g_assert_cmpuint (match->line, ==, 3);
  g_assert_cmpstr (match->hosts, ==, "changed.example,10.1.1.1");
  g_assert_cmpstr (match->comment, ==, "old key");
  g_clear_pointer (&match, tether_known_hosts_entry_free);

  /* the same line found through its second name */
  g_assert_cmpint (tether_known_hosts_check (data, len, "10.1.1.1", 22, ed->key_type,
                                             ed->key_base64, &match),
                   ==, TETHER_KNOWN_HOSTS_CHANGED);
  g_assert_cmpuint (match->line, ==, 3);
  g_clear_pointer (&match, tether_known_hosts_entry_free);

  /* a line with the exact key wins over an earlier line with another key */
  g_assert_cmpint (tether_known_hosts_check (data, len, "twice.example", 22, ed->key_type,
                                             ed->key_base64, &match),
                   ==, TETHER_KNOWN_HOSTS_KNOWN);
  g_assert_cmpuint (match->line, ==, 9);
  g_clear_pointer (&match, tether_known_hosts_entry_free);

  /* OTHER_TYPE */
  g_assert_cmpint (tether_known_hosts_check (data, len, "other.example", 22, ed->key_type,
                                             ed->key_base64, &match),
                   ==, TETHER_KNOWN_HOSTS_OTHER_TYPE);
  g_assert_cmpuint (match->line, ==, 4);
  g_assert_cmpstr (match->key_type, ==, ecdsa->key_type);
  g_clear_pointer (&match, tether_known_hosts_entry_free);

  /* UNKNOWN: no line, or only a port the server is not on */
  g_assert_cmpint (tether_known_hosts_check (data, len, "new.example", 22, ed->key_type,
                                             ed->key_base64, &match),
                   ==, TETHER_KNOWN_HOSTS_UNKNOWN);
  g_assert_null (match);
  g_assert_cmpint (tether_known_hosts_check (data, len, "known.example", 2222, ed->key_type,
                                             ed->key_base64, NULL),
                   ==, TETHER_KNOWN_HOSTS_UNKNOWN);
  g_assert_cmpint (tether_known_hosts_check (NULL, 0, "known.example", 22, ed->key_type,
                                             ed->key_base64, NULL),
                   ==, TETHER_KNOWN_HOSTS_UNKNOWN);

  /* @cert-authority lines say nothing about plain keys */
  g_assert_cmpint (tether_known_hosts_check (data, len, "www.ca.example", 22, ed->key_type,
                                             ed->key_base64, NULL),
                   ==, TETHER_KNOWN_HOSTS_UNKNOWN);

  /* REVOKED beats everything, even a line that lists the key */
  g_assert_cmpint (tether_known_hosts_check (data, len, "other.example", 22, ecdsa->key_type,
                                             ecdsa->key_base64, &match),
                   ==, TETHER_KNOWN_HOSTS_REVOKED);
  g_assert_cmpuint (match->line, ==, 6);
  g_clear_pointer (&match, tether_known_hosts_entry_free);
  g_assert_cmpint (tether_known_hosts_check (data, len, "anywhere.example", 22,
                                             ecdsa->key_type, ecdsa->key_base64, NULL),
                   ==, TETHER_KNOWN_HOSTS_REVOKED);
}

static void
assert_bytes (const char *got,
              gsize       got_len,
              const char *expected,
              gsize       expected_len)
{
  g_assert_nonnull (got);
  g_assert_cmpmem (got, got_len, expected, expected_len);
}

static void
test_replace_line (void)
{
  static const char lf[] = "# head\nold.example ssh-rsa AAAA\nkeep ssh-rsa BBBB\n";
  static const char lf_want[] = "# head\nnew.example ssh-ed25519 CCCC\nkeep ssh-rsa BBBB\n";
  static const char crlf[] = "# head\r\nold.example ssh-rsa AAAA\r\nkeep ssh-rsa BBBB\r\n";
  static const char crlf_want[] =
    "# head\r\nnew.example ssh-ed25519 CCCC\r\nkeep ssh-rsa BBBB\r\n";
  static const char no_nl[] = "first ssh-rsa AAAA\n\n  odd\tspacing  \nold ssh-rsa AAAA";
  static const char no_nl_want[] =
    "first ssh-rsa AAAA\n\n  odd\tspacing  \nnew.example ssh-ed25519 CCCC";
  static const char first_want[] = "new.example ssh-ed25519 CCCC\n\n  odd\tspacing  \n"
                                   "old ssh-rsa AAAA";
  const char *new_line = "new.example ssh-ed25519 CCCC\n";
  g_autofree char *out = NULL;
  gsize out_len;

  out = tether_known_hosts_replace_line (lf, sizeof lf - 1, 2, new_line, &out_len);
  assert_bytes (out, out_len, lf_want, sizeof lf_want - 1);
  g_clear_pointer (&out, g_free);

  out = tether_known_hosts_replace_line (crlf, sizeof crlf - 1, 2, new_line, &out_len);
  assert_bytes (out, out_len, crlf_want, sizeof crlf_want - 1);
  g_clear_pointer (&out, g_free);

  /* the last line keeps having no newline; a new_line without one works too */
  out = tether_known_hosts_replace_line (no_nl, sizeof no_nl - 1, 4,
                                         "new.example ssh-ed25519 CCCC", &out_len);
  assert_bytes (out, out_len, no_nl_want, sizeof no_nl_want - 1);
  g_clear_pointer (&out, g_free);

  out = tether_known_hosts_replace_line (no_nl, sizeof no_nl - 1, 1, new_line, &out_len);
  assert_bytes (out, out_len, first_want, sizeof first_want - 1);
  g_clear_pointer (&out, g_free);

  /* out of range: line 0, past the end, after the final newline, empty data */
  g_assert_null (tether_known_hosts_replace_line (lf, sizeof lf - 1, 0, new_line, NULL));
  g_assert_null (tether_known_hosts_replace_line (lf, sizeof lf - 1, 4, new_line, NULL));
  g_assert_null (tether_known_hosts_replace_line (lf, sizeof lf - 1, 99, new_line, NULL));
  g_assert_null (tether_known_hosts_replace_line (no_nl, sizeof no_nl - 1, 5, new_line,
                                                  NULL));
  g_assert_null (tether_known_hosts_replace_line ("", 0, 1, new_line, NULL));
}

/* The art lines (starting with '+' or '|') of `ssh-keygen -lv`. */
static char *
keygen_randomart (const char *keygen_output)
{
  g_auto(GStrv) lines = g_strsplit (keygen_output, "\n", -1);
  g_autoptr(GString) art = g_string_new (NULL);

  for (gsize i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] != '+' && lines[i][0] != '|')
        continue;
      if (art->len > 0)
        g_string_append_c (art, '\n');
      g_string_append (art, lines[i]);
    }
  return g_string_free (g_steal_pointer (&art), FALSE);
}

static void
test_fingerprint (void)
{
  if (!ensure_keys ())
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (test_keys); i++)
    {
      const TestKey *key = &test_keys[i];
      const char *list_args[] = { "-l", "-E", "sha256", "-f", key->pub_path, NULL };
      const char *art_args[] = { "-lv", "-E", "sha256", "-f", key->pub_path, NULL };
      g_autofree char *listing = run_keygen (list_args);
      g_autofree char *verbose = run_keygen (art_args);
      g_auto(GStrv) fields = g_strsplit (listing, " ", -1);
      g_autofree char *fingerprint = NULL;
      g_autofree char *from_blob = NULL;
      g_autofree char *art = NULL;
      g_autofree char *expected_art = NULL;
      g_autofree char *type_short = NULL;
      g_autofree guint8 *blob = NULL;
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[32];
      gsize digest_len = sizeof digest;
      guint bits = 0;
      gsize blob_len;
      char expected_suffix[64];

      g_test_message ("%s key: %s", key->type, g_strstrip (listing));

      /* "256 SHA256:... comment (ED25519)" */
      g_assert_cmpuint (g_strv_length (fields), >=, 3);
      fingerprint = tether_known_hosts_fingerprint_from_base64 (key->key_base64);
      g_assert_cmpstr (fingerprint, ==, fields[1]);

      blob = g_base64_decode (key->key_base64, &blob_len);
      from_blob = tether_known_hosts_fingerprint_sha256 (blob, blob_len);
      g_assert_cmpstr (from_blob, ==, fields[1]);

      g_assert_true (tether_known_hosts_describe_key (blob, blob_len, &type_short, &bits));
      g_assert_cmpstr (type_short, ==, key->type_short);
      g_assert_cmpuint (bits, ==, g_ascii_strtoull (fields[0], NULL, 10));
      g_assert_cmpuint (bits, ==, g_ascii_strtoull (key->bits, NULL, 10));
      g_snprintf (expected_suffix, sizeof expected_suffix, "(%s)", type_short);
      g_assert_true (g_str_has_suffix (listing, expected_suffix));

      g_checksum_update (checksum, blob, blob_len);
      g_checksum_get_digest (checksum, digest, &digest_len);
      art = tether_known_hosts_randomart (digest, digest_len, type_short, bits);
      expected_art = keygen_randomart (verbose);
      g_assert_cmpstr (art, ==, expected_art);
    }

  g_assert_null (tether_known_hosts_fingerprint_from_base64 ("not base64!"));
  g_assert_null (tether_known_hosts_fingerprint_from_base64 (""));
  g_assert_null (tether_known_hosts_fingerprint_from_base64 ("AAA"));
  g_assert_false (tether_known_hosts_describe_key ((const guint8 *) "\0\0\0\x07ssh-rs", 10,
                                                   NULL, NULL));
}

static void
test_randomart_layout (void)
{
  guint8 zeros[32] = { 0 };
  g_autofree char *art = tether_known_hosts_randomart (zeros, sizeof zeros, "ED25519", 256);
  g_autofree char *long_title = NULL;
  g_auto(GStrv) lines = g_strsplit (art, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 11);
  g_assert_cmpstr (lines[0], ==, "+--[ED25519 256]--+");
  g_assert_cmpstr (lines[10], ==, "+----[SHA256]-----+");
  for (gsize i = 0; lines[i] != NULL; i++)
    g_assert_cmpuint (strlen (lines[i]), ==, 19);

  /* a title that cannot fit drops the size, and is cut to fit, as OpenSSH does */
  long_title = tether_known_hosts_randomart (zeros, sizeof zeros, "ED25519-CERT", 256);
  g_assert_true (g_str_has_prefix (long_title, "+-[ED25519-CERT]--+\n"));
  g_clear_pointer (&long_title, g_free);
  long_title = tether_known_hosts_randomart (zeros, sizeof zeros, "ED25519-SK-CERT", 256);
  g_assert_true (g_str_has_prefix (long_title, "+[ED25519-SK-CERT-+\n"));
}

static void
test_entry_format_with_key (void)
{
  static const char data[] = "@revoked a.example,b.example ssh-rsa AAAA my  note\n";
  g_autoptr(GPtrArray) entries = tether_known_hosts_parse (data, sizeof data - 1);
  g_autofree char *line = NULL;

  line = tether_known_hosts_entry_format_with_key (entry_at (entries, 0), "ssh-ed25519",
                                                   "CCCC");
  g_assert_cmpstr (line, ==, "@revoked a.example,b.example ssh-ed25519 CCCC my  note\n");
}

static void
test_add_to_file (void)
{
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *ssh_dir = g_build_filename (dir, "home", ".ssh", NULL);
  g_autofree char *path = g_build_filename (ssh_dir, "known_hosts", NULL);
  g_autofree char *other = g_build_filename (dir, "other_hosts", NULL);
  g_autofree char *crlf = g_build_filename (dir, "crlf_hosts", NULL);
  g_autofree char *target = g_build_filename (dir, "target_hosts", NULL);
  g_autofree char *link = g_build_filename (dir, "link_hosts", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  /* creates the folder (0700) and the file (0600) */
  g_assert_true (tether_known_hosts_add_to_file (path, "one.example ssh-rsa AAAA\n", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (ssh_dir), ==, 0700);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  contents = read_file (path, &len);
  g_assert_cmpstr (contents, ==, "one.example ssh-rsa AAAA\n");
  g_clear_pointer (&contents, g_free);

  /* appends */
  g_assert_true (tether_known_hosts_add_to_file (path, "two.example ssh-rsa BBBB", &error));
  g_assert_no_error (error);
  contents = read_file (path, &len);
  g_assert_cmpstr (contents, ==, "one.example ssh-rsa AAAA\ntwo.example ssh-rsa BBBB\n");
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_clear_pointer (&contents, g_free);

  /* keeps another mode, and never glues onto a last line without newline */
  write_file (other, "# mine\nlast.example ssh-rsa AAAA");
  g_assert_cmpint (g_chmod (other, 0644), ==, 0);
  g_assert_true (tether_known_hosts_add_to_file (other, "new.example ssh-rsa BBBB\n", &error));
  g_assert_no_error (error);
  contents = read_file (other, &len);
  g_assert_cmpstr (contents, ==,
                   "# mine\nlast.example ssh-rsa AAAA\nnew.example ssh-rsa BBBB\n");
  g_assert_cmpuint (file_mode (other), ==, 0644);
  g_clear_pointer (&contents, g_free);

  /* a CRLF file gets a CRLF line */
  write_file (crlf, "a.example ssh-rsa AAAA\r\n");
  g_assert_true (tether_known_hosts_add_to_file (crlf, "b.example ssh-rsa BBBB\n", &error));
  g_assert_no_error (error);
  contents = read_file (crlf, &len);
  g_assert_cmpstr (contents, ==, "a.example ssh-rsa AAAA\r\nb.example ssh-rsa BBBB\r\n");
  g_clear_pointer (&contents, g_free);

  /* through a symlink the target is updated and the link stays a link */
  write_file (target, "t.example ssh-rsa AAAA\n");
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_true (tether_known_hosts_add_to_file (link, "u.example ssh-rsa BBBB\n", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  contents = read_file (target, &len);
  g_assert_cmpstr (contents, ==, "t.example ssh-rsa AAAA\nu.example ssh-rsa BBBB\n");
  g_clear_pointer (&contents, g_free);

  rm_rf (dir);
}

static void
test_replace_in_file (void)
{
  static const char original[] =
    "# keep me\r\n"
    "old.example,10.0.0.9 ssh-ed25519 AAAAOLD= note\r\n"
    "other.example ssh-rsa BBBB";
  static const char replaced[] =
    "# keep me\r\n"
    "old.example,10.0.0.9 ssh-ed25519 CCCCNEW= note\r\n"
    "other.example ssh-rsa BBBB";
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "known_hosts", NULL);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *new_line = NULL;
  gsize len;

  write_file (path, original);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  entries = tether_known_hosts_parse (original, sizeof original - 1);
  new_line = tether_known_hosts_entry_format_with_key (entry_at (entries, 0), "ssh-ed25519",
                                                       "CCCCNEW=");

  /* refuses when the line no longer holds the key the user was shown */
  g_assert_false (tether_known_hosts_replace_in_file (path, 2, "AAAAOTHER=", new_line,
                                                      &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (tether_known_hosts_replace_in_file (path, 3, "AAAAOLD=", new_line,
                                                      &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (tether_known_hosts_replace_in_file (path, 1, "AAAAOLD=", new_line,
                                                      &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  contents = read_file (path, &len);
  assert_bytes (contents, len, original, sizeof original - 1);
  g_clear_pointer (&contents, g_free);

  /* replaces that line only */
  g_assert_true (tether_known_hosts_replace_in_file (path, 2, "AAAAOLD=", new_line, &error));
  g_assert_no_error (error);
  contents = read_file (path, &len);
  assert_bytes (contents, len, replaced, sizeof replaced - 1);
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_clear_pointer (&contents, g_free);

  /* a missing file is a G_IO_ERROR */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_false (tether_known_hosts_replace_in_file (path, 2, "CCCCNEW=", new_line, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tether/known-hosts/parse", test_parse);
  g_test_add_func ("/tether/known-hosts/host-matches", test_host_matches);
  g_test_add_func ("/tether/known-hosts/hashed", test_hashed);
  g_test_add_func ("/tether/known-hosts/format-line", test_format_line);
  g_test_add_func ("/tether/known-hosts/check", test_check);
  g_test_add_func ("/tether/known-hosts/replace-line", test_replace_line);
  g_test_add_func ("/tether/known-hosts/fingerprint", test_fingerprint);
  g_test_add_func ("/tether/known-hosts/randomart-layout", test_randomart_layout);
  g_test_add_func ("/tether/known-hosts/entry-format-with-key", test_entry_format_with_key);
  g_test_add_func ("/tether/known-hosts/add-to-file", test_add_to_file);
  g_test_add_func ("/tether/known-hosts/replace-in-file", test_replace_in_file);

  ret = g_test_run ();

  if (keys_dir != NULL)
    rm_rf (keys_dir);
  g_clear_pointer (&keys_dir, g_free);
  for (gsize i = 0; i < G_N_ELEMENTS (test_keys); i++)
    {
      g_clear_pointer (&test_keys[i].pub_path, g_free);
      g_clear_pointer (&test_keys[i].key_type, g_free);
      g_clear_pointer (&test_keys[i].key_base64, g_free);
    }

  return ret;
}
