/* tether-connection-host-key.c: checking the server's host key against known_hosts
 * and asking the user.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>

#include <libssh/server.h>

#include "tether-connection-private.h"
#include "tether-enums.h"
#include "tether-error.h"
#include "tether-error-private.h"
#include "tether-host-key-info-private.h"
#include "tether-known-hosts.h"
#include "tether-worker-private.h"

/* ------------------------------------------------------------------------- */
/* Host key                                                                  */

static const char *
key_type_short (enum ssh_keytypes_e type)
{
  switch (type) {
  case SSH_KEYTYPE_ED25519: return "ED25519";
  case SSH_KEYTYPE_RSA: return "RSA";
  case SSH_KEYTYPE_DSS: return "DSA";
  case SSH_KEYTYPE_ECDSA_P256:
  case SSH_KEYTYPE_ECDSA_P384:
  case SSH_KEYTYPE_ECDSA_P521: return "ECDSA";
  default: return "KEY";
  }
}

void
_tether_connection_host_key_check_free (HostKeyCheck *check)
{
  g_clear_object (&check->info);
  g_free (check->key_type);
  g_free (check->key_base64);
  g_free (check->old_key_base64);
  g_clear_pointer (&check->old_entry, tether_known_hosts_entry_free);
  g_free (check);
}

static const char *
user_known_hosts (TetherWorker *w)
{
  return w->known_hosts_file;
}

/* Compares the server's key with the user's and the system's known_hosts. */
static HostKeyCheck *
check_host_key (TetherWorker  *w,
                GError       **error)
{
  ssh_key key = NULL;
  g_autofree char *b64 = NULL;
  unsigned char *hash = NULL;
  size_t hash_len = 0;
  g_autofree char *fingerprint = NULL;
  g_autofree char *art = NULL;
  const char *files[] = { user_known_hosts (w), TETHER_GLOBAL_KNOWN_HOSTS };
  TetherHostKeyStatus status = TETHER_HOST_KEY_STATUS_UNKNOWN;
  g_autofree char *old_type = NULL;
  g_autofree char *old_b64 = NULL;
  g_autoptr(TetherKnownHostsEntry) old_entry = NULL;
  const char *where_file = files[0];
  guint where_line = 0;
  const char *type;
  HostKeyCheck *check;
  char *tmp = NULL;

  if (ssh_get_server_publickey (w->session, &key) != SSH_OK) {
    g_set_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                 _("The server %s did not present a host key."), w->hostname);
    return NULL;
  }
  type = ssh_key_type_to_char (ssh_key_type (key));
  if (ssh_pki_export_pubkey_base64 (key, &tmp) != SSH_OK) {
    ssh_key_free (key);
    g_set_error (error, TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                 _("The host key of %s could not be read."), w->hostname);
    return NULL;
  }
  b64 = g_strdup (tmp);
  ssh_string_free_char (tmp);
  fingerprint = tether_known_hosts_fingerprint_from_base64 (b64);
  g_free (w->host_key_fingerprint);
  w->host_key_fingerprint = g_strdup (fingerprint);
  if (ssh_get_publickey_hash (key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) == SSH_OK) {
    gsize blob_len = 0;
    g_autofree guint8 *blob = g_base64_decode (b64, &blob_len);
    g_autofree char *short_type = NULL;
    guint bits = 0;

    if (!tether_known_hosts_describe_key (blob, blob_len, &short_type, &bits))
      short_type = g_strdup (key_type_short (ssh_key_type (key)));
    art = tether_known_hosts_randomart (hash, hash_len, short_type, bits);
    ssh_clean_pubkey_hash (&hash);
  }

  for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(TetherKnownHostsEntry) match = NULL;
    TetherKnownHostsStatus s;

    if (files[i] == NULL || !g_file_get_contents (files[i], &data, &len, NULL))
      continue;
    s = tether_known_hosts_check (data, len, w->hostname, w->port, type, b64, &match);
    if (s == TETHER_KNOWN_HOSTS_KNOWN) {
      status = TETHER_HOST_KEY_STATUS_KNOWN;
      break;
    }
    if (s == TETHER_KNOWN_HOSTS_REVOKED) {
      status = TETHER_HOST_KEY_STATUS_REVOKED;
      where_file = files[i];
      where_line = match ? match->line : 0;
      break;
    }
    if (s == TETHER_KNOWN_HOSTS_CHANGED && status != TETHER_HOST_KEY_STATUS_CHANGED) {
      status = TETHER_HOST_KEY_STATUS_CHANGED;
      where_file = files[i];
      where_line = match->line;
      g_free (old_type);
      g_free (old_b64);
      old_type = g_strdup (match->key_type);
      old_b64 = g_strdup (match->key_base64);
      g_clear_pointer (&old_entry, tether_known_hosts_entry_free);
      old_entry = g_steal_pointer (&match);
    } else if (s == TETHER_KNOWN_HOSTS_OTHER_TYPE && status == TETHER_HOST_KEY_STATUS_UNKNOWN) {
      status = TETHER_HOST_KEY_STATUS_OTHER_TYPE;
      where_file = files[i];
      where_line = match->line;
      old_type = g_strdup (match->key_type);
      old_b64 = g_strdup (match->key_base64);
    }
  }

  check = g_new0 (HostKeyCheck, 1);
  {
    g_autofree char *old_fingerprint =
      old_b64 ? tether_known_hosts_fingerprint_from_base64 (old_b64) : NULL;

    check->info = _tether_host_key_info_new (w->hostname, w->port, type, fingerprint, art,
                                             status, old_type, old_fingerprint,
                                             where_file, where_line);
  }
  check->key_type = g_strdup (type);
  check->key_base64 = g_steal_pointer (&b64);
  check->old_key_base64 = g_steal_pointer (&old_b64);
  check->old_entry = g_steal_pointer (&old_entry);
  ssh_key_free (key);
  return check;
}

