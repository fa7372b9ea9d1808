/* tether-connection-auth.c: user authentication on the worker: agent, keys,
 * keyboard-interactive, password, and asking the owner for secrets.
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

/* OpenSSH's NumberOfPasswordPrompts default. */
#define TETHER_PASSWORD_ATTEMPTS 3
/* Attempts at a key's passphrase before going on to the next key. */
#define TETHER_PASSPHRASE_ATTEMPTS 3
/* Keyboard-interactive rounds before giving up: PAM conversations are short. */
#define TETHER_KBDINT_ROUNDS 8

/* ------------------------------------------------------------------------- */
/* Authentication                                                            */

static void
auth_note (TetherWorker *w,
           const char   *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
auth_note (TetherWorker *w,
           const char   *format,
           ...)
{
  va_list args;

  if (w->tried->len > 0)
    g_string_append (w->tried, ", ");
  va_start (args, format);
  g_string_append_vprintf (w->tried, format, args);
  va_end (args);
}

static char *
describe_methods (int methods)
{
  GPtrArray *names = g_ptr_array_new ();

  if (methods & SSH_AUTH_METHOD_PUBLICKEY)
    g_ptr_array_add (names, "publickey");
  if (methods & SSH_AUTH_METHOD_INTERACTIVE)
    g_ptr_array_add (names, "keyboard-interactive");
  if (methods & SSH_AUTH_METHOD_PASSWORD)
    g_ptr_array_add (names, "password");
  if (methods & SSH_AUTH_METHOD_GSSAPI_MIC)
    g_ptr_array_add (names, "gssapi-with-mic");
  if (methods & SSH_AUTH_METHOD_HOSTBASED)
    g_ptr_array_add (names, "hostbased");
  g_ptr_array_add (names, NULL);
  {
    char *joined = names->len > 1 ? g_strjoinv (", ", (char **) names->pdata)
                                  : g_strdup ("none");
    g_ptr_array_free (names, TRUE);
    return joined;
  }
}

static void
on_auth_done (TetherWorker *w)
{
  ConnectResult *result = g_new0 (ConnectResult, 1);
  const char *cipher = ssh_get_cipher_out (w->session);

  _tether_worker_clear_key_state (w);
  g_clear_pointer (&w->password, _tether_connection_secret_free);
  w->phase = PHASE_READY;
  w->event = ssh_event_new ();
  ssh_event_add_session (w->event, w->session);
  result->banner = g_strdup (ssh_get_serverbanner (w->session));
  result->fingerprint = g_strdup (w->host_key_fingerprint);
  result->cipher = g_strdup (cipher);
  _tether_worker_post_to_connection (w, G_CALLBACK (_tether_connection_on_connect_done), result,
                                     (GDestroyNotify) _tether_connection_connect_result_free);
  _tether_worker_login_timer_stop (w);
}

/* The next method of the host's order (PreferredAuthentications). */
static void
next_auth_method (TetherWorker *w)
{
  if (w->auth_order[w->auth_index] != PHASE_AUTH_END)
    w->auth_index++;
  w->phase = w->auth_order[w->auth_index];
}

static void
fail_auth (TetherWorker *w)
{
  g_autofree char *offered = describe_methods (w->methods);

  /* Nothing worked and the user said no to a prompt: the user's choice, not a refusal. */
  if (w->user_declined) {
    _tether_worker_fail_connect (w,
                                 g_error_new (TETHER_ERROR, TETHER_ERROR_AUTH_CANCELLED,
                                              _("Login to %s was cancelled. The server accepts: "
                                              "%s; Tether tried: %s."), w->hostname, offered,
                                              w->tried->str));
    return;
  }
  _tether_worker_fail_connect (w,
                               g_error_new (TETHER_ERROR, TETHER_ERROR_AUTH_FAILED,
                                            _("Permission denied for %s on %s. The server "
                                            "accepts: %s; Tether tried: %s."),
                                            w->user, w->hostname, offered,
                                            w->tried->len ? w->tried->str
                                                          : _("nothing it could offer")));
}

static int
passphrase_probe_cb (const char *prompt,
                     char       *buf,
                     size_t      len,
                     int         echo,
                     int         verify,
                     void       *userdata)
{
  TetherWorker *w = userdata;

  w->needs_passphrase = TRUE;
  return -1;
}

/* OpenSSH's default IdentityFile names, as `ssh -G` lists them. */
static const char * const default_key_names[] = {
  "id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa", NULL
};

static gboolean
is_default_key_file (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);

  return g_str_equal (dir, ssh_dir) && g_strv_contains (default_key_names, name);
}

