/* tether-known-hosts.c: OpenSSH known_hosts files, read and written byte-exactly.
 *
 * Tether shares ~/.ssh/known_hosts with OpenSSH, so this follows OpenSSH's
 * hostfile.c and match.c: the same line syntax, host patterns, hashed names,
 * fingerprints and randomart. Edits keep every byte they do not mean to change
 * and replace the whole file atomically, so the user's file is never left
 * half written and never reformatted.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tether-file-util.h"
#include "tether-known-hosts.h"

/* The port OpenSSH writes without the "[host]:port" form. */
#define DEFAULT_SSH_PORT 22

/* Hashed host names are "|1|base64(salt)|base64(HMAC-SHA1(salt, name))". */
#define HASH_MAGIC "|1|"
#define HASH_DELIM '|'
#define HASH_SALT_LEN 20    /* OpenSSH uses (and insists on) a salt of SHA-1's size */

/* known_hosts holds public data, but OpenSSH creates it private; so do we. */
#define KNOWN_HOSTS_FILE_MODE 0600
#define KNOWN_HOSTS_DIR_MODE 0700

/* The drunken bishop's field, as OpenSSH's sshkey.c draws it. */
#define RANDOMART_BASE 8
#define RANDOMART_ROWS (RANDOMART_BASE + 1)
#define RANDOMART_COLS (RANDOMART_BASE * 2 + 1)
#define RANDOMART_SYMBOLS " .o+=*BOX@%&#/^SE"
#define RANDOMART_HASH_NAME "SHA256"

/* Bound on one field of an SSH key blob (RSA keys top out at 16384 bits). */
#define KEY_BLOB_MAX_STRING (64 * 1024)

void
tether_known_hosts_entry_free (TetherKnownHostsEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->hosts);
  g_free (entry->key_type);
  g_free (entry->key_base64);
  g_free (entry->comment);
  g_free (entry);
}

TetherKnownHostsEntry *
tether_known_hosts_entry_copy (const TetherKnownHostsEntry *entry)
{
  TetherKnownHostsEntry *copy;

  g_return_val_if_fail (entry != NULL, NULL);

  copy = g_new0 (TetherKnownHostsEntry, 1);
  copy->line = entry->line;
  copy->marker = entry->marker;
  copy->hosts = g_strdup (entry->hosts);
  copy->key_type = g_strdup (entry->key_type);
  copy->key_base64 = g_strdup (entry->key_base64);
  copy->comment = g_strdup (entry->comment);
  return copy;
}

/* Base64 as OpenSSH writes it: padded, no whitespace. g_base64_decode ()
 * silently skips junk, so validate first. */
static gboolean
base64_is_valid (const char *text)
{
  gsize len = strlen (text);
  gsize padding = 0;

  if (len == 0 || len % 4 != 0)
    return FALSE;

  for (gsize i = 0; i < len; i++) {
    char c = text[i];

    if (c == '=') {
      padding++;
      continue;
    }
    /* padding only at the very end */
    if (padding > 0)
      return FALSE;
    if (!g_ascii_isalnum (c) && c != '+' && c != '/')
      return FALSE;
  }

  return padding <= 2;
}

static guint8 *
base64_decode_strict (const char *text,
                      gsize      *out_len)
{
  *out_len = 0;
  if (text == NULL || !base64_is_valid (text))
    return NULL;
  return g_base64_decode (text, out_len);
}

static gboolean
keys_equal (const char *a_base64,
            const char *b_base64)
{
  g_autofree guint8 *a = NULL;
  g_autofree guint8 *b = NULL;
  gsize a_len;
  gsize b_len;

  a = base64_decode_strict (a_base64, &a_len);
  b = base64_decode_strict (b_base64, &b_len);
  if (a == NULL || b == NULL)
    return g_strcmp0 (a_base64, b_base64) == 0;

  return a_len == b_len && memcmp (a, b, a_len) == 0;
}

/* RSA keys are one key type whichever signature algorithm negotiated them. */
static const char *
normalize_key_type (const char *key_type)
{
  if (g_str_equal (key_type, "rsa-sha2-256") || g_str_equal (key_type, "rsa-sha2-512"))
    return "ssh-rsa";
  return key_type;
}

static gboolean
key_types_equal (const char *a,
                 const char *b)
{
  return g_str_equal (normalize_key_type (a), normalize_key_type (b));
}