static GError *
host_key_error (HostKeyCheck *check)
{
  TetherHostKeyInfo *info = check->info;

  switch (tether_host_key_info_get_status (info)) {
  case TETHER_HOST_KEY_STATUS_CHANGED:
    return g_error_new (TETHER_ERROR, TETHER_ERROR_HOST_KEY_CHANGED,
                        _("The host key of %s has changed: someone may be intercepting the "
                        "connection, or the server was reinstalled. Expected %s %s (%s line "
                        "%u), the server sent %s %s."),
                        tether_host_key_info_get_hostname (info),
                        tether_host_key_info_get_old_key_type (info),
                        tether_host_key_info_get_old_fingerprint (info),
                        tether_host_key_info_get_known_hosts_file (info),
                        tether_host_key_info_get_known_hosts_line (info),
                        tether_host_key_info_get_key_type (info),
                        tether_host_key_info_get_fingerprint (info));
  case TETHER_HOST_KEY_STATUS_REVOKED:
    return g_error_new (TETHER_ERROR, TETHER_ERROR_HOST_KEY_CHANGED,
                        _("The host key of %s (%s) is marked as revoked in %s line %u."),
                        tether_host_key_info_get_hostname (info),
                        tether_host_key_info_get_fingerprint (info),
                        tether_host_key_info_get_known_hosts_file (info),
                        tether_host_key_info_get_known_hosts_line (info));
  case TETHER_HOST_KEY_STATUS_UNKNOWN:
  case TETHER_HOST_KEY_STATUS_OTHER_TYPE:
  case TETHER_HOST_KEY_STATUS_KNOWN:
  default:
    return g_error_new (TETHER_ERROR, TETHER_ERROR_HOST_KEY_UNKNOWN,
                        _("The host key of %s is not known and was not accepted (%s %s)."),
                        tether_host_key_info_get_hostname (info),
                        tether_host_key_info_get_key_type (info),
                        tether_host_key_info_get_fingerprint (info));
  }
}

static gboolean
save_host_key (TetherWorker  *w,
               HostKeyCheck  *check,
               GError       **error)
{
  TetherHostKeyInfo *info = check->info;
  g_autofree char *line = tether_known_hosts_format_line (w->hostname, w->port,
                                                          check->key_type, check->key_base64,
                                                          FALSE);

  if (tether_host_key_info_get_status (info) == TETHER_HOST_KEY_STATUS_CHANGED &&
      check->old_entry != NULL &&
      g_strcmp0 (tether_host_key_info_get_known_hosts_file (info), user_known_hosts (w)) == 0) {
    /* Keep the line's other names (aliases, hashed names) and comment. */
    g_autofree char *replacement =
      tether_known_hosts_entry_format_with_key (check->old_entry, check->key_type,
                                                check->key_base64);

    return tether_known_hosts_replace_in_file (user_known_hosts (w),
                                               tether_host_key_info_get_known_hosts_line (info),
                                               check->old_key_base64, replacement, error);
  }
  return tether_known_hosts_add_to_file (user_known_hosts (w), line, error);
}

