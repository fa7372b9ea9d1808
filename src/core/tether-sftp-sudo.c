/* tether-sftp-sudo.c: an SFTP client whose server runs as root: the server's sftp-server
 * started through `sudo -S` on an exec channel of the connection.
 *
 * sudo reads the password from the same stdin that later carries SFTP, so not a byte of SFTP
 * may be sent while it could still be reading. The command therefore has sudo prompt with a
 * marker of ours, and has the root shell print a ready marker on stderr just before it execs
 * sftp-server: the prompt asks the user (through the interaction), the ready marker starts
 * the SFTP handshake, and the end of the command before either says why it failed. sudo's
 * messages are read in the C locale so that they can be told apart.
 *
 * Transfers of such a client need a root sftp-server of their own (each runs on a channel of
 * its own, tether-sftp-transfer.c), started the same way. So that the user is not asked again
 * for each, a password that sudo accepted is kept with the client, and only there: in memory
 * pages of its own that are locked (never swapped) and left out of core dumps, zeroed and
 * unmapped when the client goes. It is never written to disk, a log or a command line. When a
 * transfer's sudo refuses it (the password changed meanwhile), the user is asked again. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tether-connection.h"
#include "tether-error.h"
#include "tether-host.h"
#include "tether-interaction.h"
#include "tether-session-channel.h"
#include "tether-sftp-client-private.h"

/* Where distributions put OpenSSH's sftp-server, tried after sshd_config's Subsystem line:
 * Debian/Ubuntu, Fedora/RHEL/SUSE, Arch, and the older flat layouts. */
#define SFTP_SERVER_PATHS \
  "/usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server /usr/lib/ssh/sftp-server " \
  "/usr/libexec/sftp-server /usr/lib/sftp-server"
#define SSHD_CONFIG "/etc/ssh/sshd_config"
/* sudo's own answer when sudo or the shell cannot find a program. */
#define EXIT_NOT_FOUND 127
#define STDERR_CHUNK 4096
/* sudo's messages that tell a wrong password from a refusal (it runs with LC_ALL=C). */
#define SUDO_WRONG_PASSWORD "incorrect password attempt"
#define SUDO_TRY_AGAIN "Sorry, try again."
#define NONCE_BYTES 8
/* Where a sudo client keeps what its transfers need (SudoSecret). */
#define SUDO_SECRET_KEY "tether-sftp-sudo-secret"

/* What a client started through sudo keeps for the next start: the interaction to ask, and
 * the password sudo accepted (with its newline), in locked pages; NULL when none was asked. */
typedef struct
{
  TetherInteraction *interaction;
  char *password;
  gsize password_len;
  gsize map_len;
} SudoSecret;

typedef struct
{
  TetherConnection *connection;
  TetherInteraction *interaction;
  TetherSessionChannel *channel;
  GInputStream *err;
  GString *text;              /* stderr so far */
  gsize scan;                 /* where the next marker is looked for */
  char *prompt;
  char *ready;
  char *no_server;
  guint n_prompts;            /* prompts seen */
  guint n_answered;           /* passwords sent */
  gulong closed_id;
  gulong exit_id;
  char *password;             /* the last answer given; zeroed and freed when done with */
  gsize password_len;
  gboolean from_secret;       /* the password is the client's kept one, not typed now */
  gboolean want_channel;      /* return the ready channel, for a transfer, not a client */
  TetherSftpClient *owner;    /* a transfer's: the sudo client, whose secret answers first */
  SudoSecret *secret;         /* kept for the new client, once sudo accepted the password */
} SudoData;

static void
sudo_secret_free (SudoSecret *secret)
{
  if (secret->password != NULL) {
    explicit_bzero (secret->password, secret->password_len);
    munlock (secret->password, secret->map_len);
    munmap (secret->password, secret->map_len);
  }
  g_clear_object (&secret->interaction);
  g_free (secret);
}

/* Copies @len bytes of @password into pages of their own, locked in memory and left out of
 * core dumps. */