/* The name OpenSSH looks up and writes: lower case, "[host]:port" off port 22. */
static char *
host_lookup_name (const char *hostname,
                  guint       port)
{
  g_autofree char *lower = g_ascii_strdown (hostname, -1);

  if (port == 0 || port == DEFAULT_SSH_PORT)
    return g_steal_pointer (&lower);
  return g_strdup_printf ("[%s]:%u", lower, port);
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* Takes the next blank-separated field, or NULL at the end of the line. */
static char *
next_field (const char **cursor)
{
  const char *p = *cursor;
  const char *start;

  while (is_blank (*p))
    p++;
  if (*p == '\0') {
    *cursor = p;
    return NULL;
  }

  start = p;
  while (*p != '\0' && !is_blank (*p))
    p++;
  *cursor = p;
  return g_strndup (start, p - start);
}

static TetherKnownHostsEntry *
parse_line (const char *text,
            guint       line)
{
  g_autoptr(TetherKnownHostsEntry) entry = g_new0 (TetherKnownHostsEntry, 1);
  const char *cursor = text;
  g_autofree char *first = NULL;
  const char *rest;
  const char *rest_end;

  while (is_blank (*cursor))
    cursor++;
  if (*cursor == '\0' || *cursor == '#')
    return NULL;

  entry->line = line;
  first = next_field (&cursor);
  if (first[0] == '@') {
    if (g_str_equal (first, "@cert-authority"))
      entry->marker = TETHER_KNOWN_HOSTS_MARKER_CERT_AUTHORITY;
    else if (g_str_equal (first, "@revoked"))
      entry->marker = TETHER_KNOWN_HOSTS_MARKER_REVOKED;
    else
      return NULL;
    entry->hosts = next_field (&cursor);
  } else {
    entry->hosts = g_steal_pointer (&first);
  }

  entry->key_type = next_field (&cursor);
  entry->key_base64 = next_field (&cursor);
  if (entry->hosts == NULL || entry->key_type == NULL || entry->key_base64 == NULL)
    return NULL;

  /* SSH-1 lines ("host bits exponent modulus") have no key type; skip them
   * as OpenSSH 7.4+ does. */
  if (g_ascii_isdigit (entry->key_type[0]) || !base64_is_valid (entry->key_base64))
    return NULL;

  rest = cursor;
  while (is_blank (*rest))
    rest++;
  rest_end = rest + strlen (rest);
  while (rest_end > rest && is_blank (rest_end[-1]))
    rest_end--;
  if (rest_end > rest)
    entry->comment = g_strndup (rest, rest_end - rest);

  return g_steal_pointer (&entry);
}

/**
 * tether_known_hosts_parse:
 * @data: (array length=len): the contents of a known_hosts file
 * @len: length of @data
 *
 * Parses every entry of a known_hosts file. Blank lines, comments and lines
 * that OpenSSH would reject are skipped, so this never fails.
 *
 * Returns: (transfer full) (element-type TetherKnownHostsEntry): the entries
 *   in file order
 */
GPtrArray *
tether_known_hosts_parse (const char *data,
                          gsize       len)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tether_known_hosts_entry_free);
  const char *p = data;
  const char *end = data + len;
  guint line = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  while (p != NULL && p < end) {
    const char *newline = memchr (p, '\n', end - p);
    const char *line_end = newline != NULL ? newline : end;
    g_autofree char *text = NULL;
    TetherKnownHostsEntry *entry;

    line++;
    if (line_end > p && line_end[-1] == '\r')
      line_end--;

    /* a NUL byte makes the line unreadable as text, as it is for OpenSSH */
    if (memchr (p, '\0', line_end - p) == NULL) {
      text = g_strndup (p, line_end - p);
      entry = parse_line (text, line);
      if (entry != NULL)
        g_ptr_array_add (entries, entry);
    }

    p = newline != NULL ? newline + 1 : NULL;
  }

  return g_steal_pointer (&entries);
}

/* OpenSSH's match_pattern (): '*' any run, '?' one character; here also
 * ASCII case-insensitive, since OpenSSH lower-cases both sides. Iterative
 * with one backtrack point, so it stays linear-ish on hostile patterns. */
static gboolean
pattern_matches (const char *string,
                 const char *pattern,
                 const char *pattern_end)
{
  const char *star_pattern = NULL;
  const char *star_string = NULL;
  const char *s = string;
  const char *p = pattern;

  while (*s != '\0') {
    if (p < pattern_end && *p == '*') {
      star_pattern = ++p;
      star_string = s;
    } else if (p < pattern_end &&
             (*p == '?' || g_ascii_tolower (*p) == g_ascii_tolower (*s))) {
      p++;
      s++;
    } else if (star_pattern != NULL) {
      p = star_pattern;
      s = ++star_string;
    } else {
      return FALSE;
    }
  }

  while (p < pattern_end && *p == '*')
    p++;
  return p == pattern_end;
}

