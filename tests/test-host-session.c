/* test-host-session.c: host sessions, their shells and reconnects against real sshd and Dropbear.
 *
 * Three shells on one login come back after the server restarts, as the same objects, with
 * one more login; saved hosts with the same address never share a login; size changes and
 * writes reach the server in order; a refused password is not retried. Every case waits by
 * iterating the main context until a condition holds, with a timeout that fails the test.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "tether.h"
#include "tether-test-host.h"
#include "tether-test-server.h"
#include "tether-test-wait.h"

/* Generous: two cores are shared by parallel tests and sanitizer builds. */
#define WAIT_TIMEOUT_MS (60 * 1000)
#define N_SHELLS 3
/* Size changes in the ordered resize burst. */
#define N_RESIZES 20
#define BASE_COLS 40
#define BASE_ROWS 10
#define TEST_TERM "xterm-256color"
#define TEST_COLS 80
#define TEST_ROWS 24
#define WRONG_PASSWORD "not-the-password"
/* What runs in the tmux session across the reconnect: a sleep, its pid, a marker. */
#define TMUX_COMMAND "sleep 600 & echo pid-$!; echo tmux-$((1+0)); wait\n"
/* No line end: tmux redraws lines with its own escape sequences. */
#define TMUX_MARKER "tmux-1"

/* ------------------------------------------------------------------------- */
/* Waiting                                                                   */

typedef struct
{
  TetherHostSession *session;
  TetherHostSessionState state;
} SessionState;

static gboolean
session_in_state (gpointer data)
{
  SessionState *s = data;

  return tether_host_session_get_state (s->session) == s->state;
}

/* RECONNECTING with no attempt under way. */
static gboolean
session_in_state_waiting (gpointer data)
{
  TetherHostSession *session = data;

  return tether_host_session_get_state (session) == TETHER_HOST_SESSION_STATE_RECONNECTING &&
         tether_host_session_get_connection (session) == NULL;
}

static void
wait_session_state (TetherHostSession      *session,
                    TetherHostSessionState  state)
{
  SessionState s = { session, state };
  g_autofree char *what = g_strdup_printf ("host session state %d", state);

  tether_test_wait_until (session_in_state, &s, WAIT_TIMEOUT_MS, what);
}

/* ------------------------------------------------------------------------- */
/* An interaction that answers passwords and counts the questions            */

#define TEST_TYPE_INTERACTION (test_interaction_get_type ())
G_DECLARE_FINAL_TYPE (TestInteraction, test_interaction, TEST, INTERACTION, TetherInteraction)

struct _TestInteraction
{
  TetherInteraction parent_instance;
  char *password;
  guint n_asked;
};

G_DEFINE_FINAL_TYPE (TestInteraction, test_interaction, TETHER_TYPE_INTERACTION)

static char *
test_interaction_ask_password (TetherInteraction  *interaction,
                               TetherHost         *host,
                               const char         *user,
                               guint               attempt,
                               GCancellable       *cancellable,
                               GError            **error)
{
  TestInteraction *self = TEST_INTERACTION (interaction);

  self->n_asked++;
  return g_strdup (self->password);
}

static void
test_interaction_finalize (GObject *object)
{
  g_free (TEST_INTERACTION (object)->password);
  G_OBJECT_CLASS (test_interaction_parent_class)->finalize (object);
}

static void
test_interaction_class_init (TestInteractionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_interaction_finalize;
  TETHER_INTERACTION_CLASS (klass)->ask_password = test_interaction_ask_password;
}

static void
test_interaction_init (TestInteraction *self)
{
}

static void
test_interaction_set_password (TestInteraction *self,
                               const char      *password)
{
  g_free (self->password);
  self->password = g_strdup (password);
}

/* ------------------------------------------------------------------------- */
/* Servers, hosts, shells                                                    */

static TetherTestServer *
server_new_or_skip (TetherTestServerKind kind)
{
  return tether_test_server_new_or_skip (kind, NULL);
}

/* A saved host @id for the server, logging in as @user (NULL: the server's) with its key. */
static TetherHost *
saved_host (TetherTestServer *server,
            const char       *id,
            const char       *user,
            gboolean          with_key)
{
  const char *keys[] = { tether_test_server_get_key (server), NULL };
  const char *no_keys[] = { NULL };
  TetherHost *host = tether_host_new (id);

  tether_host_set_id (host, id);
  tether_host_set_source (host, TETHER_HOST_SOURCE_TETHER);
  tether_host_set_hostname (host, tether_test_server_get_host (server));
  tether_host_set_port (host, tether_test_server_get_port (server));
  tether_host_set_user (host, user != NULL ? user : tether_test_server_get_user (server));
  tether_host_set_identity_files (host, with_key ? keys : no_keys);
  tether_host_set_identities_only (host, TRUE);
  tether_host_set_known_hosts_file (host, tether_test_server_get_known_hosts (server));
  return host;
}