/* The key files to try: the host's, else OpenSSH's defaults that exist. */
static GStrv
key_files (TetherWorker *w)
{
  static const char * const defaults[] = { "id_ed25519", "id_ecdsa", "id_rsa", NULL };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (w->identity_files != NULL && w->identity_files[0] != NULL)
    return g_strdupv (w->identity_files);
  for (guint i = 0; defaults[i] != NULL; i++) {
    g_autofree char *path = g_build_filename (g_get_home_dir (), ".ssh", defaults[i], NULL);

    if (g_file_test (path, G_FILE_TEST_EXISTS))
      g_strv_builder_add (builder, path);
  }
  return g_strv_builder_end (builder);
}

/* The certificate for @key: a CertificateFile, else KEY-cert.pub. */
static ssh_key
load_certificate (TetherWorker *w,
                  const char   *key_path)
{
  g_autofree char *next_to_key = g_strconcat (key_path, "-cert.pub", NULL);
  ssh_key cert = NULL;

  if (ssh_pki_import_cert_file (next_to_key, &cert) == SSH_OK)
    return cert;
  for (guint i = 0; w->certificate_files != NULL && w->certificate_files[i] != NULL; i++)
    if (ssh_pki_import_cert_file (w->certificate_files[i], &cert) == SSH_OK)
      return cert;
  return NULL;
}

static void ask_secret (TetherWorker *w, int kind);
static void next_auth_method (TetherWorker *w);

enum {
  SECRET_PASSPHRASE,
  SECRET_PASSWORD,
  SECRET_KBDINT,
};

static void
next_key (TetherWorker *w)
{
  _tether_worker_clear_key_state (w);
  w->key_index++;
  w->key_step = KEY_START;
}

/* Returns TRUE when it must wait for the network or the user. */
static gboolean
step_keys (TetherWorker *w)
{
  g_auto(GStrv) files = key_files (w);

  while (w->key_index < g_strv_length (files)) {
    const char *path = files[w->key_index];
    g_autofree char *pub_path = NULL;
    int rc;

    switch (w->key_step) {
    case KEY_START:
      w->key_cert = load_certificate (w, path);
      pub_path = g_strconcat (path, ".pub", NULL);
      if (w->key_cert == NULL &&
          ssh_pki_import_pubkey_file (pub_path, &w->key_public) != SSH_OK)
        w->key_public = NULL;
      w->key_step = (w->key_cert || w->key_public) ? KEY_PROBE : KEY_LOAD;
      break;

    case KEY_PROBE:
      rc = ssh_userauth_try_publickey (w->session, NULL,
                                       w->key_cert ? w->key_cert : w->key_public);
      if (rc == SSH_AUTH_AGAIN)
        return TRUE;
      if (rc == SSH_AUTH_ERROR)
        return FALSE;
      if (rc != SSH_AUTH_SUCCESS) {
        auth_note (w, "%s %s (not accepted)", w->key_cert ? "certificate for" : "key",
                   path);
        next_key (w);
        break;
      }
      w->key_step = KEY_LOAD;
      break;

    case KEY_LOAD:
      w->needs_passphrase = FALSE;
      rc = ssh_pki_import_privkey_file (path, w->passphrase,
                                        w->passphrase ? NULL : passphrase_probe_cb, w,
                                        &w->key_private);
      if (rc == SSH_OK) {
        if (w->key_cert != NULL &&
            ssh_pki_copy_cert_to_privkey (w->key_cert, w->key_private) != SSH_OK) {
          auth_note (w, "certificate for %s (does not match the key)", path);
          next_key (w);
          break;
        }
        w->key_step = KEY_SIGN;
        break;
      }
      w->key_private = NULL;
      if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
        /* ssh -G lists every default key file whether it exists or not. */
        if (!is_default_key_file (path))
          auth_note (w, "key %s (no such file)", path);
        next_key (w);
        break;
      }
      if ((w->needs_passphrase || w->passphrase != NULL) && w->has_interaction &&
          w->passphrase_attempts < TETHER_PASSPHRASE_ATTEMPTS) {
        g_clear_pointer (&w->passphrase, _tether_connection_secret_free);
        ask_secret (w, SECRET_PASSPHRASE);
        return TRUE;
      }
      auth_note (w, "key %s (%s)", path,
                 w->needs_passphrase || w->passphrase_attempts > 0
                   ? "passphrase not given" : "could not be read");
      next_key (w);
      break;

    case KEY_SIGN:
      rc = ssh_userauth_publickey (w->session, NULL, w->key_private);
      if (rc == SSH_AUTH_AGAIN)
        return TRUE;
      if (rc == SSH_AUTH_SUCCESS) {
        on_auth_done (w);
        return TRUE;
      }
      if (rc == SSH_AUTH_ERROR)
        return FALSE;
      auth_note (w, "%s %s (refused)", w->key_cert ? "certificate for" : "key", path);
      next_key (w);
      break;
    }
  }
  return FALSE;
}