/* OpenSSH's match_pattern_list (): 1 on a positive match, -1 when a negated
 * pattern matches (which vetoes the whole list), 0 otherwise. */
static int
pattern_list_matches (const char *name,
                      const char *list)
{
  const char *p = list;
  gboolean positive = FALSE;

  while (*p != '\0') {
    const char *comma = strchr (p, ',');
    const char *sub_end = comma != NULL ? comma : p + strlen (p);
    gboolean negated = FALSE;

    if (*p == '!') {
      negated = TRUE;
      p++;
    }

    if (pattern_matches (name, p, sub_end)) {
      if (negated)
        return -1;
      positive = TRUE;
    }

    p = comma != NULL ? comma + 1 : sub_end;
  }

  return positive ? 1 : 0;
}

static void
compute_host_hash (const guint8 *salt,
                   gsize         salt_len,
                   const char   *name,
                   guint8        digest[HASH_SALT_LEN])
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, salt, salt_len);
  gsize digest_len = HASH_SALT_LEN;

  g_hmac_update (hmac, (const guchar *) name, -1);
  g_hmac_get_digest (hmac, digest, &digest_len);
  g_assert (digest_len == HASH_SALT_LEN);
}

static gboolean
hashed_name_matches (const char *hosts_field,
                     const char *name)
{
  const char *salt_start;
  const char *salt_end;
  g_autofree char *salt_base64 = NULL;
  g_autofree guint8 *salt = NULL;
  g_autofree guint8 *expected = NULL;
  gsize salt_len;
  gsize expected_len;
  guint8 digest[HASH_SALT_LEN];

  if (!g_str_has_prefix (hosts_field, HASH_MAGIC))
    return FALSE;

  salt_start = hosts_field + strlen (HASH_MAGIC);
  salt_end = strchr (salt_start, HASH_DELIM);
  if (salt_end == NULL)
    return FALSE;

  salt_base64 = g_strndup (salt_start, salt_end - salt_start);
  salt = base64_decode_strict (salt_base64, &salt_len);
  expected = base64_decode_strict (salt_end + 1, &expected_len);
  if (salt == NULL || salt_len != HASH_SALT_LEN ||
      expected == NULL || expected_len != HASH_SALT_LEN)
    return FALSE;

  compute_host_hash (salt, salt_len, name, digest);
  return memcmp (digest, expected, HASH_SALT_LEN) == 0;
}

/**
 * tether_known_hosts_host_matches:
 * @hosts_field: the hosts field of a known_hosts line
 * @hostname: the host connected to
 * @port: its port (0 means 22)
 *
 * Whether a line's hosts field names @hostname:@port, with OpenSSH's rules:
 * comma-separated patterns with `*` and `?`, a matching `!pattern` vetoes
 * the line, off port 22 the name is `[host]:port`, and a field starting with
 * `|` is one hashed name (`|1|salt|HMAC-SHA1`).
 *
 * Returns: %TRUE when the line applies to the host
 */
gboolean
tether_known_hosts_host_matches (const char *hosts_field,
                                 const char *hostname,
                                 guint       port)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (hosts_field != NULL, FALSE);
  g_return_val_if_fail (hostname != NULL, FALSE);

  name = host_lookup_name (hostname, port);
  if (hosts_field[0] == HASH_DELIM)
    return hashed_name_matches (hosts_field, name);
  return pattern_list_matches (name, hosts_field) == 1;
}

/**
 * tether_known_hosts_check:
 * @data: (array length=len): the contents of a known_hosts file
 * @len: length of @data
 * @hostname: the host connected to
 * @port: its port (0 means 22)
 * @key_type: the server's key type, e.g. "ssh-ed25519"
 * @key_base64: the server's key blob in base64
 * @out_match: (out) (optional) (nullable): the deciding line, or %NULL
 *
 * Looks the server's key up as OpenSSH does. A revoked key wins over
 * everything; a line with the exact key wins over lines with another key of
 * the same type (so a host listed twice is still known). `@cert-authority`
 * lines say nothing about plain keys and are ignored.
 *
 * Returns: %TETHER_KNOWN_HOSTS_KNOWN, %TETHER_KNOWN_HOSTS_CHANGED (with
 *   @out_match the line holding the old key), %TETHER_KNOWN_HOSTS_OTHER_TYPE
 *   (with @out_match one of the other keys), %TETHER_KNOWN_HOSTS_REVOKED or
 *   %TETHER_KNOWN_HOSTS_UNKNOWN
 */