typedef struct
{
  TetherShell *shell;
  GString *output;
  guint n_reconnected;
} ShellRecord;

static void
on_data (TetherShell *shell,
         GBytes      *bytes,
         ShellRecord *record)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  g_string_append_len (record->output, data, size);
}

static void
on_reconnected (TetherShell *shell,
                ShellRecord *record)
{
  record->n_reconnected++;
}

static void
record_init (ShellRecord *record,
             TetherShell *shell)
{
  record->shell = shell;
  record->output = g_string_new (NULL);
  g_signal_connect (shell, "data", G_CALLBACK (on_data), record);
  g_signal_connect (shell, "reconnected", G_CALLBACK (on_reconnected), record);
}

static void
record_clear (ShellRecord *record)
{
  if (record->shell == NULL)
    return;
  g_signal_handlers_disconnect_by_data (record->shell, record);
  tether_shell_close (record->shell);
  g_clear_object (&record->shell);
  g_string_free (record->output, TRUE);
}

static void
write_string (TetherShell *shell,
              const char  *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  tether_shell_write (shell, bytes);
}

typedef struct
{
  ShellRecord *record;
  const char *needle;
} OutputHas;

static gboolean
output_has (gpointer data)
{
  OutputHas *o = data;

  return strstr (o->record->output->str, o->needle) != NULL;
}

/* Makes the shell print "<tag>-<n>" by a command whose echo does not contain it. */
static void
echo_marker (ShellRecord *record,
             const char  *tag,
             guint        n)
{
  g_autofree char *command = g_strdup_printf ("echo %s-$((%u+0))\n", tag, n);
  g_autofree char *marker = g_strdup_printf ("%s-%u\r\n", tag, n);
  OutputHas o = { record, marker };

  write_string (record->shell, command);
  tether_test_wait_until (output_has, &o, WAIT_TIMEOUT_MS, marker);
}

typedef struct
{
  ShellRecord *records;
  guint n;
  TetherShellState state;
} ShellsState;

static gboolean
shells_in_state (gpointer data)
{
  ShellsState *s = data;

  for (guint i = 0; i < s->n; i++)
    if (tether_shell_get_state (s->records[i].shell) != s->state)
      return FALSE;
  return TRUE;
}

static void
wait_shells_state (ShellRecord      *records,
                   guint             n,
                   TetherShellState  state)
{
  ShellsState s = { records, n, state };
  g_autofree char *what = g_strdup_printf ("%u shells in state %d (the first is in %d)", n,
                                           state, tether_shell_get_state (records[0].shell));

  tether_test_wait_until (shells_in_state, &s, WAIT_TIMEOUT_MS, what);
}

static gboolean
retry_is_waiting (gpointer data)
{
  TetherHostSession *session = data;

  return tether_host_session_get_reconnect_attempt (session) >= 2 &&
         tether_host_session_get_next_retry (session) > 0;
}

/* What GNetworkMonitor says when a network comes up: the real monitor, told by the test. */
static void
network_came_back (void)
{
  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", TRUE);
}

/* ------------------------------------------------------------------------- */
/* Cases                                                                     */

/* Three shells on one login; the server dies and comes back; all three come back, as the
 * same objects, with one more login for all of them. */