static gboolean
sudo_secret_set_password (SudoSecret *secret,
                          const char *password,
                          gsize       len)
{
  gsize page = (gsize) sysconf (_SC_PAGESIZE);
  gsize map_len = (len + page - 1) / page * page;
  void *map;

  if (secret->password != NULL) {
    explicit_bzero (secret->password, secret->password_len);
    munlock (secret->password, secret->map_len);
    munmap (secret->password, secret->map_len);
    secret->password = NULL;
    secret->password_len = 0;
  }
  map = mmap (NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED)
    return FALSE;
  /* Without the lock (RLIMIT_MEMLOCK) the password is not kept: the next start asks. */
  if (mlock (map, map_len) != 0) {
    int errsv = errno;

    munmap (map, map_len);
    errno = errsv;
    return FALSE;
  }
#ifdef MADV_DONTDUMP
  madvise (map, map_len, MADV_DONTDUMP);
#endif
  memcpy (map, password, len);
  secret->password = map;
  secret->password_len = len;
  secret->map_len = map_len;
  return TRUE;
}

static SudoSecret *
get_secret (TetherSftpClient *client)
{
  return g_object_get_data (G_OBJECT (client), SUDO_SECRET_KEY);
}

static void
clear_password (SudoData *data)
{
  if (data->password == NULL)
    return;
  explicit_bzero (data->password, data->password_len);
  g_clear_pointer (&data->password, g_free);
  data->password_len = 0;
}

static void
sudo_data_free (SudoData *data)
{
  clear_password (data);
  if (data->channel != NULL) {
    g_clear_signal_handler (&data->closed_id, data->channel);
    g_clear_signal_handler (&data->exit_id, data->channel);
  }
  if (data->secret != NULL)
    sudo_secret_free (data->secret);
  g_clear_object (&data->owner);
  g_clear_object (&data->connection);
  g_clear_object (&data->interaction);
  g_clear_object (&data->channel);
  g_clear_object (&data->err);
  if (data->text != NULL)
    g_string_free (data->text, TRUE);
  g_free (data->prompt);
  g_free (data->ready);
  g_free (data->no_server);
  g_free (data);
}

static void
close_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
}

/* Fails @task and closes the channel, which ends sudo (its stdin goes away). */
static void
fail (GTask  *task,
      GError *error)
{
  SudoData *data = g_task_get_task_data (task);

  if (data->channel != NULL && !g_io_stream_is_closed (G_IO_STREAM (data->channel)))
    g_io_stream_close_async (G_IO_STREAM (data->channel), G_PRIORITY_DEFAULT, NULL,
                             close_done_cb, NULL);
  if (data->channel != NULL) {
    g_clear_signal_handler (&data->closed_id, data->channel);
    g_clear_signal_handler (&data->exit_id, data->channel);
  }
  g_task_return_error (task, error);
}

static const char *
host_name (SudoData *data)
{
  TetherHost *host = tether_connection_get_host (data->connection);
  const char *name = host != NULL ? tether_host_get_hostname (host) : NULL;

  if (name == NULL && host != NULL)
    name = tether_host_get_alias (host);
  return name != NULL ? name : "?";
}

/* The root shell's script: sshd_config's sftp-server first, then the usual places. It is
 * one line of POSIX sh inside single quotes, without ' or !, so that whatever login shell
 * reads the command (sh, bash, zsh, fish, tcsh) passes it on unchanged. */
static char *
build_command (SudoData *data)
{
  return g_strdup_printf ("/usr/bin/env LC_ALL=C sudo -S -p %s -- /bin/sh -c '"
                          "c=; "
                          "if [ -r " SSHD_CONFIG " ]; then "
                          "while read -r k s p r; do "
                          "case $k in [Ss][Uu][Bb][Ss][Yy][Ss][Tt][Ee][Mm]) "
                          "if [ \"$s\" = sftp ]; then c=$p; fi;; esac; "
                          "done < " SSHD_CONFIG "; fi; "
                          "for p in $c " SFTP_SERVER_PATHS "; do "
                          "if [ -f \"$p\" ] && [ -x \"$p\" ]; then "
                          "echo %s >&2; exec \"$p\"; fi; done; "
                          "echo %s >&2; exit %d'",
                          data->prompt, data->ready, data->no_server, EXIT_NOT_FOUND);
}