TetherKnownHostsStatus
tether_known_hosts_check (const char             *data,
                          gsize                   len,
                          const char             *hostname,
                          guint                   port,
                          const char             *key_type,
                          const char             *key_base64,
                          TetherKnownHostsEntry **out_match)
{
  g_autoptr(GPtrArray) entries = NULL;
  const TetherKnownHostsEntry *known = NULL;
  const TetherKnownHostsEntry *changed = NULL;
  const TetherKnownHostsEntry *other_type = NULL;
  const TetherKnownHostsEntry *revoked = NULL;
  const TetherKnownHostsEntry *match = NULL;
  TetherKnownHostsStatus status;

  if (out_match != NULL)
    *out_match = NULL;

  g_return_val_if_fail (data != NULL || len == 0, TETHER_KNOWN_HOSTS_UNKNOWN);
  g_return_val_if_fail (hostname != NULL, TETHER_KNOWN_HOSTS_UNKNOWN);
  g_return_val_if_fail (key_type != NULL, TETHER_KNOWN_HOSTS_UNKNOWN);
  g_return_val_if_fail (key_base64 != NULL, TETHER_KNOWN_HOSTS_UNKNOWN);

  entries = tether_known_hosts_parse (data, len);
  for (guint i = 0; i < entries->len; i++) {
    const TetherKnownHostsEntry *entry = g_ptr_array_index (entries, i);

    if (entry->marker == TETHER_KNOWN_HOSTS_MARKER_CERT_AUTHORITY)
      continue;
    if (!tether_known_hosts_host_matches (entry->hosts, hostname, port))
      continue;

    if (entry->marker == TETHER_KNOWN_HOSTS_MARKER_REVOKED) {
      if (revoked == NULL && keys_equal (entry->key_base64, key_base64))
        revoked = entry;
    } else if (key_types_equal (entry->key_type, key_type)) {
      if (keys_equal (entry->key_base64, key_base64)) {
        if (known == NULL)
          known = entry;
      } else if (changed == NULL) {
        changed = entry;
      }
    } else if (other_type == NULL) {
      other_type = entry;
    }
  }

  if (revoked != NULL) {
    status = TETHER_KNOWN_HOSTS_REVOKED;
    match = revoked;
  } else if (known != NULL) {
    status = TETHER_KNOWN_HOSTS_KNOWN;
    match = known;
  } else if (changed != NULL) {
    status = TETHER_KNOWN_HOSTS_CHANGED;
    match = changed;
  } else if (other_type != NULL) {
    status = TETHER_KNOWN_HOSTS_OTHER_TYPE;
    match = other_type;
  } else {
    status = TETHER_KNOWN_HOSTS_UNKNOWN;
  }

  if (out_match != NULL && match != NULL)
    *out_match = tether_known_hosts_entry_copy (match);

  return status;
}

static gboolean
is_single_field (const char *text)
{
  return text[0] != '\0' && strpbrk (text, " \t\r\n") == NULL;
}

static void
fill_random (guint8 *buffer,
             gsize   len)
{
  /* The salt only has to differ between lines; fall back to GLib's PRNG
   * (seeded from /dev/urandom) if the kernel call is unavailable. */
  if (getrandom (buffer, len, 0) == (gssize) len)
    return;
  for (gsize i = 0; i < len; i++)
    buffer[i] = (guint8) g_random_int_range (0, G_MAXUINT8 + 1);
}

/**
 * tether_known_hosts_format_line:
 * @hostname: the host
 * @port: its port (0 means 22)
 * @key_type: the key type, e.g. "ssh-ed25519"
 * @key_base64: the key blob in base64
 * @hash: whether to hash the host name, as `HashKnownHosts yes` does
 *
 * Formats the line OpenSSH would add for this host, with a trailing newline.
 * A hashed name uses a fresh random salt each call.
 *
 * Returns: (transfer full): the line
 */
char *
tether_known_hosts_format_line (const char *hostname,
                                guint       port,
                                const char *key_type,
                                const char *key_base64,
                                gboolean    hash)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (hostname != NULL && is_single_field (hostname), NULL);
  g_return_val_if_fail (key_type != NULL && is_single_field (key_type), NULL);
  g_return_val_if_fail (key_base64 != NULL && is_single_field (key_base64), NULL);

  name = host_lookup_name (hostname, port);
  if (hash) {
    guint8 salt[HASH_SALT_LEN];
    guint8 digest[HASH_SALT_LEN];
    g_autofree char *salt_base64 = NULL;
    g_autofree char *digest_base64 = NULL;

    fill_random (salt, sizeof salt);
    compute_host_hash (salt, sizeof salt, name, digest);
    salt_base64 = g_base64_encode (salt, sizeof salt);
    digest_base64 = g_base64_encode (digest, sizeof digest);
    g_free (name);
    name = g_strdup_printf (HASH_MAGIC "%s%c%s", salt_base64, HASH_DELIM, digest_base64);
  }

  return g_strdup_printf ("%s %s %s\n", name, key_type, key_base64);
}