static void
test_three_shells_reconnect (gconstpointer data)
{
  TetherTestServerKind kind = GPOINTER_TO_INT (data);
  g_autoptr(TetherTestServer) server = server_new_or_skip (kind);
  g_autoptr(TetherSessionManager) manager = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherConnection) first = NULL;
  ShellRecord records[N_SHELLS] = { 0 };
  GAsyncResult *slots[N_SHELLS] = { NULL };
  TetherHostSession *session;
  TetherConnection *second;

  if (server == NULL)
    return;
  manager = tether_session_manager_new ();
  host = saved_host (server, "three-shells", NULL, TRUE);
  session = tether_session_manager_lookup_or_create (manager, host);
  g_assert_cmpint (tether_host_session_get_state (session), ==, TETHER_HOST_SESSION_STATE_IDLE);
  /* Each session has its port forwarder, idle unless the host asks for it. */
  g_assert_true (tether_auto_forward_get_session (
    tether_session_manager_get_auto_forward (manager, session)) == session);
  g_assert_false (tether_auto_forward_get_active (
    tether_session_manager_get_auto_forward (manager, session)));

  /* Asked for at once: one login serves all three. */
  for (guint i = 0; i < N_SHELLS; i++)
    tether_host_session_open_shell_async (session, TEST_TERM, TEST_COLS, TEST_ROWS, NULL,
                                          NULL, tether_test_store_result, &slots[i]);
  for (guint i = 0; i < N_SHELLS; i++)
    {
      g_autoptr(GAsyncResult) result = tether_test_wait_result (&slots[i], WAIT_TIMEOUT_MS,
                                                                "a shell");
      TetherShell *shell = tether_host_session_open_shell_finish (session, result, &error);

      g_assert_no_error (error);
      record_init (&records[i], shell);
    }
  g_assert_cmpint (tether_host_session_get_state (session), ==, TETHER_HOST_SESSION_STATE_READY);
  g_assert_cmpuint (tether_host_session_get_n_riders (session), ==, N_SHELLS);
  first = g_object_ref (tether_host_session_get_connection (session));
  g_assert_cmpuint (tether_connection_get_n_channels (first), ==, N_SHELLS);
  for (guint i = 0; i < N_SHELLS; i++)
    echo_marker (&records[i], "before", i);
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, 1);

  /* The server dies: the whole host reconnects, and retries with backoff while it is down. */
  g_assert_true (tether_test_server_stop (server));
  wait_session_state (session, TETHER_HOST_SESSION_STATE_RECONNECTING);
  wait_shells_state (records, N_SHELLS, TETHER_SHELL_STATE_RECONNECTING);
  g_assert_nonnull (tether_host_session_get_error (session));
  tether_test_wait_until (retry_is_waiting, session, WAIT_TIMEOUT_MS,
                          "a second retry to be scheduled");
  g_assert_cmpint (tether_host_session_get_next_retry (session), >, 0);
  for (guint i = 0; i < N_SHELLS; i++)
    g_assert_null (tether_shell_get_channel (records[i].shell));

  /* Back, and the network says so: retry now rather than at the end of the backoff
   * (test_host_session.py retries with tether_host_session_reconnect () instead). */
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  network_came_back ();
  wait_session_state (session, TETHER_HOST_SESSION_STATE_READY);
  wait_shells_state (records, N_SHELLS, TETHER_SHELL_STATE_RUNNING);

  second = tether_host_session_get_connection (session);
  g_assert_true (second != first);
  g_assert_cmpuint (tether_connection_get_n_channels (second), ==, N_SHELLS);
  g_assert_cmpuint (tether_host_session_get_reconnect_attempt (session), ==, 0);
  g_assert_cmpint (tether_host_session_get_next_retry (session), ==, 0);
  g_assert_null (tether_host_session_get_error (session));
  for (guint i = 0; i < N_SHELLS; i++)
    {
      g_assert_cmpuint (records[i].n_reconnected, ==, 1);
      g_assert_true (tether_shell_get_session (records[i].shell) == session);
      echo_marker (&records[i], "after", i);
    }
  /* One login for the three shells. */
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, 2);
  g_assert_true (tether_session_manager_lookup (manager, host) == session);

  /* The last shell going takes the session out of the list. */
  for (guint i = 0; i < N_SHELLS; i++)
    record_clear (&records[i]);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 0);
  g_assert_null (tether_session_manager_lookup (manager, host));
}

static void
connect_session (TetherHostSession *session,
                 GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  tether_host_session_connect_async (session, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "a host session to connect");
  tether_host_session_connect_finish (session, result, error);
}

/* Saved hosts with the same address but another user, or another identity, never share. */
static void
test_distinct_hosts (gconstpointer data)
{
  TetherTestServerKind kind = GPOINTER_TO_INT (data);
  g_autoptr(TetherTestServer) server = server_new_or_skip (kind);
  g_autoptr(TetherSessionManager) manager = NULL;
  g_autoptr(TetherHost) work = NULL;
  g_autoptr(TetherHost) work_again = NULL;
  g_autoptr(TetherHost) other_user = NULL;
  g_autoptr(TetherHost) other_id = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHostSession) a = NULL;
  g_autoptr(TetherHostSession) b = NULL;
  g_autoptr(TetherHostSession) c = NULL;

  if (server == NULL)
    return;
  manager = tether_session_manager_new ();
  work = saved_host (server, "work", NULL, TRUE);
  work_again = saved_host (server, "work", NULL, TRUE);
  other_user = saved_host (server, "other-user", "tether-nobody", TRUE);
  other_id = saved_host (server, "other-id", NULL, TRUE);

  /* Held here: closing one takes it out of the manager. */
  a = g_object_ref (tether_session_manager_lookup_or_create (manager, work));
  g_assert_true (tether_session_manager_lookup_or_create (manager, work_again) == a);
  b = g_object_ref (tether_session_manager_lookup_or_create (manager, other_user));
  c = g_object_ref (tether_session_manager_lookup_or_create (manager, other_id));
  g_assert_true (a != b && b != c && a != c);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 3);

  connect_session (a, &error);
  g_assert_no_error (error);
  /* Another user at the same address logs in on its own, and fails on its own. */
  connect_session (b, &error);
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_AUTH_FAILED);
  g_clear_error (&error);
  g_assert_cmpint (tether_host_session_get_state (b), ==, TETHER_HOST_SESSION_STATE_FAILED);
  g_assert_cmpint (tether_host_session_get_state (a), ==, TETHER_HOST_SESSION_STATE_READY);
  g_assert_null (tether_host_session_get_connection (b));
  connect_session (c, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tether_host_session_get_connection (a));
  g_assert_true (tether_host_session_get_connection (a) !=
                 tether_host_session_get_connection (c));
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, 2);

  tether_host_session_close (a);
  g_assert_cmpint (tether_host_session_get_state (a), ==, TETHER_HOST_SESSION_STATE_IDLE);
  g_assert_null (tether_session_manager_lookup (manager, work));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (manager)), ==, 2);
  tether_host_session_close (c);
}