/* The last line sudo wrote that is not one of our markers: its reason, for the error. */
static char *
dup_last_message (SudoData *data)
{
  g_auto(GStrv) lines = g_strsplit (data->text->str, "\n", -1);

  for (guint i = g_strv_length (lines); i > 0; i--) {
    char *line = lines[i - 1];
    char *marker;

    while ((marker = strstr (line, data->prompt)) != NULL)
      memmove (marker, marker + strlen (data->prompt),
               strlen (marker + strlen (data->prompt)) + 1);
    g_strstrip (line);
    if (*line != '\0' && strstr (line, data->ready) == NULL &&
        strstr (line, data->no_server) == NULL && strcmp (line, SUDO_TRY_AGAIN) != 0)
      return g_strdup (line);
  }
  return NULL;
}

/* sudo (or the shell) ended before sftp-server started: say why. */
static void
finish_ended (GTask *task)
{
  SudoData *data = g_task_get_task_data (task);
  int status = tether_session_channel_get_exit_status (data->channel);
  g_autofree char *message = dup_last_message (data);

  if (strstr (data->text->str, data->no_server) != NULL) {
    fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                             _("No SFTP server program (sftp-server) was found on %s."),
                             host_name (data)));
  } else if (data->n_prompts == 0 && status == EXIT_NOT_FOUND) {
    fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             _("sudo is not installed on %s."), host_name (data)));
  } else if (strstr (data->text->str, SUDO_WRONG_PASSWORD) != NULL) {
    fail (task, g_error_new (TETHER_ERROR, TETHER_ERROR_AUTH_FAILED,
                             g_dngettext (GETTEXT_PACKAGE,
                                          "The administrator password was wrong %u time; "
                                          "sudo gave up.",
                                          "The administrator password was wrong %u times; "
                                          "sudo gave up.", data->n_answered),
                             data->n_answered));
  } else if (status < 0 && message == NULL) {
    /* No word from sudo and no exit status: the channel or the connection went away. */
    fail (task, g_error_new (TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                             _("The administrator session on %s ended before it started."),
                             host_name (data)));
  } else {
    fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             _("You are not allowed to run sudo on %s: %s"), host_name (data),
                             message != NULL ? message : _("sudo refused.")));
  }
}

static void
on_ended (GTask *task)
{
  /* Disconnecting drops the handlers' references. */
  g_autoptr(GTask) ref = g_object_ref (task);
  SudoData *data = g_task_get_task_data (task);

  g_clear_signal_handler (&data->closed_id, data->channel);
  g_clear_signal_handler (&data->exit_id, data->channel);
  finish_ended (task);
}

static void
on_exit_status (TetherSessionChannel *channel,
                int                   status,
                GTask                *task)
{
  on_ended (task);
}

static void
on_closed (TetherChannel *channel,
           const GError  *error,
           GTask         *task)
{
  on_ended (task);
}

static void
unref_task (gpointer  task,
            GClosure *closure)
{
  g_object_unref (task);
}

/* stderr ended: wait for the exit status (or the close), which may come a little later. */
static void
wait_for_end (GTask *task)
{
  SudoData *data = g_task_get_task_data (task);

  if (tether_session_channel_get_exit_status (data->channel) >= 0 ||
      tether_channel_get_state (TETHER_CHANNEL (data->channel)) == TETHER_CHANNEL_STATE_CLOSED) {
    finish_ended (task);
    return;
  }
  data->exit_id = g_signal_connect_data (data->channel, "exit-status",
                                         G_CALLBACK (on_exit_status), g_object_ref (task),
                                         unref_task, 0);
  data->closed_id = g_signal_connect_data (data->channel, "closed", G_CALLBACK (on_closed),
                                           g_object_ref (task), unref_task, 0);
}

/* After the ready marker sudo is gone; stderr is read on (and dropped) so that whatever
 * sftp-server writes there never holds up the channel's window. */
static void
drain_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              NULL);

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return;
  g_input_stream_read_bytes_async (G_INPUT_STREAM (source), STDERR_CHUNK, G_PRIORITY_DEFAULT,
                                   NULL, drain_cb, NULL);
}