/**
 * tether_known_hosts_entry_format_with_key:
 * @entry: a line of a known_hosts file
 * @key_type: the new key type
 * @key_base64: the new key blob in base64
 *
 * Formats @entry's line again with another key, keeping its marker, its
 * hosts field (every alias and hashed name) and its comment: the line to
 * give tether_known_hosts_replace_in_file () when a host key changed.
 *
 * Returns: (transfer full): the line, with a trailing newline
 */
char *
tether_known_hosts_entry_format_with_key (const TetherKnownHostsEntry *entry,
                                          const char                  *key_type,
                                          const char                  *key_base64)
{
  GString *line;

  g_return_val_if_fail (entry != NULL, NULL);
  g_return_val_if_fail (key_type != NULL && is_single_field (key_type), NULL);
  g_return_val_if_fail (key_base64 != NULL && is_single_field (key_base64), NULL);

  line = g_string_new (NULL);
  if (entry->marker == TETHER_KNOWN_HOSTS_MARKER_CERT_AUTHORITY)
    g_string_append (line, "@cert-authority ");
  else if (entry->marker == TETHER_KNOWN_HOSTS_MARKER_REVOKED)
    g_string_append (line, "@revoked ");
  g_string_append_printf (line, "%s %s %s", entry->hosts, key_type, key_base64);
  if (entry->comment != NULL)
    g_string_append_printf (line, " %s", entry->comment);
  g_string_append_c (line, '\n');

  return g_string_free (line, FALSE);
}

/**
 * tether_known_hosts_replace_line:
 * @data: (array length=len): the contents of a known_hosts file
 * @len: length of @data
 * @line: the 1-based line to replace
 * @new_line: its new text (a trailing newline is optional and not doubled)
 * @out_len: (out) (optional): length of the result
 *
 * Replaces the text of one line. Every other byte stays as it was, including
 * the line's own terminator: CRLF stays CRLF, and a last line without a
 * newline stays without one.
 *
 * Returns: (transfer full) (nullable): the new contents (NUL-terminated), or
 *   %NULL when the file has no line @line
 */
char *
tether_known_hosts_replace_line (const char *data,
                                 gsize       len,
                                 guint       line,
                                 const char *new_line,
                                 gsize      *out_len)
{
  const char *end = data + len;
  const char *start = data;
  const char *newline;
  const char *text_end;
  gsize new_len;
  gsize tail_len;
  gsize result_len;
  char *result;

  if (out_len != NULL)
    *out_len = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (new_line != NULL, NULL);

  new_len = strlen (new_line);
  if (new_len > 0 && new_line[new_len - 1] == '\n')
    new_len--;
  if (new_len > 0 && new_line[new_len - 1] == '\r')
    new_len--;
  g_return_val_if_fail (memchr (new_line, '\n', new_len) == NULL, NULL);
  g_return_val_if_fail (memchr (new_line, '\r', new_len) == NULL, NULL);

  if (line == 0 || len == 0)
    return NULL;

  for (guint i = 1; i < line; i++) {
    newline = memchr (start, '\n', end - start);
    if (newline == NULL)
      return NULL;
    start = newline + 1;
  }
  /* nothing after the final newline: that is not a line */
  if (start == end)
    return NULL;

  newline = memchr (start, '\n', end - start);
  text_end = newline != NULL ? newline : end;
  if (text_end > start && text_end[-1] == '\r')
    text_end--;

  tail_len = end - text_end;
  result_len = (start - data) + new_len + tail_len;
  result = g_malloc (result_len + 1);
  memcpy (result, data, start - data);
  memcpy (result + (start - data), new_line, new_len);
  memcpy (result + (start - data) + new_len, text_end, tail_len);
  result[result_len] = '\0';

  if (out_len != NULL)
    *out_len = result_len;
  return result;
}

/**
 * tether_known_hosts_fingerprint_sha256:
 * @blob: (array length=len): a public key blob in SSH wire format
 * @len: length of @blob
 *
 * Returns: (transfer full): the fingerprint as OpenSSH prints it,
 *   "SHA256:" and the unpadded base64 of the blob's SHA-256
 */