/* Cancelling one connect_async () fails that call at once, not the login it waited for. */
static void
test_cancel_connect (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherHostSession) session = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) cancelled = NULL;
  g_autoptr(GAsyncResult) other = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  GAsyncResult *other_slot = NULL;

  if (server == NULL)
    return;
  host = saved_host (server, "cancel", NULL, TRUE);
  session = tether_host_session_new (host);
  tether_host_session_connect_async (session, cancellable, tether_test_store_result, &slot);
  tether_host_session_connect_async (session, NULL, tether_test_store_result, &other_slot);
  g_cancellable_cancel (cancellable);
  cancelled = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the cancelled connect");
  g_assert_false (tether_host_session_connect_finish (session, cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (other_slot);
  other = tether_test_wait_result (&other_slot, WAIT_TIMEOUT_MS, "the other connect");
  g_assert_true (tether_host_session_connect_finish (session, other, &error));
  g_assert_no_error (error);
  g_assert_cmpint (tether_host_session_get_state (session), ==, TETHER_HOST_SESSION_STATE_READY);
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, 1);
  tether_host_session_close (session);
}

/* What the paused shell's command prints: many times what the shell and its channel hold. */
#define FLOOD_LINES 1000000
/* The channel's own queue is full when it holds this much: the shell stopped reading it. */
#define FLOOD_CHANNEL_FULL (1024 * 1024)
/* What the server may still send once the shell stopped reading: libssh's window (1.28 MB)
 * and a packet or two of slack. */
#define FLOOD_WINDOW_SLACK (1280000 + 2 * 32768)

typedef struct
{
  TetherShell *shell;
  guint64 peak;
} PendingPeak;

static void
on_pending_bytes (TetherShell *shell,
                  GParamSpec  *pspec,
                  PendingPeak *peak)
{
  peak->peak = MAX (peak->peak, tether_shell_get_pending_bytes (shell));
}

static gboolean
shell_held_back (gpointer data)
{
  TetherShell *shell = data;
  TetherChannel *channel = TETHER_CHANNEL (tether_shell_get_channel (shell));

  return tether_shell_get_pending_bytes (shell) == tether_shell_get_max_pending (shell) &&
         tether_channel_get_queued_bytes (channel) >= FLOOD_CHANNEL_FULL;
}

/* Whether @output holds the lines 1 to @n in order, each once, after the command's echo
 * (the first may follow the prompt, which can come after the echo). */
static gboolean
has_sequence (const char *output,
              guint       n)
{
  const char *p = strstr (output, " 1\r\n2\r\n");

  if (p == NULL)
    p = strstr (output, "\n1\r\n2\r\n");
  if (p == NULL)
    {
      g_autofree char *start = g_strescape (output, NULL);

      g_test_message ("no line 1 in %zu bytes: %.300s", strlen (output), start);
      return FALSE;
    }
  p += 1;
  for (guint i = 1; i <= n; i++)
    {
      char expected[32];
      int len = g_snprintf (expected, sizeof expected, "%u\r\n", i);

      if (strncmp (p, expected, len) != 0)
        {
          g_test_message ("line %u is not next: %.20s", i, p);
          return FALSE;
        }
      p += len;
    }
  return TRUE;
}

/* A paused shell holds at most max-pending bytes and then stops reading its channel, so the
 * channel fills, its window closes and the server waits (another shell on the same
 * connection still works); resumed, it hands out every line, in order. */