static void
init_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  TetherSftpClient *client = g_task_propagate_pointer (G_TASK (result), &error);

  SudoData *data = g_task_get_task_data (task);

  if (client == NULL) {
    g_task_return_error (task, error);
    return;
  }
  /* What the client's transfers need to start sudo again. */
  g_object_set_data_full (G_OBJECT (client), SUDO_SECRET_KEY, g_steal_pointer (&data->secret),
                          (GDestroyNotify) sudo_secret_free);
  g_task_return_pointer (task, client, g_object_unref);
}

/* sudo accepted the last answer (or asked none): keep it for the next start. */
static void
keep_password (SudoData *data)
{
  SudoSecret *secret;

  if (data->owner != NULL) {
    /* A transfer's start: a password typed now replaces the client's (it changed). */
    secret = get_secret (data->owner);
    if (data->password != NULL && !data->from_secret && secret != NULL &&
        !sudo_secret_set_password (secret, data->password, data->password_len))
      g_debug ("sudo's password is not kept: %s", g_strerror (errno));
    clear_password (data);
    return;
  }
  data->secret = g_new0 (SudoSecret, 1);
  data->secret->interaction = data->interaction != NULL ? g_object_ref (data->interaction) : NULL;
  if (data->password != NULL &&
      !sudo_secret_set_password (data->secret, data->password, data->password_len))
    g_debug ("sudo's password is not kept: %s", g_strerror (errno));
  clear_password (data);
}

static void read_stderr (GTask *task);
static void ask_password (GTask *task);

/* Looks for our markers in what stderr brought; returns FALSE once the task is done with
 * reading (ready, or asking the user). */
static gboolean
scan_stderr (GTask *task)
{
  SudoData *data = g_task_get_task_data (task);
  const char *text = data->text->str + data->scan;
  const char *prompt = strstr (text, data->prompt);
  const char *ready = strstr (text, data->ready);

  if (ready != NULL && (prompt == NULL || ready < prompt)) {
    g_clear_signal_handler (&data->closed_id, data->channel);
    g_clear_signal_handler (&data->exit_id, data->channel);
    g_input_stream_read_bytes_async (data->err, STDERR_CHUNK, G_PRIORITY_DEFAULT, NULL,
                                     drain_cb, NULL);
    keep_password (data);
    if (data->want_channel) {
      g_task_return_pointer (task, g_object_ref (data->channel), g_object_unref);
      return FALSE;
    }
    _tether_sftp_client_new_for_channel_async (data->connection, G_IO_STREAM (data->channel),
                                               g_task_get_cancellable (task), init_cb,
                                               g_object_ref (task));
    return FALSE;
  }
  if (prompt != NULL) {
    data->scan = (prompt - data->text->str) + strlen (data->prompt);
    data->n_prompts++;
    ask_password (task);
    return FALSE;
  }
  /* A marker may be split between reads: look again from where it could start. */
  if (data->text->len > data->scan + strlen (data->prompt) + strlen (data->ready))
    data->scan = data->text->len - MAX (strlen (data->prompt), strlen (data->ready));
  return TRUE;
}

static void
stderr_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SudoData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);

  if (bytes == NULL) {
    fail (task, error);
    return;
  }
  if (g_bytes_get_size (bytes) == 0) {
    wait_for_end (task);
    return;
  }
  g_string_append_len (data->text, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (scan_stderr (task))
    read_stderr (task);
}

static void
read_stderr (GTask *task)
{
  SudoData *data = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (data->err, STDERR_CHUNK, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), stderr_cb,
                                   g_object_ref (task));
}

static void
password_written_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SudoData *data = g_task_get_task_data (task);
  GError *error = NULL;

  /* The answer stays until sudo says whether it took it (keep_password ()). */
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error)) {
    fail (task, error);
    return;
  }
  data->n_answered++;
  /* What sudo says next (ready, another prompt, or its end) may already be here. */
  if (scan_stderr (task))
    read_stderr (task);
}