typedef struct
{
  int kind;
  char *secret;
  GStrv answers;
  GError *error;
} SecretAnswer;

static void
secret_answer_free (SecretAnswer *answer)
{
  _tether_connection_secret_free (answer->secret);
  if (answer->answers != NULL) {
    for (guint i = 0; answer->answers[i] != NULL; i++)
      explicit_bzero (answer->answers[i], strlen (answer->answers[i]));
    g_strfreev (answer->answers);
  }
  g_clear_error (&answer->error);
  g_free (answer);
}

static void
secret_answered_on_worker (TetherWorker *w,
                           gpointer      data)
{
  SecretAnswer *answer = data;

  if (w->quit || w->phase != PHASE_WAIT)
    return;

  if (answer->error != NULL) {
    _tether_worker_fail_connect (w, g_steal_pointer (&answer->error));
    return;
  }
  w->phase = w->resume_phase;
  _tether_worker_login_timer_start (w);
  switch (answer->kind) {
  case SECRET_PASSPHRASE:
    w->passphrase_attempts++;
    if (answer->secret == NULL) {
      /* Cancelled: skip this key, as OpenSSH does on an empty answer. */
      auth_note (w, "key (passphrase not given)");
      next_key (w);
    } else
      w->passphrase = g_steal_pointer (&answer->secret);
    break;
  case SECRET_PASSWORD:
    if (answer->secret == NULL) {
      /* Declined: on to the next method. Only the cancellable cancels the login. */
      auth_note (w, "password (declined)");
      w->user_declined = TRUE;
      next_auth_method (w);
      break;
    }
    w->password = g_steal_pointer (&answer->secret);
    break;
  case SECRET_KBDINT:
    if (answer->answers == NULL) {
      /* A new request abandons the exchange (RFC 4252 section 5). */
      auth_note (w, "keyboard-interactive (declined)");
      w->user_declined = TRUE;
      w->kbdint_rounds = TETHER_KBDINT_ROUNDS;
      next_auth_method (w);
      break;
    }
    w->kbdint_answers = g_steal_pointer (&answer->answers);
    w->kbdint_pending_answers = TRUE;
    break;
  default:
    g_assert_not_reached ();
  }
  _tether_worker_process (w);
}

typedef struct
{
  TetherWorker *worker;
  int kind;
} SecretRequest;

static void
secret_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SecretRequest *request = user_data;
  SecretAnswer *answer = g_new0 (SecretAnswer, 1);
  TetherInteraction *interaction = TETHER_INTERACTION (source);

  answer->kind = request->kind;
  switch (request->kind) {
  case SECRET_PASSPHRASE:
    answer->secret = tether_interaction_ask_passphrase_finish (interaction, result,
                                                               &answer->error);
    break;
  case SECRET_PASSWORD:
    answer->secret = tether_interaction_ask_password_finish (interaction, result,
                                                             &answer->error);
    break;
  case SECRET_KBDINT:
    answer->answers = tether_interaction_ask_kbd_interactive_finish (interaction, result,
                                                                     &answer->error);
    break;
  default:
    g_assert_not_reached ();
  }
  if (answer->error != NULL && g_error_matches (answer->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    g_clear_error (&answer->error);
    answer->error = g_error_new_literal (TETHER_ERROR, TETHER_ERROR_AUTH_CANCELLED,
                                         _("Login was cancelled."));
  }
  _tether_worker_invoke (request->worker, secret_answered_on_worker, answer,
                         (GDestroyNotify) secret_answer_free);
  _tether_worker_unref (request->worker);
  g_free (request);
}