static void
test_shell_backpressure (gconstpointer data)
{
  TetherTestServerKind kind = GPOINTER_TO_INT (data);
  g_autoptr(TetherTestServer) server = server_new_or_skip (kind);
  g_autoptr(TetherHostSession) session = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autofree char *command = NULL;
  ShellRecord record = { 0 };
  ShellRecord other = { 0 };
  PendingPeak peak = { 0 };
  TetherChannel *channel;
  guint64 received;
  gsize before;

  if (server == NULL)
    return;
  host = saved_host (server, "backpressure", NULL, TRUE);
  session = tether_host_session_new (host);
  record_init (&record, tether_test_open_shell (session, WAIT_TIMEOUT_MS));
  record_init (&other, tether_test_open_shell (session, WAIT_TIMEOUT_MS));
  echo_marker (&record, "ready", 0);
  g_assert_cmpuint (tether_shell_get_max_pending (record.shell), >, 0);
  g_signal_connect (record.shell, "notify::pending-bytes", G_CALLBACK (on_pending_bytes),
                    &peak);

  tether_shell_set_paused (record.shell, TRUE);
  g_assert_true (tether_shell_get_paused (record.shell));
  before = record.output->len;
  command = g_strdup_printf ("seq 1 %u; echo flood-$((1+1))\n", FLOOD_LINES);
  write_string (record.shell, command);
  tether_test_wait_until (shell_held_back, record.shell, WAIT_TIMEOUT_MS,
                          "the paused shell to fill and stop reading");
  channel = TETHER_CHANNEL (tether_shell_get_channel (record.shell));
  received = tether_channel_get_bytes_received (channel);

  /* The connection goes on; the paused shell still does not read nor hand anything out. */
  echo_marker (&other, "other", 1);
  g_assert_cmpuint (record.output->len, ==, before);
  g_assert_cmpuint (tether_shell_get_pending_bytes (record.shell), ==,
                    tether_shell_get_max_pending (record.shell));
  g_assert_cmpuint (tether_channel_get_bytes_received (channel), <=,
                    received + FLOOD_WINDOW_SLACK);
  g_assert_cmpuint (tether_channel_get_bytes_received (channel), <,
                    (guint64) FLOOD_LINES * 6);

  tether_shell_set_paused (record.shell, FALSE);
  tether_test_wait_until (output_has, &(OutputHas) { &record, "flood-2\r\n" },
                          WAIT_TIMEOUT_MS, "the end of the flood");
  g_assert_cmpuint (peak.peak, ==, tether_shell_get_max_pending (record.shell));
  g_assert_cmpuint (tether_shell_get_pending_bytes (record.shell), ==, 0);
  g_assert_true (has_sequence (record.output->str + before, FLOOD_LINES));

  g_signal_handlers_disconnect_by_data (record.shell, &peak);
  record_clear (&other);
  record_clear (&record);
  tether_host_session_close (session);
}

/* A size change and a write made after it arrive in that order: each `stty size` reports
 * the size set before it was written, or a later one, never an earlier one. */
static void
test_ordered_resize (gconstpointer data)
{
  TetherTestServerKind kind = GPOINTER_TO_INT (data);
  g_autoptr(TetherTestServer) server = server_new_or_skip (kind);
  g_autoptr(TetherHostSession) session = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  ShellRecord record = { 0 };
  guint n_seen = 0;
  guint last = 0;

  if (server == NULL)
    return;
  host = saved_host (server, "resize", NULL, TRUE);
  session = tether_host_session_new (host);
  record_init (&record, tether_test_open_shell (session, WAIT_TIMEOUT_MS));
  echo_marker (&record, "ready", 0);

  for (guint i = 1; i <= N_RESIZES; i++)
    {
      tether_shell_set_size (record.shell, BASE_COLS + i, BASE_ROWS + i);
      write_string (record.shell, "stty size | sed 's/^/size:/'\n");
    }
  echo_marker (&record, "done", 0);
  g_assert_cmpuint (tether_shell_get_cols (record.shell), ==, BASE_COLS + N_RESIZES);

  regex = g_regex_new ("size:([0-9]+) ([0-9]+)", 0, 0, NULL);
  g_regex_match (regex, record.output->str, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *rows = g_match_info_fetch (match, 1);
      g_autofree char *cols = g_match_info_fetch (match, 2);
      guint index = atoi (rows) - BASE_ROWS;

      n_seen++;
      g_assert_cmpuint (atoi (cols) - BASE_COLS, ==, index);
      /* The size set before this command was written, or one set after it. */
      g_assert_cmpuint (index, >=, n_seen);
      g_assert_cmpuint (index, >=, last);
      last = index;
      g_match_info_next (match, NULL);
    }
  g_assert_cmpuint (n_seen, ==, N_RESIZES);
  g_assert_cmpuint (last, ==, N_RESIZES);
  record_clear (&record);
}

/* A refused password makes the session FAILED, at the first login and at a reconnect, and
 * nothing asks again on its own. */