typedef struct
{
  TetherHostKeyDecision decision;
  GError *error;
} HostKeyAnswer;

static void
host_key_answered_on_worker (TetherWorker *w,
                             gpointer      data)
{
  HostKeyAnswer *answer = data;
  g_autoptr(GError) error = NULL;
  HostKeyCheck *check = g_steal_pointer (&w->pending_host_key);

  if (w->quit || check == NULL) {
    g_clear_pointer (&check, _tether_connection_host_key_check_free);
    return;
  }

  if (answer->error != NULL)
    error = g_steal_pointer (&answer->error);
  else if (answer->decision == TETHER_HOST_KEY_DECISION_REJECT)
    error = host_key_error (check);
  else if (answer->decision == TETHER_HOST_KEY_DECISION_ACCEPT_AND_SAVE) {
    if (!save_host_key (w, check, &error))
      g_prefix_error (&error, _("The host key could not be saved: "));
  }

  _tether_connection_host_key_check_free (check);
  if (error != NULL) {
    _tether_worker_fail_connect (w, g_steal_pointer (&error));
    return;
  }
  w->phase = PHASE_AUTH_NONE;
  _tether_worker_post_state (w, TETHER_CONNECTION_STATE_AUTHENTICATING);
  _tether_worker_login_timer_start (w);
  _tether_worker_process (w);
}

static void
host_key_answer_free (HostKeyAnswer *answer)
{
  g_clear_error (&answer->error);
  g_free (answer);
}

static void
verify_host_key_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TetherWorker) w = user_data;
  HostKeyAnswer *answer = g_new0 (HostKeyAnswer, 1);

  answer->decision = tether_interaction_verify_host_key_finish (TETHER_INTERACTION (source),
                                                                result, &answer->error);
  _tether_worker_invoke (w, host_key_answered_on_worker, answer,
                         (GDestroyNotify) host_key_answer_free);
}

static void
ask_host_key_on_owner (TetherConnection *self,
                       TetherHostKeyInfo *info)
{
  if (self->interaction == NULL || self->worker == NULL) {
    HostKeyAnswer *answer = g_new0 (HostKeyAnswer, 1);

    answer->decision = TETHER_HOST_KEY_DECISION_REJECT;
    if (self->worker != NULL)
      _tether_worker_invoke (self->worker, host_key_answered_on_worker, answer,
                             (GDestroyNotify) host_key_answer_free);
    else
      host_key_answer_free (answer);
    return;
  }
  tether_interaction_verify_host_key_async (self->interaction, info, self->cancellable,
                                            verify_host_key_cb, _tether_worker_ref (self->worker));
}

void
_tether_worker_step_host_key (TetherWorker *w)
{
  g_autoptr(GError) error = NULL;
  HostKeyCheck *check = check_host_key (w, &error);
  TetherHostKeyStatus status;

  if (check == NULL) {
    _tether_worker_fail_connect (w, g_steal_pointer (&error));
    return;
  }
  status = tether_host_key_info_get_status (check->info);
  if (status == TETHER_HOST_KEY_STATUS_KNOWN) {
    _tether_connection_host_key_check_free (check);
    w->phase = PHASE_AUTH_NONE;
    _tether_worker_post_state (w, TETHER_CONNECTION_STATE_AUTHENTICATING);
    return;
  }
  if (status == TETHER_HOST_KEY_STATUS_REVOKED || !w->has_interaction) {
    error = host_key_error (check);
    _tether_connection_host_key_check_free (check);
    _tether_worker_fail_connect (w, g_steal_pointer (&error));
    return;
  }

  /* A connection asks one question at a time: one slot per worker. */
  g_clear_pointer (&w->pending_host_key, _tether_connection_host_key_check_free);
  w->pending_host_key = check;
  w->phase = PHASE_WAIT;
  _tether_worker_login_timer_stop (w);
  _tether_worker_post_to_connection (w, G_CALLBACK (ask_host_key_on_owner),
                                     g_object_ref (check->info), g_object_unref);
}