char *
tether_known_hosts_fingerprint_sha256 (const guint8 *blob,
                                       gsize         len)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autofree char *encoded = NULL;
  gsize encoded_len;

  g_return_val_if_fail (blob != NULL || len == 0, NULL);

  g_checksum_update (checksum, blob, len);
  g_checksum_get_digest (checksum, digest, &digest_len);

  encoded = g_base64_encode (digest, digest_len);
  encoded_len = strlen (encoded);
  while (encoded_len > 0 && encoded[encoded_len - 1] == '=')
    encoded[--encoded_len] = '\0';

  return g_strconcat ("SHA256:", encoded, NULL);
}

/**
 * tether_known_hosts_fingerprint_from_base64:
 * @key_base64: a public key blob in base64, as in a known_hosts line
 *
 * Returns: (transfer full) (nullable): its SHA256 fingerprint, or %NULL when
 *   @key_base64 is not valid base64
 */
char *
tether_known_hosts_fingerprint_from_base64 (const char *key_base64)
{
  g_autofree guint8 *blob = NULL;
  gsize len;

  g_return_val_if_fail (key_base64 != NULL, NULL);

  blob = base64_decode_strict (key_base64, &len);
  if (blob == NULL)
    return NULL;
  return tether_known_hosts_fingerprint_sha256 (blob, len);
}

/* Reads one SSH "string" (uint32 length, bytes) from a key blob. */
static gboolean
read_blob_string (const guint8 **cursor,
                  const guint8  *end,
                  const guint8 **out_data,
                  gsize         *out_len)
{
  guint32 len;

  if (end - *cursor < 4)
    return FALSE;
  len = ((guint32) (*cursor)[0] << 24) | ((guint32) (*cursor)[1] << 16) |
        ((guint32) (*cursor)[2] << 8) | (guint32) (*cursor)[3];
  *cursor += 4;
  if (len > KEY_BLOB_MAX_STRING || (gsize) (end - *cursor) < len)
    return FALSE;

  *out_data = *cursor;
  *out_len = len;
  *cursor += len;
  return TRUE;
}

/* The number of significant bits of an unsigned big-endian mpint. */
static guint
mpint_bits (const guint8 *data,
            gsize         len)
{
  guint bits;

  while (len > 0 && data[0] == 0) {
    data++;
    len--;
  }
  if (len == 0)
    return 0;

  bits = (len - 1) * 8;
  for (guint8 top = data[0]; top != 0; top >>= 1)
    bits++;
  return bits;
}

static gboolean
blob_type_is (const guint8 *type,
              gsize         type_len,
              const char   *name)
{
  return strlen (name) == type_len && memcmp (type, name, type_len) == 0;
}

/**
 * tether_known_hosts_describe_key:
 * @blob: (array length=len): a public key blob in SSH wire format
 * @len: length of @blob
 * @out_type_short: (out) (optional): the name ssh-keygen shows, e.g. "ED25519"
 * @out_bits: (out) (optional): the key size ssh-keygen shows, e.g. 256
 *
 * Reads what tether_known_hosts_randomart () needs from a key blob: OpenSSH's
 * short type name and key size.
 *
 * Returns: %TRUE when the blob is a plain key of a known type
 */
gboolean
tether_known_hosts_describe_key (const guint8 *blob,
                                 gsize         len,
                                 char        **out_type_short,
                                 guint        *out_bits)
{
  static const struct {
    const char *type;
    const char *short_name;
    guint bits;               /* 0: read the modulus (RSA) or prime (DSA) */
  } key_types[] = {
    { "ssh-ed25519", "ED25519", 256 },
    { "ssh-rsa", "RSA", 0 },
    { "ssh-dss", "DSA", 0 },
    { "ecdsa-sha2-nistp256", "ECDSA", 256 },
    { "ecdsa-sha2-nistp384", "ECDSA", 384 },
    { "ecdsa-sha2-nistp521", "ECDSA", 521 },
    { "sk-ecdsa-sha2-nistp256@openssh.com", "ECDSA-SK", 256 },
    { "sk-ssh-ed25519@openssh.com", "ED25519-SK", 256 },
  };
  const guint8 *cursor = blob;
  const guint8 *end = blob + len;
  const guint8 *type;
  gsize type_len;

  if (out_type_short != NULL)
    *out_type_short = NULL;
  if (out_bits != NULL)
    *out_bits = 0;

  g_return_val_if_fail (blob != NULL || len == 0, FALSE);

  if (!read_blob_string (&cursor, end, &type, &type_len))
    return FALSE;

  for (gsize i = 0; i < G_N_ELEMENTS (key_types); i++) {
    guint bits = key_types[i].bits;

    if (!blob_type_is (type, type_len, key_types[i].type))
      continue;

    if (bits == 0) {
      const guint8 *field;
      gsize field_len;

      /* RSA is (e, n), DSA is (p, q, g, y): the size is n's or p's */
      if (g_str_equal (key_types[i].type, "ssh-rsa") &&
          !read_blob_string (&cursor, end, &field, &field_len))
        return FALSE;
      if (!read_blob_string (&cursor, end, &field, &field_len))
        return FALSE;
      bits = mpint_bits (field, field_len);
    }

    if (out_type_short != NULL)
      *out_type_short = g_strdup (key_types[i].short_name);
    if (out_bits != NULL)
      *out_bits = bits;
    return TRUE;
  }

  return FALSE;
}