typedef struct
{
  int kind;
  char *key_file;
  guint attempt;
  char *name;
  char *instruction;
  GStrv prompts;
  guint echo_mask;
} SecretQuestion;

static void
secret_question_free (SecretQuestion *q)
{
  g_free (q->key_file);
  g_free (q->name);
  g_free (q->instruction);
  g_strfreev (q->prompts);
  g_free (q);
}

static void
ask_secret_on_owner (TetherConnection *self,
                     SecretQuestion   *q)
{
  SecretRequest *request;

  if (self->worker == NULL)
    return;
  request = g_new0 (SecretRequest, 1);
  request->worker = _tether_worker_ref (self->worker);
  request->kind = q->kind;
  switch (q->kind) {
  case SECRET_PASSPHRASE:
    tether_interaction_ask_passphrase_async (self->interaction, q->key_file, q->attempt,
                                             self->cancellable, secret_cb, request);
    break;
  case SECRET_PASSWORD: {
    g_autofree char *user = tether_host_dup_effective_user (self->host);

    tether_interaction_ask_password_async (self->interaction, self->host, user, q->attempt,
                                           self->cancellable, secret_cb, request);
  }
    break;
  case SECRET_KBDINT:
    tether_interaction_ask_kbd_interactive_async (self->interaction, q->name, q->instruction,
                                                  (const char * const *) q->prompts,
                                                  q->echo_mask, self->cancellable,
                                                  secret_cb, request);
    break;
  default:
    g_assert_not_reached ();
  }
}

static void
ask_secret (TetherWorker *w,
            int           kind)
{
  SecretQuestion *q = g_new0 (SecretQuestion, 1);

  q->kind = kind;
  w->resume_phase = w->phase;
  w->phase = PHASE_WAIT;
  _tether_worker_login_timer_stop (w);
  switch (kind) {
  case SECRET_PASSPHRASE: {
    g_auto(GStrv) files = key_files (w);

    q->key_file = g_strdup (files[w->key_index]);
    q->attempt = w->passphrase_attempts;
  }
    break;
  case SECRET_PASSWORD:
    q->attempt = w->password_attempts;
    break;
  case SECRET_KBDINT: {
    int n = ssh_userauth_kbdint_getnprompts (w->session);
    g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

    q->name = g_strdup (ssh_userauth_kbdint_getname (w->session));
    q->instruction = g_strdup (ssh_userauth_kbdint_getinstruction (w->session));
    for (int i = 0; i < n; i++) {
      char echo = 0;
      const char *prompt = ssh_userauth_kbdint_getprompt (w->session, i, &echo);

      g_strv_builder_add (builder, prompt ? prompt : "");
      if (echo && i < 32)
        q->echo_mask |= 1u << i;
    }
    q->prompts = g_strv_builder_end (builder);
  }
    break;
  default:
    g_assert_not_reached ();
  }
  _tether_worker_post_to_connection (w, G_CALLBACK (ask_secret_on_owner), q,
                                     (GDestroyNotify) secret_question_free);
}

/* The session broke while logging in. */
static void
fail_login (TetherWorker *w)
{
  _tether_worker_fail_connect (w, _tether_worker_session_error (w, _("Logging in to")));
}

/* Handles the answers of a libssh userauth call that end a step: TRUE when
 * the step must return (libssh waits for the server, the login succeeded,
 * or the session broke). */
static gboolean
auth_settled (TetherWorker *w,
              int           rc)
{
  switch (rc) {
  case SSH_AUTH_AGAIN:
    return TRUE;
  case SSH_AUTH_SUCCESS:
    on_auth_done (w);
    return TRUE;
  case SSH_AUTH_ERROR:
    fail_login (w);
    return TRUE;
  default:
    return FALSE;
  }
}