static void
answered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SudoData *data = g_task_get_task_data (task);
  GError *error = NULL;
  char **answers;
  GOutputStream *out;

  answers = tether_interaction_ask_kbd_interactive_finish (TETHER_INTERACTION (source), result,
                                                          &error);
  if (error != NULL) {
    fail (task, error);
    return;
  }
  if (answers == NULL || answers[0] == NULL) {
    if (answers != NULL)
      g_free (answers);
    fail (task, g_error_new (TETHER_ERROR, TETHER_ERROR_AUTH_CANCELLED,
                             _("No administrator password was given.")));
    return;
  }
  /* The answer plus its newline in one buffer of ours, so that one zeroing covers it. */
  clear_password (data);
  data->from_secret = FALSE;
  data->password_len = strlen (answers[0]) + 1;
  data->password = g_malloc (data->password_len);
  memcpy (data->password, answers[0], data->password_len - 1);
  data->password[data->password_len - 1] = '\n';
  for (guint i = 0; answers[i] != NULL; i++) {
    explicit_bzero (answers[i], strlen (answers[i]));
    g_free (answers[i]);
  }
  g_free (answers);

  out = g_io_stream_get_output_stream (G_IO_STREAM (data->channel));
  g_output_stream_write_all_async (out, data->password, data->password_len, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), password_written_cb,
                                   g_object_ref (task));
}

static void
ask_password (GTask *task)
{
  SudoData *data = g_task_get_task_data (task);
  const char *prompts[] = { _("Password"), NULL };
  g_autofree char *instruction = NULL;

  /* A transfer's start answers sudo's first prompt with the password it took before. */
  if (data->owner != NULL && data->n_prompts == 1) {
    SudoSecret *secret = get_secret (data->owner);

    if (secret != NULL && secret->password != NULL) {
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (data->channel));

      /* A copy of ours: another transfer may replace the client's meanwhile. */
      clear_password (data);
      data->password = g_memdup2 (secret->password, secret->password_len);
      data->password_len = secret->password_len;
      data->from_secret = TRUE;
      g_output_stream_write_all_async (out, data->password, data->password_len,
                                       G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                       password_written_cb, g_object_ref (task));
      return;
    }
  }
  if (data->interaction == NULL) {
    fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             _("sudo on %s asks for a password, and there is nobody to ask."),
                             host_name (data)));
    return;
  }
  if (data->n_prompts > 1)
    /* Translators: %s is a host name */
    instruction = g_strdup_printf (_("The password was not accepted. Try again to manage "
                                     "files as administrator on %s."), host_name (data));
  else
    /* Translators: %s is a host name */
    instruction = g_strdup_printf (_("Enter your password to manage files as administrator "
                                     "(sudo) on %s."), host_name (data));
  tether_interaction_ask_kbd_interactive_async (data->interaction,
                                                _("Administrator Password"), instruction,
                                                prompts, 0, g_task_get_cancellable (task),
                                                answered_cb, g_object_ref (task));
}

static void
exec_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SudoData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!tether_session_channel_request_exec_finish (data->channel, result, &error)) {
    fail (task, error);
    return;
  }
  read_stderr (task);
}

static void
session_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SudoData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autofree char *command = NULL;

  data->channel = tether_connection_open_session_finish (data->connection, result, &error);
  if (data->channel == NULL) {
    g_task_return_error (task, error);
    return;
  }
  data->err = g_object_ref (tether_session_channel_get_stderr_stream (data->channel));
  command = build_command (data);
  tether_session_channel_request_exec_async (data->channel, command,
                                             g_task_get_cancellable (task), exec_cb,
                                             g_object_ref (task));
}

static void start_sudo (GTask *task, TetherConnection *connection,
                        TetherInteraction *interaction);

static char *
random_token (void)
{
  GString *token = g_string_new (NULL);

  for (guint i = 0; i < NONCE_BYTES; i++)
    g_string_append_printf (token, "%02x", g_random_int_range (0, 256));
  return g_string_free (token, FALSE);
}