/* Writes "+--[label]--+": the label centred as sshkey.c centres it. */
static void
append_randomart_border (GString    *art,
                         const char *label)
{
  gsize label_len = strlen (label);
  gsize i;

  g_string_append_c (art, '+');
  for (i = 0; i < (RANDOMART_COLS - label_len) / 2; i++)
    g_string_append_c (art, '-');
  g_string_append (art, label);
  for (i += label_len; i < RANDOMART_COLS; i++)
    g_string_append_c (art, '-');
  g_string_append_c (art, '+');
}

/* A border label as sshkey.c's snprintf into a RANDOMART_COLS buffer makes it. */
static char *
randomart_label (const char *text)
{
  char *label = g_strdup_printf ("[%s]", text);

  if (strlen (label) > RANDOMART_COLS - 1)
    label[RANDOMART_COLS - 1] = '\0';
  return label;
}

/**
 * tether_known_hosts_randomart:
 * @digest: (array length=digest_len): the SHA-256 digest of the key blob
 * @digest_len: length of @digest
 * @key_type_short: the short key type, e.g. "ED25519"
 *   (see tether_known_hosts_describe_key ())
 * @bits: the key size, e.g. 256
 *
 * Draws OpenSSH's "drunken bishop" picture of a fingerprint, byte for byte
 * as `ssh-keygen -lv -E sha256` prints it: eleven lines of 19 columns,
 * separated by newlines, without a final newline.
 *
 * Returns: (transfer full): the picture
 */
char *
tether_known_hosts_randomart (const guint8 *digest,
                              gsize         digest_len,
                              const char   *key_type_short,
                              guint         bits)
{
  const char *symbols = RANDOMART_SYMBOLS;
  const guint8 n_symbols = strlen (RANDOMART_SYMBOLS) - 1;
  const guint8 start_mark = n_symbols - 1;
  const guint8 end_mark = n_symbols;
  guint8 field[RANDOMART_COLS][RANDOMART_ROWS] = { { 0 } };
  int x = RANDOMART_COLS / 2;
  int y = RANDOMART_ROWS / 2;
  g_autofree char *title = NULL;
  g_autofree char *hash_label = NULL;
  g_autofree char *type_and_size = NULL;
  GString *art;

  g_return_val_if_fail (digest != NULL || digest_len == 0, NULL);
  g_return_val_if_fail (key_type_short != NULL, NULL);

  for (gsize i = 0; i < digest_len; i++) {
    guint input = digest[i];

    /* each byte is four 2-bit moves, lowest bits first */
    for (guint step = 0; step < 4; step++) {
      x += (input & 0x1) ? 1 : -1;
      y += (input & 0x2) ? 1 : -1;
      x = CLAMP (x, 0, RANDOMART_COLS - 1);
      y = CLAMP (y, 0, RANDOMART_ROWS - 1);
      /* the two top symbols are kept for the start and end marks */
      if (field[x][y] < n_symbols - 2)
        field[x][y]++;
      input >>= 2;
    }
  }
  field[RANDOMART_COLS / 2][RANDOMART_ROWS / 2] = start_mark;
  field[x][y] = end_mark;

  /* "[TYPE BITS]" unless that overflows the border; then just "[TYPE]" */
  type_and_size = g_strdup_printf ("%s %u", key_type_short, bits);
  if (strlen (type_and_size) + 2 > RANDOMART_COLS)
    title = randomart_label (key_type_short);
  else
    title = randomart_label (type_and_size);
  hash_label = randomart_label (RANDOMART_HASH_NAME);

  art = g_string_new (NULL);
  append_randomart_border (art, title);
  g_string_append_c (art, '\n');
  for (y = 0; y < RANDOMART_ROWS; y++) {
    g_string_append_c (art, '|');
    for (x = 0; x < RANDOMART_COLS; x++)
      g_string_append_c (art, symbols[MIN (field[x][y], n_symbols)]);
    g_string_append (art, "|\n");
  }
  append_randomart_border (art, hash_label);

  return g_string_free (art, FALSE);
}