void
_tether_worker_step_auth (TetherWorker *w)
{
  for (;;) {
    int rc;

    switch (w->phase) {
    case PHASE_AUTH_NONE:
      rc = ssh_userauth_none (w->session, NULL);
      if (auth_settled (w, rc))
        return;
      w->methods = ssh_userauth_list (w->session, NULL);
      w->auth_index = 0;
      w->phase = w->auth_order[0];
      break;

    case PHASE_AUTH_AGENT:
      if (!(w->methods & SSH_AUTH_METHOD_PUBLICKEY) || g_getenv ("SSH_AUTH_SOCK") == NULL ||
          (w->identities_only && w->identity_files != NULL)) {
        next_auth_method (w);
        break;
      }
      rc = ssh_userauth_agent (w->session, NULL);
      /* A failing agent is not a failed login: the other methods still run. */
      if (rc != SSH_AUTH_ERROR && auth_settled (w, rc))
        return;
      auth_note (w, "the keys of the SSH agent");
      next_auth_method (w);
      break;

    case PHASE_AUTH_KEYS:
      if (w->methods & SSH_AUTH_METHOD_PUBLICKEY) {
        if (step_keys (w))
          return;
        if (!ssh_is_connected (w->session)) {
          fail_login (w);
          return;
        }
      }
      next_auth_method (w);
      break;

    case PHASE_AUTH_KBDINT:
      if (!(w->methods & SSH_AUTH_METHOD_INTERACTIVE) || !w->has_interaction ||
          w->kbdint_rounds >= TETHER_KBDINT_ROUNDS) {
        next_auth_method (w);
        break;
      }
      if (w->kbdint_pending_answers) {
        for (guint i = 0; w->kbdint_answers && w->kbdint_answers[i]; i++)
          ssh_userauth_kbdint_setanswer (w->session, i, w->kbdint_answers[i]);
        w->kbdint_pending_answers = FALSE;
        g_clear_pointer (&w->kbdint_answers, g_strfreev);
      }
      rc = ssh_userauth_kbdint (w->session, NULL, NULL);
      if (auth_settled (w, rc))
        return;
      if (rc == SSH_AUTH_INFO) {
        w->kbdint_rounds++;
        if (ssh_userauth_kbdint_getnprompts (w->session) == 0)
          break;   /* an informational round: answer with nothing */
        ask_secret (w, SECRET_KBDINT);
        return;
      }
      auth_note (w, "keyboard-interactive");
      w->kbdint_rounds = TETHER_KBDINT_ROUNDS;
      break;

    case PHASE_AUTH_PASSWORD:
      if (!(w->methods & SSH_AUTH_METHOD_PASSWORD) || !w->has_interaction) {
        next_auth_method (w);
        break;
      }
      if (w->password == NULL) {
        if (w->password_attempts >= TETHER_PASSWORD_ATTEMPTS) {
          auth_note (w, "password (%u attempts)", w->password_attempts);
          next_auth_method (w);
          break;
        }
        ask_secret (w, SECRET_PASSWORD);
        return;
      }
      rc = ssh_userauth_password (w->session, NULL, w->password);
      if (auth_settled (w, rc))
        return;
      g_clear_pointer (&w->password, _tether_connection_secret_free);
      w->password_attempts++;
      break;

    case PHASE_AUTH_END:
      fail_auth (w);
      return;

    default:
      return;
    }
  }
}

/* The methods of PreferredAuthentications, in its order; by default OpenSSH's order. */
void
_tether_worker_set_auth_order (TetherWorker       *w,
                               const char * const *preferred)
{
  static const char * const defaults[] = { "publickey", "keyboard-interactive", "password",
                                           NULL };
  guint n = 0;

  if (preferred == NULL || preferred[0] == NULL)
    preferred = defaults;
  for (guint i = 0; preferred[i] != NULL; i++) {
    const char *name = preferred[i];
    Phase phases[2] = { PHASE_AUTH_END, PHASE_AUTH_END };

    if (g_str_equal (name, "publickey")) {
      phases[0] = PHASE_AUTH_AGENT;
      phases[1] = PHASE_AUTH_KEYS;
    } else if (g_str_equal (name, "keyboard-interactive"))
      phases[0] = PHASE_AUTH_KBDINT;
    else if (g_str_equal (name, "password"))
      phases[0] = PHASE_AUTH_PASSWORD;
    /* gssapi-with-mic, hostbased and unknown names: libssh or Tether cannot do them. */
    for (guint j = 0; j < G_N_ELEMENTS (phases) && phases[j] != PHASE_AUTH_END; j++) {
      gboolean seen = FALSE;

      for (guint k = 0; k < n; k++)
        seen |= w->auth_order[k] == phases[j];
      if (!seen && n < G_N_ELEMENTS (w->auth_order) - 1)
        w->auth_order[n++] = phases[j];
    }
  }
  w->auth_order[n] = PHASE_AUTH_END;
}

/* @fd becomes the worker's (and then libssh's) whatever happens. */
