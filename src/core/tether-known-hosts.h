/* tether-known-hosts.h: OpenSSH known_hosts files, read and written byte-exactly.
 *
 * Private to libtether (not introspected). The parsers are pure functions over
 * byte buffers so that tests and fuzzers drive them directly; only the two
 * *_file () helpers touch the disk.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  TETHER_KNOWN_HOSTS_MARKER_NONE,
  TETHER_KNOWN_HOSTS_MARKER_CERT_AUTHORITY,
  TETHER_KNOWN_HOSTS_MARKER_REVOKED,
} TetherKnownHostsMarker;

typedef struct {
  guint line;                    /* 1-based line number in the file */
  TetherKnownHostsMarker marker;
  char *hosts;                   /* the hosts field as written (may be |1|salt|hash) */
  char *key_type;                /* e.g. "ssh-ed25519" */
  char *key_base64;              /* the key blob in base64 as written */
  char *comment;                 /* may be NULL */
} TetherKnownHostsEntry;

typedef enum {
  TETHER_KNOWN_HOSTS_KNOWN,
  TETHER_KNOWN_HOSTS_UNKNOWN,
  TETHER_KNOWN_HOSTS_CHANGED,
  TETHER_KNOWN_HOSTS_OTHER_TYPE,
  TETHER_KNOWN_HOSTS_REVOKED,
} TetherKnownHostsStatus;

void                   tether_known_hosts_entry_free (TetherKnownHostsEntry *entry);
TetherKnownHostsEntry *tether_known_hosts_entry_copy (const TetherKnownHostsEntry *entry);

GPtrArray             *tether_known_hosts_parse        (const char *data,
                                                        gsize       len);
gboolean               tether_known_hosts_host_matches (const char *hosts_field,
                                                        const char *hostname,
                                                        guint       port);
TetherKnownHostsStatus tether_known_hosts_check        (const char             *data,
                                                        gsize                   len,
                                                        const char             *hostname,
                                                        guint                   port,
                                                        const char             *key_type,
                                                        const char             *key_base64,
                                                        TetherKnownHostsEntry **out_match);

char *tether_known_hosts_format_line  (const char *hostname,
                                       guint       port,
                                       const char *key_type,
                                       const char *key_base64,
                                       gboolean    hash);
char *tether_known_hosts_entry_format_with_key (const TetherKnownHostsEntry *entry,
                                                const char                  *key_type,
                                                const char                  *key_base64);
char *tether_known_hosts_replace_line (const char *data,
                                       gsize       len,
                                       guint       line,
                                       const char *new_line,
                                       gsize      *out_len);

char     *tether_known_hosts_fingerprint_sha256      (const guint8 *blob,
                                                      gsize         len);
char     *tether_known_hosts_fingerprint_from_base64 (const char   *key_base64);
gboolean  tether_known_hosts_describe_key            (const guint8 *blob,
                                                      gsize         len,
                                                      char        **out_type_short,
                                                      guint        *out_bits);
char     *tether_known_hosts_randomart               (const guint8 *digest,
                                                      gsize         digest_len,
                                                      const char   *key_type_short,
                                                      guint         bits);

gboolean tether_known_hosts_add_to_file     (const char  *path,
                                             const char  *line,
                                             GError     **error);
gboolean tether_known_hosts_replace_in_file (const char  *path,
                                             guint        line,
                                             const char  *expected_old_key_base64,
                                             const char  *new_line,
                                             GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TetherKnownHostsEntry, tether_known_hosts_entry_free)

G_END_DECLS