/* File errors stay in G_IO_ERROR across libtether. */
static void
propagate_as_io_error (GError **error,
                       GError  *file_error)
{
  if (file_error->domain == G_FILE_ERROR)
    g_set_error_literal (error, G_IO_ERROR,
                         g_io_error_from_file_error (file_error->code),
                         file_error->message);
  else
    g_propagate_error (error, g_steal_pointer (&file_error));
  g_clear_error (&file_error);
}

/* Rewrites the file in one rename, keeping its mode and owner; through a
 * symlink (dotfile managers) the target is replaced, not the link. */
static gboolean
write_known_hosts (const char  *path,
                   const char  *contents,
                   gsize        len,
                   GError     **error)
{
  return tether_file_write_safely (path, contents, len, KNOWN_HOSTS_FILE_MODE, NULL, error);
}

static gboolean
ends_with_crlf (const char *data,
                gsize       len)
{
  return len >= 2 && data[len - 2] == '\r' && data[len - 1] == '\n';
}

/**
 * tether_known_hosts_add_to_file:
 * @path: a known_hosts file, usually ~/.ssh/known_hosts
 * @line: the line to add (see tether_known_hosts_format_line ())
 * @error: return location for a #GError in %G_IO_ERROR
 *
 * Appends @line, creating the file (mode 0600) and its folder (0700) when
 * missing. The file is replaced atomically: after a crash it holds either
 * the old or the new contents. A last line without a newline gets one first,
 * and a CRLF file gets a CRLF line.
 *
 * Returns: %TRUE on success
 */
gboolean
tether_known_hosts_add_to_file (const char  *path,
                                const char  *line,
                                GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GString) updated = NULL;
  gsize len = 0;
  gsize line_len;
  gboolean crlf;
  GError *local_error = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  line_len = strlen (line);
  if (line_len > 0 && line[line_len - 1] == '\n')
    line_len--;
  if (line_len > 0 && line[line_len - 1] == '\r')
    line_len--;
  g_return_val_if_fail (line_len > 0, FALSE);
  g_return_val_if_fail (memchr (line, '\n', line_len) == NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &len, &local_error)) {
    if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
      propagate_as_io_error (error, local_error);
      return FALSE;
    }
    g_clear_error (&local_error);

    dir = g_path_get_dirname (path);
    if (g_mkdir_with_parents (dir, KNOWN_HOSTS_DIR_MODE) != 0) {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder “%s”: %s"),
                   dir, g_strerror (saved_errno));
      return FALSE;
    }
  }

  crlf = ends_with_crlf (contents, len);
  updated = g_string_new_len (contents, len);
  if (len > 0 && contents[len - 1] != '\n')
    g_string_append_c (updated, '\n');
  g_string_append_len (updated, line, line_len);
  g_string_append (updated, crlf ? "\r\n" : "\n");

  return write_known_hosts (path, updated->str, updated->len, error);
}

/**
 * tether_known_hosts_replace_in_file:
 * @path: a known_hosts file
 * @line: the 1-based line to replace, from tether_known_hosts_check ()
 * @expected_old_key_base64: the key that line held when it was checked
 * @new_line: the line's new text
 * @error: return location for a #GError in %G_IO_ERROR
 *
 * Replaces one line of the file, and only it, atomically. The file is read
 * again first: when the line no longer holds @expected_old_key_base64
 * (OpenSSH or the user edited it meanwhile) nothing is written and the call
 * fails with %G_IO_ERROR_FAILED.
 *
 * Returns: %TRUE on success
 */
gboolean
tether_known_hosts_replace_in_file (const char  *path,
                                    guint        line,
                                    const char  *expected_old_key_base64,
                                    const char  *new_line,
                                    GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *updated = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gboolean still_there = FALSE;
  gsize len;
  gsize updated_len;
  GError *local_error = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (expected_old_key_base64 != NULL, FALSE);
  g_return_val_if_fail (new_line != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &len, &local_error)) {
    propagate_as_io_error (error, local_error);
    return FALSE;
  }

  entries = tether_known_hosts_parse (contents, len);
  for (guint i = 0; i < entries->len; i++) {
    const TetherKnownHostsEntry *entry = g_ptr_array_index (entries, i);

    if (entry->line == line) {
      still_there = g_str_equal (entry->key_base64, expected_old_key_base64);
      break;
    }
  }

  if (still_there)
    updated = tether_known_hosts_replace_line (contents, len, line, new_line, &updated_len);

  if (updated == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 _("The known hosts file “%s” changed meanwhile: line %u no longer holds "
                   "the old key. Check the host key again."),
                 path, line);
    return FALSE;
  }

  return write_known_hosts (path, updated, updated_len, error);
}