static void
test_wrong_password (gconstpointer data)
{
  TetherTestServerKind kind = GPOINTER_TO_INT (data);
  g_autoptr(TetherTestServer) server = server_new_or_skip (kind);
  g_autoptr(TetherHostSession) session = NULL;
  g_autoptr(TetherHostSession) witness = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherHost) witness_host = NULL;
  g_autoptr(TestInteraction) interaction = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;
  ShellRecord record = { 0 };
  TetherShell *shell;
  guint n_asked;

  if (server == NULL)
    return;
  interaction = g_object_new (TEST_TYPE_INTERACTION, NULL);
  test_interaction_set_password (interaction, WRONG_PASSWORD);
  host = saved_host (server, "password", NULL, FALSE);
  session = tether_host_session_new (host);
  tether_host_session_set_interaction (session, TETHER_INTERACTION (interaction));

  /* First login: refused, FAILED, no retry scheduled, the shell not opened. */
  tether_host_session_open_shell_async (session, TEST_TERM, TEST_COLS, TEST_ROWS, NULL, NULL,
                                        tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "a shell");
  shell = tether_host_session_open_shell_finish (session, result, &error);
  g_assert_null (shell);
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_AUTH_FAILED);
  g_clear_error (&error);
  g_clear_object (&result);
  g_assert_cmpint (tether_host_session_get_state (session), ==, TETHER_HOST_SESSION_STATE_FAILED);
  g_assert_error (tether_host_session_get_error (session), TETHER_ERROR,
                  TETHER_ERROR_AUTH_FAILED);
  g_assert_cmpint (tether_host_session_get_next_retry (session), ==, 0);
  g_assert_cmpuint (tether_host_session_get_n_riders (session), ==, 0);
  g_assert_cmpuint (interaction->n_asked, >, 0);

  /* With the right password, a shell; then the server restarts and the password is wrong
   * again: one reconnect attempt, FAILED, and the shell with it. */
  test_interaction_set_password (interaction, tether_test_server_get_password (server));
  record_init (&record, tether_test_open_shell (session, WAIT_TIMEOUT_MS));
  echo_marker (&record, "password", 1);
  g_assert_true (tether_test_server_stop (server));
  wait_session_state (session, TETHER_HOST_SESSION_STATE_RECONNECTING);
  test_interaction_set_password (interaction, WRONG_PASSWORD);
  n_asked = interaction->n_asked;
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  tether_host_session_reconnect (session);
  wait_session_state (session, TETHER_HOST_SESSION_STATE_FAILED);
  g_assert_error (tether_host_session_get_error (session), TETHER_ERROR,
                  TETHER_ERROR_AUTH_FAILED);
  g_assert_cmpint (tether_shell_get_state (record.shell), ==, TETHER_SHELL_STATE_FAILED);
  g_assert_cmpuint (interaction->n_asked, >, n_asked);
  n_asked = interaction->n_asked;

  /* A later login to the same server completes; by then a loop would have asked again. */
  witness_host = saved_host (server, "witness", NULL, TRUE);
  witness = tether_host_session_new (witness_host);
  connect_session (witness, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tether_host_session_get_state (session), ==, TETHER_HOST_SESSION_STATE_FAILED);
  g_assert_cmpint (tether_host_session_get_next_retry (session), ==, 0);
  g_assert_cmpuint (interaction->n_asked, ==, n_asked);
  tether_host_session_close (witness);
  record_clear (&record);
}

/* With tmux-session set, the shell runs in a named tmux session that keeps running on the
 * server while the connection is down; the reconnected shell is attached to it again: the
 * shell in its pane still knows the `sleep 600` it started before the drop, and it still
 * runs. Everything goes through the shell itself, so nothing depends on tmux's other
 * clients or on other channels. */
static void
test_tmux_survives_reconnect (gconstpointer data)
{
  TetherTestServerKind kind = GPOINTER_TO_INT (data);
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHostSession) session = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *tmux = g_find_program_in_path ("tmux");
  g_autofree char *name = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *check = NULL;
  g_autofree char *stop = NULL;
  GAsyncResult *slot = NULL;
  ShellRecord record = { 0 };

  if (tmux == NULL)
    {
      g_test_skip ("tmux is not installed (build-aux/dev installs it with the test packages)");
      return;
    }
  server = server_new_or_skip (kind);
  if (server == NULL)
    return;
  host = saved_host (server, "tmux", NULL, TRUE);
  session = tether_host_session_new (host);
  name = g_strdup_printf ("tether-test-%d-%u", (int) getpid (),
                          tether_test_server_get_port (server));

  record_init (&record, tether_shell_new (session, TEST_TERM, TEST_COLS, TEST_ROWS, NULL));
  tether_shell_set_tmux_session (record.shell, name);
  tether_shell_start_async (record.shell, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the tmux shell");
  g_assert_true (tether_shell_start_finish (record.shell, result, &error));
  g_assert_no_error (error);
  g_assert_true (tether_shell_get_tmux_active (record.shell));

  /* A background sleep, and its pid; the shell then waits for it. */
  write_string (record.shell, TMUX_COMMAND);
  regex = g_regex_new ("pid-([0-9]+)", 0, 0, NULL);
  tether_test_wait_until (output_has, &(OutputHas) { &record, TMUX_MARKER }, WAIT_TIMEOUT_MS,
                          TMUX_MARKER);
  g_assert_true (g_regex_match (regex, record.output->str, 0, &match));
  pid = g_match_info_fetch (match, 1);

  g_assert_true (tether_test_server_stop (server));
  wait_session_state (session, TETHER_HOST_SESSION_STATE_RECONNECTING);
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  g_string_truncate (record.output, 0);
  tether_host_session_reconnect (session);
  wait_shells_state (&record, 1, TETHER_SHELL_STATE_RUNNING);
  g_assert_cmpuint (record.n_reconnected, ==, 1);
  g_assert_true (tether_shell_get_tmux_active (record.shell));
  /* tmux draws the pane again, as it was: the client is attached and reads keys. */
  tether_test_wait_until (output_has, &(OutputHas) { &record, TMUX_MARKER }, WAIT_TIMEOUT_MS,
                          "tmux to redraw the pane");

  /* Ctrl+C reaches the foreground only: the background `sleep 600` job lives on.
   * Ask the same shell. */
  write_string (record.shell, "\003");
  check = g_strdup_printf ("kill -0 %s && echo alive-$((%s+0))\n", pid, pid);
  write_string (record.shell, check);
  g_free (check);
  check = g_strdup_printf ("alive-%s", pid);
  tether_test_wait_until (output_has, &(OutputHas) { &record, check }, WAIT_TIMEOUT_MS, check);

  /* Ending the pane's shell ends the tmux session and, with it, this shell. */
  stop = g_strdup_printf ("kill %s; exit\n", pid);
  write_string (record.shell, stop);
  wait_shells_state (&record, 1, TETHER_SHELL_STATE_EXITED);
  record_clear (&record);
}