/**
 * tether_sftp_client_new_sudo_async:
 * @connection: a ready #TetherConnection
 * @interaction: (nullable): asks the user's password when sudo wants one
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the client is ready or failed
 * @user_data: data for @callback
 *
 * Opens an SFTP client whose server runs as root: the server's `sftp-server` (found from
 * sshd_config's `Subsystem sftp` line or the usual places) started through `sudo` on an exec
 * channel of @connection.
 *
 * When sudo asks for the user's password, @interaction's
 * [vfunc@Tether.Interaction.ask_kbd_interactive] is asked with one hidden prompt, again after
 * a wrong password, until sudo gives up. The password is never written anywhere but to sudo
 * (see below for the transfers).
 *
 * Errors: %G_IO_ERROR_PERMISSION_DENIED when the user may not run sudo (or sudo wants a
 * password and @interaction is %NULL), %TETHER_ERROR_AUTH_FAILED when sudo gave up after
 * wrong passwords, %TETHER_ERROR_AUTH_CANCELLED when the user gave none,
 * %G_IO_ERROR_NOT_FOUND without an sftp-server, %G_IO_ERROR_NOT_SUPPORTED without sudo,
 * %TETHER_ERROR_DISCONNECTED when the channel ended without a word from sudo.
 *
 * Downloads and uploads of the client run as root too, each on a channel of its own where
 * sudo starts another sftp-server. So that they do not ask again, the password sudo took is
 * kept with the client, in locked memory only, and wiped when the client is finalized; when
 * a later sudo refuses it, @interaction is asked again.
 */
void
tether_sftp_client_new_sudo_async (TetherConnection    *connection,
                                   TetherInteraction   *interaction,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TETHER_IS_CONNECTION (connection));
  g_return_if_fail (interaction == NULL || TETHER_IS_INTERACTION (interaction));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_sftp_client_new_sudo_async);
  g_task_set_name (task, "[tether] sftp client new sudo");
  start_sudo (task, connection, interaction);
}

/* Runs sudo and sftp-server on a new exec channel of @connection for @task. */
static void
start_sudo (GTask             *task,
            TetherConnection  *connection,
            TetherInteraction *interaction)
{
  g_autofree char *nonce = random_token ();
  SudoData *data = g_task_get_task_data (task);

  if (data == NULL) {
    data = g_new0 (SudoData, 1);
    g_task_set_task_data (task, data, (GDestroyNotify) sudo_data_free);
  }
  data->connection = g_object_ref (connection);
  data->interaction = interaction != NULL ? g_object_ref (interaction) : NULL;
  data->text = g_string_new (NULL);
  /* Without spaces, quotes or %: the prompt passes every shell and sudo's % escapes. */
  data->prompt = g_strconcat ("TETHER-SUDO-PASSWORD-", nonce, ":", NULL);
  data->ready = g_strconcat ("TETHER-SUDO-READY-", nonce, NULL);
  data->no_server = g_strconcat ("TETHER-SUDO-NO-SFTP-SERVER-", nonce, NULL);
  tether_connection_open_session_async (connection, g_task_get_cancellable (task), session_cb,
                                        g_object_ref (task));
}

/**
 * tether_sftp_client_new_sudo_finish:
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Finishes tether_sftp_client_new_sudo_async().
 *
 * Returns: (transfer full): the client, or %NULL with @error set
 */
TetherSftpClient *
tether_sftp_client_new_sudo_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tether_sftp_client_new_sudo_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Whether @client's server runs through sudo (its transfers then start theirs the same way). */
gboolean
_tether_sftp_client_is_sudo (TetherSftpClient *client)
{
  return get_secret (client) != NULL;
}

/* Another root sftp-server for a transfer of @client (a sudo client): a new exec channel of
 * its connection, sudo answered with the password the client kept (or asked again through
 * its interaction when refused). The channel is returned once sftp-server runs on it. */
void
_tether_sftp_sudo_open_channel_async (TetherSftpClient    *client,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (client, cancellable, callback, user_data);
  SudoSecret *secret = get_secret (client);
  SudoData *data = g_new0 (SudoData, 1);

  g_task_set_source_tag (task, _tether_sftp_sudo_open_channel_async);
  g_task_set_name (task, "[tether] sftp sudo channel");
  data->want_channel = TRUE;
  data->owner = g_object_ref (client);
  g_task_set_task_data (task, data, (GDestroyNotify) sudo_data_free);
  start_sudo (task, tether_sftp_client_get_connection (client),
              secret != NULL ? secret->interaction : NULL);
}

TetherSessionChannel *
_tether_sftp_sudo_open_channel_finish (TetherSftpClient  *client,
                                       GAsyncResult      *result,
                                       GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