/* Opens one shell on @session and waits until it runs. */
static void
open_one_shell (TetherHostSession *session,
                ShellRecord       *record)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  TetherShell *shell;

  tether_host_session_open_shell_async (session, TEST_TERM, TEST_COLS, TEST_ROWS, NULL, NULL,
                                        tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "a shell");
  shell = tether_host_session_open_shell_finish (session, result, &error);
  g_assert_no_error (error);
  record_init (record, shell);
}

/* A held session (a tab whose shell exited) keeps its login for the next shell, and leaves
 * the manager's list once released. */
static void
test_hold_keeps_login (gconstpointer data)
{
  TetherTestServerKind kind = GPOINTER_TO_INT (data);
  g_autoptr(TetherTestServer) server = server_new_or_skip (kind);
  g_autoptr(TetherSessionManager) manager = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherHostSession) session = NULL;
  ShellRecord record = { 0 };

  if (server == NULL)
    return;
  manager = tether_session_manager_new ();
  host = saved_host (server, "held", NULL, TRUE);
  session = g_object_ref (tether_session_manager_lookup_or_create (manager, host));
  tether_host_session_hold (session);
  g_assert_true (tether_host_session_get_held (session));

  open_one_shell (session, &record);
  write_string (record.shell, "exit\n");
  wait_shells_state (&record, 1, TETHER_SHELL_STATE_EXITED);
  record_clear (&record);
  g_assert_cmpuint (tether_host_session_get_n_riders (session), ==, 0);
  g_assert_true (tether_session_manager_lookup (manager, host) == session);
  g_assert_cmpint (tether_host_session_get_state (session), ==, TETHER_HOST_SESSION_STATE_READY);

  open_one_shell (session, &record);
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, 1);
  record_clear (&record);

  tether_host_session_release (session);
  g_assert_null (tether_session_manager_lookup (manager, host));
  g_assert_cmpint (tether_host_session_get_state (session), ==, TETHER_HOST_SESSION_STATE_IDLE);
}

/* With auto-reconnect off, a drop waits for reconnect (): no retry is scheduled, and one
 * reconnect () brings the shell back; a reconnect () before the connection has reported its
 * drop logs in afresh too. */
static void
test_auto_reconnect_off (gconstpointer data)
{
  TetherTestServerKind kind = GPOINTER_TO_INT (data);
  g_autoptr(TetherTestServer) server = server_new_or_skip (kind);
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherHostSession) session = NULL;
  g_autoptr(GError) error = NULL;
  ShellRecord record = { 0 };

  if (server == NULL)
    return;
  host = saved_host (server, "manual", NULL, TRUE);
  session = tether_host_session_new (host);
  tether_host_session_set_auto_reconnect (session, FALSE);
  open_one_shell (session, &record);

  g_assert_true (tether_test_server_stop (server));
  wait_session_state (session, TETHER_HOST_SESSION_STATE_RECONNECTING);
  wait_shells_state (&record, 1, TETHER_SHELL_STATE_RECONNECTING);
  g_assert_cmpint (tether_host_session_get_next_retry (session), ==, 0);
  g_assert_null (tether_host_session_get_connection (session));

  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  tether_host_session_reconnect (session);
  wait_shells_state (&record, 1, TETHER_SHELL_STATE_RUNNING);
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, 2);

  /* Asked at once, as a user pressing Reconnect when the tab first says so may. */
  g_assert_true (tether_test_server_stop (server));
  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  wait_shells_state (&record, 1, TETHER_SHELL_STATE_RECONNECTING);
  tether_host_session_reconnect (session);
  wait_shells_state (&record, 1, TETHER_SHELL_STATE_RUNNING);
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, 3);
  record_clear (&record);
}

typedef struct
{
  TetherHostSession *session;
  guint attempt;
} SessionAttempt;

static gboolean
session_at_attempt (gpointer data)
{
  SessionAttempt *a = data;

  return tether_host_session_get_reconnect_attempt (a->session) >= a->attempt;
}

/* A reconnect () that comes while an attempt is under way is not lost: that attempt may
 * have started before the server came back, so when it fails the next one starts at once
 * rather than after the backoff (here, with auto-reconnect off, rather than never). */
static void
test_reconnect_during_attempt (gconstpointer data)
{
  TetherTestServerKind kind = GPOINTER_TO_INT (data);
  g_autoptr(TetherTestServer) server = server_new_or_skip (kind);
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherHostSession) session = NULL;
  g_autoptr(GError) error = NULL;
  ShellRecord record = { 0 };
  SessionAttempt a;

  if (server == NULL)
    return;
  host = saved_host (server, "asked-twice", NULL, TRUE);
  session = tether_host_session_new (host);
  tether_host_session_set_auto_reconnect (session, FALSE);
  open_one_shell (session, &record);

  g_assert_true (tether_test_server_stop (server));
  wait_session_state (session, TETHER_HOST_SESSION_STATE_RECONNECTING);
  wait_shells_state (&record, 1, TETHER_SHELL_STATE_RECONNECTING);
  a.session = session;
  a.attempt = tether_host_session_get_reconnect_attempt (session);

  /* The first starts an attempt (the server is still down: it fails); the second comes
   * while it runs, as the user's Reconnect after the server came back may. */
  tether_host_session_reconnect (session);
  g_assert_nonnull (tether_host_session_get_connection (session));
  tether_host_session_reconnect (session);
  a.attempt += 2;
  tether_test_wait_until (session_at_attempt, &a, WAIT_TIMEOUT_MS, "a second attempt by itself");
  /* That one failed too and nobody asked again: the session waits for the user. */
  tether_test_wait_until (session_in_state_waiting, session, WAIT_TIMEOUT_MS,
                          "the session waiting for reconnect ()");
  g_assert_cmpuint (tether_host_session_get_reconnect_attempt (session), ==, a.attempt);
  g_assert_cmpint (tether_host_session_get_next_retry (session), ==, 0);

  g_assert_true (tether_test_server_start (server, &error));
  g_assert_no_error (error);
  tether_host_session_reconnect (session);
  wait_shells_state (&record, 1, TETHER_SHELL_STATE_RUNNING);
  record_clear (&record);
}

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char *name;
    TetherTestServerKind kind;
  } servers[] = {
    { "openssh", TETHER_TEST_SERVER_OPENSSH },
    { "dropbear", TETHER_TEST_SERVER_DROPBEAR },
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tether/host-session/openssh/cancel-connect", test_cancel_connect);
  g_test_add_data_func ("/tether/host-session/openssh/hold-keeps-login",
                        GINT_TO_POINTER (TETHER_TEST_SERVER_OPENSSH), test_hold_keeps_login);
  g_test_add_data_func ("/tether/host-session/openssh/auto-reconnect-off",
                        GINT_TO_POINTER (TETHER_TEST_SERVER_OPENSSH), test_auto_reconnect_off);
  g_test_add_data_func ("/tether/host-session/openssh/reconnect-during-attempt",
                        GINT_TO_POINTER (TETHER_TEST_SERVER_OPENSSH),
                        test_reconnect_during_attempt);

  for (guint i = 0; i < G_N_ELEMENTS (servers); i++)
    {
      gconstpointer kind = GINT_TO_POINTER (servers[i].kind);
      g_autofree char *three = g_strdup_printf ("/tether/host-session/%s/three-shells-reconnect",
                                                servers[i].name);
      g_autofree char *distinct = g_strdup_printf ("/tether/host-session/%s/distinct-hosts",
                                                   servers[i].name);
      g_autofree char *resize = g_strdup_printf ("/tether/host-session/%s/ordered-resize",
                                                 servers[i].name);
      g_autofree char *password = g_strdup_printf ("/tether/host-session/%s/wrong-password",
                                                   servers[i].name);

      g_test_add_data_func (three, kind, test_three_shells_reconnect);
      g_test_add_data_func (distinct, kind, test_distinct_hosts);
      g_test_add_data_func (resize, kind, test_ordered_resize);
      g_autofree char *backpressure =
        g_strdup_printf ("/tether/host-session/%s/shell-backpressure", servers[i].name);
      g_test_add_data_func (backpressure, kind, test_shell_backpressure);
      g_autofree char *tmux = g_strdup_printf ("/tether/host-session/%s/tmux-survives-reconnect",
                                               servers[i].name);

      g_test_add_data_func (password, kind, test_wrong_password);
      g_test_add_data_func (tmux, kind, test_tmux_survives_reconnect);
    }
  return g_test_run ();
}
