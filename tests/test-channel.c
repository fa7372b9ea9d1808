/* test-channel.c: channels of the connection service against real sshd and Dropbear:
 * commands, standard error, exit status, ptys, a hundred channels at once, backpressure,
 * sending EOF, a server that dies mid-stream, clean closes, direct-tcpip, unreachable hosts,
 * ProxyJump and ProxyCommand. (The lifecycle cases against every server are in
 * test-channel-lifecycle.c.) Every case waits by iterating the main context until a
 * condition holds, with a timeout that fails the test.
 */
#include "config.h"

#include "test-channel-common.h"

/* ------------------------------------------------------------------------- */
/* exec-exit-status-stderr, exec-dropbear                                    */

static void
check_exec (TetherTestServerKind kind)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (kind);
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(TetherSessionChannel) channel = NULL;
  g_autoptr(Reader) out = NULL;
  g_autoptr(Reader) err = NULL;
  g_autofree char *out_text = NULL;
  g_autofree char *err_text = NULL;
  ChannelWatch watch;
  ExecState state;

  if (server == NULL)
    return;
  connection = connect_server (server);
  channel = open_session (connection);
  channel_watch_init (&watch, TETHER_CHANNEL (channel));
  out = reader_start (g_io_stream_get_input_stream (G_IO_STREAM (channel)), TRUE);
  err = reader_start (tether_session_channel_get_stderr_stream (channel), TRUE);

  exec_command (channel, "echo out; echo err >&2; exit 7");
  state = (ExecState) { &watch, out, err };
  tether_test_wait_until (exec_finished, &state, WAIT_TIMEOUT_MS, "the command to finish");

  g_assert_no_error (out->error);
  g_assert_no_error (err->error);
  out_text = reader_dup_text (out);
  err_text = reader_dup_text (err);
  g_assert_cmpstr (out_text, ==, "out\n");
  g_assert_cmpstr (err_text, ==, "err\n");
  g_assert_cmpuint (watch.n_exit_status, ==, 1);
  g_assert_cmpint (watch.exit_status, ==, 7);
  g_assert_cmpint (tether_session_channel_get_exit_status (channel), ==, 7);
  g_assert_cmpuint (watch.n_eof, ==, 1);
  g_assert_cmpuint (watch.n_closed, ==, 1);
  g_assert_null (watch.closed_reason);
  /* Whatever the order of EOF and exit status, closed comes last. */
  g_assert_true (g_str_has_suffix (watch.order->str, "C"));
  g_assert_true (strchr (watch.order->str, 'E') < strchr (watch.order->str, 'C'));
  g_assert_cmpint (tether_channel_get_state (TETHER_CHANNEL (channel)), ==,
                   TETHER_CHANNEL_STATE_CLOSED);
  g_assert_cmpuint (tether_channel_get_bytes_received (TETHER_CHANNEL (channel)), ==,
                    strlen ("out\n") + strlen ("err\n"));

  /* Closing the connection afterwards must not emit anything again. */
  close_connection (connection);
  g_assert_cmpuint (watch.n_eof, ==, 1);
  g_assert_cmpuint (watch.n_closed, ==, 1);
  g_assert_cmpuint (watch.n_exit_status, ==, 1);
  channel_watch_clear (&watch);
}

static void
test_exec_exit_status_stderr (void)
{
  check_exec (TETHER_TEST_SERVER_OPENSSH);
}

static void
test_exec_dropbear (void)
{
  check_exec (TETHER_TEST_SERVER_DROPBEAR);
}

/* ------------------------------------------------------------------------- */
/* pty-window-change                                                         */

static void
test_pty_window_change (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(TetherSessionChannel) channel = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reader) out = NULL;
  GAsyncResult *slot = NULL;
  GOutputStream *output;
  ChannelWatch watch;
  gsize offset;

  if (server == NULL)
    return;
  connection = connect_server (server);
  channel = open_session (connection);
  channel_watch_init (&watch, TETHER_CHANNEL (channel));
  output = g_io_stream_get_output_stream (G_IO_STREAM (channel));
  out = reader_start (g_io_stream_get_input_stream (G_IO_STREAM (channel)), TRUE);

  tether_session_channel_request_pty_async (channel, "xterm-256color", 80, 24, NULL,
                                            tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the pty request");
  g_assert_true (tether_session_channel_request_pty_finish (channel, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  tether_session_channel_request_shell_async (channel, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the shell request");
  g_assert_true (tether_session_channel_request_shell_finish (channel, result, &error));
  g_assert_no_error (error);

  write_all (output, "stty size\n", strlen ("stty size\n"));
  offset = reader_wait_text (out, "24 80", 0);

  /* Each size change reaches the server before what is written after it: "stty size" right
   * behind set_size () prints the new size, every time. */
  for (guint i = 0; i < WINDOW_CHANGE_ROUNDS; i++) {
    g_autofree char *expected = g_strdup_printf ("%u %u", 30 + i, 100 + i);

    tether_session_channel_set_size (channel, 100 + i, 30 + i);
    write_all (output, "stty size\n", strlen ("stty size\n"));
    offset = reader_wait_text (out, expected, offset);
  }

  write_all (output, "exit 3\n", strlen ("exit 3\n"));
  tether_test_wait_until (channel_watch_closed, &watch, WAIT_TIMEOUT_MS, "the shell to exit");
  g_assert_cmpint (watch.exit_status, ==, 3);
  g_assert_cmpuint (watch.n_closed, ==, 1);

  close_connection (connection);
  tether_test_wait_until (reader_is_done, out, WAIT_TIMEOUT_MS, "the reader to finish");
  channel_watch_clear (&watch);
}

/* ------------------------------------------------------------------------- */
/* hundred-channels                                                          */

typedef struct
{
  TetherConnection *connection;
  GPtrArray *channels;        /* TetherSessionChannel, in the order they opened */
  guint n_open_results;
  guint n_exec_results;
  GError *error;
  ChannelWatch watches[N_CHANNELS];
  Reader *readers[N_CHANNELS];
} Hundred;

static void
hundred_open_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Hundred *h = user_data;
  GError *error = NULL;
  TetherSessionChannel *channel;

  h->n_open_results++;
  channel = tether_connection_open_session_finish (TETHER_CONNECTION (source), result, &error);
  if (channel == NULL)
    {
      if (h->error == NULL)
        h->error = error;
      else
        g_error_free (error);
      return;
    }
  g_ptr_array_add (h->channels, channel);
}

static void
hundred_exec_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Hundred *h = user_data;
  GError *error = NULL;

  h->n_exec_results++;
  if (!tether_session_channel_request_exec_finish (TETHER_SESSION_CHANNEL (source), result,
                                                   &error))
    {
      if (h->error == NULL)
        h->error = error;
      else
        g_error_free (error);
    }
}

static gboolean
hundred_opened (gpointer data)
{
  return ((Hundred *) data)->n_open_results == N_CHANNELS;
}

static gboolean
hundred_finished (gpointer data)
{
  Hundred *h = data;

  if (h->n_exec_results < N_CHANNELS)
    return FALSE;
  for (guint i = 0; i < N_CHANNELS; i++)
    if (h->watches[i].n_closed == 0 || !h->readers[i]->done)
      return FALSE;
  return TRUE;
}

static void
test_hundred_channels (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherConnection) connection = NULL;
  ConnectionWatch conn_watch;
  Hundred h;

  if (server == NULL)
    return;
  connection = connect_server (server);
  connection_watch_init (&conn_watch, connection);
  memset (&h, 0, sizeof h);
  h.connection = connection;
  h.channels = g_ptr_array_new_with_free_func (g_object_unref);

  /* Every open is on its way before the main context runs any completion. */
  for (guint i = 0; i < N_CHANNELS; i++)
    tether_connection_open_session_async (connection, NULL, hundred_open_cb, &h);
  g_assert_cmpuint (h.n_open_results, ==, 0);
  tether_test_wait_until (hundred_opened, &h, MANY_TIMEOUT_MS, "a hundred channels to open");
  g_assert_no_error (h.error);
  g_assert_cmpuint (h.channels->len, ==, N_CHANNELS);

  for (guint i = 0; i < N_CHANNELS; i++)
    {
      TetherSessionChannel *channel = g_ptr_array_index (h.channels, i);
      g_autofree char *command = g_strdup_printf ("echo %u", i);

      channel_watch_init (&h.watches[i], TETHER_CHANNEL (channel));
      h.readers[i] = reader_start (g_io_stream_get_input_stream (G_IO_STREAM (channel)), TRUE);
      tether_session_channel_request_exec_async (channel, command, NULL, hundred_exec_cb, &h);
    }
  tether_test_wait_until (hundred_finished, &h, MANY_TIMEOUT_MS, "a hundred commands to finish");
  g_assert_no_error (h.error);

  for (guint i = 0; i < N_CHANNELS; i++)
    {
      g_autofree char *expected = g_strdup_printf ("%u\n", i);
      g_autofree char *text = reader_dup_text (h.readers[i]);

      g_assert_no_error (h.readers[i]->error);
      g_assert_cmpstr (text, ==, expected);
      g_assert_cmpuint (h.watches[i].n_closed, ==, 1);
      g_assert_cmpint (h.watches[i].exit_status, ==, 0);
    }
  tether_test_wait_until (connection_has_no_channels, connection, MANY_TIMEOUT_MS,
                          "n-channels to return to 0");
  g_assert_cmpuint (conn_watch.max_channels, ==, N_CHANNELS);

  close_connection (connection);
  for (guint i = 0; i < N_CHANNELS; i++)
    {
      g_assert_cmpuint (h.watches[i].n_closed, ==, 1);
      channel_watch_clear (&h.watches[i]);
      reader_unref (h.readers[i]);
    }
  g_ptr_array_unref (h.channels);
  connection_watch_clear (&conn_watch);
}

/* ------------------------------------------------------------------------- */
/* backpressure                                                              */

/* The resident set of this process, from /proc/self/statm. */
static gint64
resident_bytes (void)
{
  g_autofree char *statm = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
  fields = g_strsplit (statm, " ", -1);
  g_assert_cmpuint (g_strv_length (fields), >=, 2);
  return g_ascii_strtoll (fields[1], NULL, 10) * sysconf (_SC_PAGESIZE);
}

typedef struct
{
  ChannelWatch *watch;
  Reader *reader;
} ChannelAndReader;

static gboolean
channel_and_reader_done (gpointer data)
{
  ChannelAndReader *cr = data;

  return cr->watch->n_closed > 0 && cr->reader->done;
}

static void
test_backpressure (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(TetherSessionChannel) channel = NULL;
  g_autoptr(Reader) reader = NULL;
  ChannelWatch watch;
  ChannelAndReader cr;
  gint64 rss_before;
  gint64 rss_stalled;
  gint64 deadline;
  guint64 last_channel = G_MAXUINT64;
  guint64 last_connection = G_MAXUINT64;
  guint64 queued;
  guint unchanged = 0;

  if (server == NULL)
    return;
  connection = connect_server (server);
  channel = open_session (connection);
  channel_watch_init (&watch, TETHER_CHANNEL (channel));
  rss_before = resident_bytes ();
  exec_command (channel, "head -c 500M /dev/zero");

  /* Read nothing; the counters must stop once the window and queues are full. */
  deadline = g_get_monotonic_time () + WAIT_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  while (unchanged < STALL_TICKS)
    {
      gboolean tick = FALSE;
      guint64 now_channel;
      guint64 now_connection;

      g_timeout_add (STALL_TICK_MS, tether_test_set_flag, &tick);
      while (!tick)
        g_main_context_iteration (NULL, TRUE);
      now_channel = tether_channel_get_bytes_received (TETHER_CHANNEL (channel));
      now_connection = tether_connection_get_bytes_received (connection);
      if (now_channel == last_channel && now_connection == last_connection)
        unchanged++;
      else
        unchanged = 0;
      last_channel = now_channel;
      last_connection = now_connection;
      if (g_get_monotonic_time () > deadline)
        g_test_message ("The transfer did not stall: %" G_GUINT64_FORMAT " bytes so far",
                        now_channel);
      g_assert_cmpint (g_get_monotonic_time (), <=, deadline);
    }

  queued = tether_channel_get_queued_bytes (TETHER_CHANNEL (channel));
  rss_stalled = resident_bytes ();
  g_test_message ("stalled after %" G_GUINT64_FORMAT " bytes (connection %" G_GUINT64_FORMAT
                  "), %" G_GUINT64_FORMAT " queued, RSS grew %" G_GINT64_FORMAT " bytes",
                  last_channel, last_connection, queued, rss_stalled - rss_before);
  g_assert_cmpuint (last_channel, >, 0);
  g_assert_cmpuint (last_channel, <, BACKPRESSURE_TOTAL);
  g_assert_cmpuint (queued, >, 0);
  g_assert_cmpuint (queued, <=, BACKPRESSURE_QUEUE_MAX);
  g_assert_cmpint (rss_stalled - rss_before, <, BACKPRESSURE_RSS_MAX);
  g_assert_cmpuint (watch.n_closed, ==, 0);

  /* Now everything arrives, intact. */
  reader = reader_start (g_io_stream_get_input_stream (G_IO_STREAM (channel)), FALSE);
  cr = (ChannelAndReader) { &watch, reader };
  tether_test_wait_until (channel_and_reader_done, &cr, BULK_TIMEOUT_MS, "500 MB to arrive");
  g_assert_no_error (reader->error);
  g_assert_cmpuint (reader->n_read, ==, BACKPRESSURE_TOTAL);
  g_assert_true (reader->all_zero);
  g_assert_cmpint (watch.exit_status, ==, 0);
  g_assert_cmpuint (watch.n_closed, ==, 1);

  close_connection (connection);
  channel_watch_clear (&watch);
}

/* ------------------------------------------------------------------------- */
/* write-and-eof                                                             */

static void
test_write_and_eof (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(TetherSessionChannel) channel = NULL;
  g_autoptr(Reader) out = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree char *text = NULL;
  ChannelWatch watch;
  ChannelAndReader cr;

  if (server == NULL)
    return;
  connection = connect_server (server);
  channel = open_session (connection);
  channel_watch_init (&watch, TETHER_CHANNEL (channel));
  out = reader_start (g_io_stream_get_input_stream (G_IO_STREAM (channel)), TRUE);
  exec_command (channel, "cat > /dev/null; echo done");

  data = g_malloc (WRITE_TOTAL);
  for (gsize i = 0; i < WRITE_TOTAL; i++)
    data[i] = (guint8) (i ^ (i >> 8) ^ (i >> 16));
  write_all (g_io_stream_get_output_stream (G_IO_STREAM (channel)), data, WRITE_TOTAL);
  /* Closing the output sends EOF: cat ends and the shell goes on. */
  close_output (g_io_stream_get_output_stream (G_IO_STREAM (channel)));

  cr = (ChannelAndReader) { &watch, out };
  tether_test_wait_until (channel_and_reader_done, &cr, BULK_TIMEOUT_MS, "the command to finish");
  g_assert_no_error (out->error);
  text = reader_dup_text (out);
  g_assert_cmpstr (text, ==, "done\n");
  g_assert_cmpint (watch.exit_status, ==, 0);
  g_assert_cmpuint (watch.n_closed, ==, 1);
  g_assert_cmpuint (tether_channel_get_bytes_sent (TETHER_CHANNEL (channel)), ==, WRITE_TOTAL);

  close_connection (connection);
  channel_watch_clear (&watch);
}

static void
test_write_and_eof_sha256sum (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(TetherSessionChannel) channel = NULL;
  g_autoptr(Reader) out = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (CHECKSUM_SEED);
  g_autofree guint32 *data = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *text = NULL;
  ChannelWatch watch;
  ChannelAndReader cr;

  if (server == NULL)
    return;
  connection = connect_server (server);
  channel = open_session (connection);
  channel_watch_init (&watch, TETHER_CHANNEL (channel));
  out = reader_start (g_io_stream_get_input_stream (G_IO_STREAM (channel)), TRUE);
  exec_command (channel, "sha256sum");

  data = g_malloc (CHECKSUM_TOTAL);
  for (gsize i = 0; i < CHECKSUM_TOTAL / sizeof *data; i++)
    data[i] = g_rand_int (rand);
  checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guint8 *) data, CHECKSUM_TOTAL);
  /* sha256sum names standard input "-". */
  expected = g_strconcat (checksum, "  -\n", NULL);
  write_all (g_io_stream_get_output_stream (G_IO_STREAM (channel)), data, CHECKSUM_TOTAL);
  close_output (g_io_stream_get_output_stream (G_IO_STREAM (channel)));

  cr = (ChannelAndReader) { &watch, out };
  tether_test_wait_until (channel_and_reader_done, &cr, BULK_TIMEOUT_MS, "sha256sum to finish");
  g_assert_no_error (out->error);
  text = reader_dup_text (out);
  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpint (watch.exit_status, ==, 0);

  close_connection (connection);
  channel_watch_clear (&watch);
}

/* ------------------------------------------------------------------------- */
/* server-killed-mid-stream                                                  */

/* The parent of @pid, from /proc/PID/stat (the command name may hold spaces). */
static int
parent_of (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  const char *after_name;
  char state;
  int ppid;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return -1;
  after_name = strrchr (stat, ')');
  if (after_name == NULL || sscanf (after_name + 1, " %c %d", &state, &ppid) != 2)
    return -1;
  return ppid;
}

/* Sends @signum to the server and all its descendants: the server is the process whose
 * command line names the server's directory (its config file is there). */
static guint
signal_server_tree (TetherTestServer *server,
                    int               signum)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  g_autoptr(GHashTable) parents = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) tree = g_hash_table_new (NULL, NULL);
  const char *name;
  gboolean grew = TRUE;
  GHashTableIter iter;
  gpointer key;
  gpointer value;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *cmdline = NULL;
      gsize len = 0;
      int pid = atoi (name);

      if (pid <= 0 || pid == getpid ())
        continue;
      g_hash_table_insert (parents, GINT_TO_POINTER (pid), GINT_TO_POINTER (parent_of (pid)));
      path = g_strdup_printf ("/proc/%d/cmdline", pid);
      if (!g_file_get_contents (path, &cmdline, &len, NULL))
        continue;
      for (gsize i = 0; i + 1 < len; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, tether_test_server_get_dir (server)) != NULL)
        g_hash_table_add (tree, GINT_TO_POINTER (pid));
    }
  while (grew)
    {
      grew = FALSE;
      g_hash_table_iter_init (&iter, parents);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (!g_hash_table_contains (tree, key) && g_hash_table_contains (tree, value))
          {
            g_hash_table_add (tree, key);
            grew = TRUE;
          }
    }
  g_hash_table_iter_init (&iter, tree);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    kill (GPOINTER_TO_INT (key), signum);
  return g_hash_table_size (tree);
}

typedef struct
{
  ConnectionWatch *conn_watch;
  ChannelWatch *streaming;
  ChannelWatch *idle;
  Reader *reader;
  GAsyncResult **request;
} Killed;

static gboolean
killed_settled (gpointer data)
{
  Killed *k = data;

  return k->conn_watch->n_closed > 0 && k->streaming->n_closed > 0 && k->idle->n_closed > 0 &&
         k->reader->done && *k->request != NULL;
}

static gboolean
reader_has_read_a_bit (gpointer data)
{
  return ((Reader *) data)->n_read >= KILL_AFTER_BYTES || ((Reader *) data)->done;
}

static void
test_server_killed_mid_stream (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(TetherSessionChannel) streaming = NULL;
  g_autoptr(TetherSessionChannel) idle = NULL;
  g_autoptr(Reader) reader = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherSessionChannel) late = NULL;
  GAsyncResult *request = NULL;
  GAsyncResult *slot = NULL;
  ConnectionWatch conn_watch;
  ChannelWatch streaming_watch;
  ChannelWatch idle_watch;
  Killed k;

  if (server == NULL)
    return;
  connection = connect_server (server);
  connection_watch_init (&conn_watch, connection);
  streaming = open_session (connection);
  idle = open_session (connection);
  channel_watch_init (&streaming_watch, TETHER_CHANNEL (streaming));
  channel_watch_init (&idle_watch, TETHER_CHANNEL (idle));

  exec_command (streaming, "cat /dev/zero");
  reader = reader_start (g_io_stream_get_input_stream (G_IO_STREAM (streaming)), FALSE);
  tether_test_wait_until (reader_has_read_a_bit, reader, WAIT_TIMEOUT_MS, "some zeroes");
  g_assert_false (reader->done);

  /* A stopped server cannot answer: the request is surely pending when it dies. */
  g_assert_cmpuint (signal_server_tree (server, SIGSTOP), >, 0);
  tether_session_channel_request_exec_async (idle, "true", NULL, tether_test_store_result,
                                             &request);
  g_assert_true (tether_test_server_stop (server));

  k = (Killed) { &conn_watch, &streaming_watch, &idle_watch, reader, &request };
  tether_test_wait_until (killed_settled, &k, WAIT_TIMEOUT_MS, "everything to fail");

  /* The pending read failed rather than ending cleanly. */
  g_assert_nonnull (reader->error);
  g_test_message ("read error: %s", reader->error->message);
  g_assert_true (reader->error->domain == G_IO_ERROR || reader->error->domain == TETHER_ERROR);

  g_assert_false (tether_session_channel_request_exec_finish (idle, request, &error));
  g_assert_nonnull (error);
  g_test_message ("request error: %s", error->message);
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_DISCONNECTED);
  g_clear_object (&request);
  g_clear_error (&error);

  g_assert_nonnull (conn_watch.reason);
  g_test_message ("connection closed: %s", conn_watch.reason->message);
  assert_sentence (conn_watch.reason->message);
  g_assert_nonnull (streaming_watch.closed_reason);
  g_assert_nonnull (idle_watch.closed_reason);
  g_assert_cmpint (tether_connection_get_state (connection), ==, TETHER_CONNECTION_STATE_CLOSED);

  tether_connection_open_session_async (connection, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the late open");
  late = tether_connection_open_session_finish (connection, result, &error);
  g_assert_null (late);
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_DISCONNECTED);

  close_connection (connection);
  g_assert_cmpuint (conn_watch.n_closed, ==, 1);
  g_assert_cmpuint (streaming_watch.n_closed, ==, 1);
  g_assert_cmpuint (idle_watch.n_closed, ==, 1);
  channel_watch_clear (&streaming_watch);
  channel_watch_clear (&idle_watch);
  connection_watch_clear (&conn_watch);
}

/* ------------------------------------------------------------------------- */
/* close-clean                                                               */

typedef struct
{
  ConnectionWatch *conn_watch;
  ChannelWatch *a;
  ChannelWatch *b;
} CloseAll;

static gboolean
close_all_settled (gpointer data)
{
  CloseAll *c = data;

  return c->conn_watch->n_closed > 0 && c->a->n_closed > 0 && c->b->n_closed > 0;
}

static void
test_close_clean (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(TetherSessionChannel) channel = NULL;
  g_autoptr(TetherSessionChannel) a = NULL;
  g_autoptr(TetherSessionChannel) b = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  ConnectionWatch conn_watch;
  ChannelWatch watch;
  ChannelWatch a_watch;
  ChannelWatch b_watch;
  CloseAll c;

  if (server == NULL)
    return;
  connection = connect_server (server);
  connection_watch_init (&conn_watch, connection);

  /* One channel closed by itself. */
  channel = open_session (connection);
  channel_watch_init (&watch, TETHER_CHANNEL (channel));
  exec_command (channel, "cat");
  g_io_stream_close_async (G_IO_STREAM (channel), G_PRIORITY_DEFAULT, NULL,
                           tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the channel to close");
  g_assert_true (g_io_stream_close_finish (G_IO_STREAM (channel), result, &error));
  g_assert_no_error (error);
  tether_test_wait_until (channel_watch_closed, &watch, WAIT_TIMEOUT_MS, "::closed");
  g_assert_null (watch.closed_reason);
  g_assert_cmpint (tether_channel_get_state (TETHER_CHANNEL (channel)), ==,
                   TETHER_CHANNEL_STATE_CLOSED);
  tether_test_wait_until (connection_has_no_channels, connection, WAIT_TIMEOUT_MS,
                          "n-channels to return to 0");

  /* Two channels closed with the connection. */
  a = open_session (connection);
  b = open_session (connection);
  channel_watch_init (&a_watch, TETHER_CHANNEL (a));
  channel_watch_init (&b_watch, TETHER_CHANNEL (b));
  exec_command (a, "cat");
  exec_command (b, "cat");
  tether_connection_close (connection);
  c = (CloseAll) { &conn_watch, &a_watch, &b_watch };
  tether_test_wait_until (close_all_settled, &c, WAIT_TIMEOUT_MS,
                          "the connection and its channels to close");
  tether_test_drain_main_context ();

  g_assert_cmpuint (watch.n_closed, ==, 1);
  g_assert_cmpuint (a_watch.n_closed, ==, 1);
  g_assert_cmpuint (b_watch.n_closed, ==, 1);
  g_assert_cmpuint (conn_watch.n_closed, ==, 1);
  g_assert_null (conn_watch.reason);
  g_assert_cmpint (tether_connection_get_state (connection), ==, TETHER_CONNECTION_STATE_CLOSED);
  g_assert_cmpint (tether_channel_get_state (TETHER_CHANNEL (a)), ==,
                   TETHER_CHANNEL_STATE_CLOSED);
  g_assert_cmpint (tether_channel_get_state (TETHER_CHANNEL (b)), ==,
                   TETHER_CHANNEL_STATE_CLOSED);

  channel_watch_clear (&watch);
  channel_watch_clear (&a_watch);
  channel_watch_clear (&b_watch);
  connection_watch_clear (&conn_watch);
}

/* ------------------------------------------------------------------------- */
/* direct-tcpip                                                              */

static gboolean
reader_has_echo (gpointer data)
{
  Reader *reader = data;

  return reader->n_read >= ECHO_TOTAL || reader->done;
}

static void
test_direct_tcpip (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) any_port = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(TetherChannel) channel = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reader) reader = NULL;
  g_autofree guint8 *data = NULL;
  GAsyncResult *slot = NULL;
  ChannelWatch watch;
  guint port;

  if (server == NULL)
    return;

  service = g_socket_service_new ();
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  any_port = g_inet_socket_address_new (loopback, 0);
  g_socket_listener_add_address (G_SOCKET_LISTENER (service), any_port, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (service, "incoming", G_CALLBACK (echo_incoming_cb), NULL);
  g_socket_service_start (service);

  connection = connect_server (server);
  tether_connection_open_direct_tcpip_async (connection, "127.0.0.1", port, "127.0.0.1", 0,
                                             NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the direct-tcpip channel");
  channel = tether_connection_open_direct_tcpip_finish (connection, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (channel);
  g_assert_cmpstr (tether_channel_get_channel_type (channel), ==, "direct-tcpip");
  channel_watch_init (&watch, channel);

  data = g_malloc (ECHO_TOTAL);
  for (gsize i = 0; i < ECHO_TOTAL; i++)
    data[i] = (guint8) (i * 7 + (i >> 10));
  reader = reader_start (g_io_stream_get_input_stream (G_IO_STREAM (channel)), TRUE);
  write_all (g_io_stream_get_output_stream (G_IO_STREAM (channel)), data, ECHO_TOTAL);
  tether_test_wait_until (reader_has_echo, reader, WAIT_TIMEOUT_MS, "the echo");
  g_assert_no_error (reader->error);
  g_assert_cmpuint (reader->n_read, ==, ECHO_TOTAL);
  g_assert_cmpmem (reader->data->data, reader->data->len, data, ECHO_TOTAL);

  g_clear_object (&result);
  g_io_stream_close_async (G_IO_STREAM (channel), G_PRIORITY_DEFAULT, NULL,
                           tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the channel to close");
  g_assert_true (g_io_stream_close_finish (G_IO_STREAM (channel), result, &error));
  tether_test_wait_until (channel_watch_closed, &watch, WAIT_TIMEOUT_MS, "::closed");
  tether_test_wait_until (reader_is_done, reader, WAIT_TIMEOUT_MS, "the reader to finish");

  close_connection (connection);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  channel_watch_clear (&watch);
}

/* ------------------------------------------------------------------------- */
/* unreachable                                                               */

/* A port nobody listens on: bound by us, then released. */
static guint
closed_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any_port, TRUE, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_unreachable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) refused_host = NULL;
  g_autoptr(TetherHost) unknown_host = NULL;
  g_autoptr(TetherConnection) connection = NULL;
  guint port = closed_port ();
  g_autofree char *destination = g_strdup_printf ("tethertest@127.0.0.1:%u", port);
  g_autofree char *port_text = g_strdup_printf ("%u", port);

  refused_host = tether_host_new_for_destination (destination, &error);
  g_assert_no_error (error);
  connection = try_connect (refused_host, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (error->message, port_text));
  g_clear_error (&error);

  unknown_host = tether_host_new_for_destination ("tethertest@" UNRESOLVABLE_HOST, &error);
  g_assert_no_error (error);
  connection = try_connect (unknown_host, &error);
  g_assert_null (connection);
  g_assert_nonnull (error);
  g_test_message ("unresolvable: %s (%s %d)", error->message,
                  g_quark_to_string (error->domain), error->code);
  /* GSocketClient passes the resolver's error on as it is. */
  g_assert_true (error->domain == G_RESOLVER_ERROR);
  g_assert_nonnull (strstr (error->message, UNRESOLVABLE_HOST));
}

/* ------------------------------------------------------------------------- */
/* proxy-jump, proxy-command                                                 */

/* Runs a command through @connection and checks its output. */
static void
check_echo (TetherConnection *connection)
{
  g_autoptr(TetherSessionChannel) channel = open_session (connection);
  g_autoptr(Reader) out = reader_start (g_io_stream_get_input_stream (G_IO_STREAM (channel)),
                                        TRUE);
  g_autofree char *text = NULL;
  ChannelWatch watch;
  ChannelAndReader cr;

  channel_watch_init (&watch, TETHER_CHANNEL (channel));
  exec_command (channel, "echo through");
  cr = (ChannelAndReader) { &watch, out };
  tether_test_wait_until (channel_and_reader_done, &cr, WAIT_TIMEOUT_MS, "the command to finish");
  g_assert_no_error (out->error);
  text = reader_dup_text (out);
  g_assert_cmpstr (text, ==, "through\n");
  g_assert_cmpint (watch.exit_status, ==, 0);
  channel_watch_clear (&watch);
}

static void
test_proxy_jump (void)
{
  g_autoptr(TetherTestServer) jump = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherTestServer) target = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *jump_known = NULL;
  g_autofree char *target_known = NULL;
  g_autofree char *known_hosts = NULL;
  g_autofree char *both = NULL;
  g_autofree char *proxy_jump = NULL;
  const char *keys[3];
  int fd;

  if (jump == NULL)
    return;
  target = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  if (target == NULL)
    return;

  /* The jump host's key is checked against the target's known_hosts file. */
  g_assert_true (g_file_get_contents (tether_test_server_get_known_hosts (jump), &jump_known,
                                      NULL, &error));
  g_assert_true (g_file_get_contents (tether_test_server_get_known_hosts (target),
                                      &target_known, NULL, &error));
  fd = g_file_open_tmp ("tether-known-hosts-XXXXXX", &known_hosts, &error);
  g_assert_no_error (error);
  close (fd);
  both = g_strconcat (target_known, jump_known, NULL);
  g_assert_true (g_file_set_contents (known_hosts, both, -1, &error));

  host = tether_test_server_new_host (target);
  keys[0] = tether_test_server_get_key (target);
  keys[1] = tether_test_server_get_key (jump);
  keys[2] = NULL;
  tether_host_set_identity_files (host, keys);
  tether_host_set_known_hosts_file (host, known_hosts);
  proxy_jump = g_strdup_printf ("%s@%s:%u", tether_test_server_get_user (jump),
                                tether_test_server_get_host (jump),
                                tether_test_server_get_port (jump));
  tether_host_set_proxy_jump (host, proxy_jump);

  connection = connect_host (host);
  check_echo (connection);
  g_assert_cmpuint (tether_test_server_count_logins (jump), ==, 1);
  g_assert_cmpuint (tether_test_server_count_logins (target), ==, 1);

  close_connection (connection);
  g_unlink (known_hosts);
}

static void
test_proxy_command (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherConnection) connection = NULL;

  if (server == NULL)
    return;
  host = tether_test_server_new_host (server);
  tether_host_set_proxy_command (host, PROXY_COMMAND);
  connection = connect_host (host);
  check_echo (connection);
  g_assert_cmpuint (tether_test_server_count_logins (server), ==, 1);
  close_connection (connection);
}

static gboolean
only_caller_holds (gpointer data)
{
  return G_OBJECT (data)->ref_count == 1;
}

/* Wakes the main context now and then: a read's task may drop its last reference on the
 * worker thread, which does not wake this context. */
static gboolean
keep_polling (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* A read that waited and then completed leaves nothing attached to the reader's context:
 * each used to leave its cancellable's source (and a reference to the cancellable). */
static void
test_read_cancellable_released (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(TetherSessionChannel) channel = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  GInputStream *in;
  GOutputStream *out;

  if (server == NULL)
    return;
  connection = connect_server (server);
  channel = open_session (connection);
  exec_command (channel, "cat");
  in = g_io_stream_get_input_stream (G_IO_STREAM (channel));
  out = g_io_stream_get_output_stream (G_IO_STREAM (channel));
  for (guint i = 0; i < 10; i++) {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    GAsyncResult *slot = NULL;
    char byte = 0;

    /* Nothing is queued yet, so the read waits with the cancellable watched. */
    g_input_stream_read_async (in, &byte, 1, G_PRIORITY_DEFAULT, cancellable,
                               tether_test_store_result, &slot);
    write_all (out, "x", 1);
    result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "a read");
    g_assert_cmpint (g_input_stream_read_finish (in, result, &error), ==, 1);
    g_assert_no_error (error);
    g_assert_cmpint (byte, ==, 'x');
  }
  tether_test_drain_main_context ();
  {
    guint poll = g_timeout_add (10, keep_polling, NULL);

    /* The leak this catches left one reference per read, for good. */
    tether_test_wait_until (only_caller_holds, cancellable, WAIT_TIMEOUT_MS,
                            "the finished reads to let go of their cancellable");
    g_source_remove (poll);
  }
  g_assert_cmpuint (G_OBJECT (cancellable)->ref_count, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tether/channel/exec-exit-status-stderr", test_exec_exit_status_stderr);
  g_test_add_func ("/tether/channel/exec-dropbear", test_exec_dropbear);
  g_test_add_func ("/tether/channel/pty-window-change", test_pty_window_change);
  g_test_add_func ("/tether/channel/hundred-channels", test_hundred_channels);
  g_test_add_func ("/tether/channel/backpressure", test_backpressure);
  g_test_add_func ("/tether/channel/write-and-eof", test_write_and_eof);
  g_test_add_func ("/tether/channel/write-and-eof-sha256sum", test_write_and_eof_sha256sum);
  g_test_add_func ("/tether/channel/server-killed-mid-stream", test_server_killed_mid_stream);
  g_test_add_func ("/tether/channel/close-clean", test_close_clean);
  g_test_add_func ("/tether/channel/read-cancellable-released",
                   test_read_cancellable_released);
  g_test_add_func ("/tether/channel/direct-tcpip", test_direct_tcpip);
  g_test_add_func ("/tether/channel/unreachable", test_unreachable);
  g_test_add_func ("/tether/channel/proxy-jump", test_proxy_jump);
  g_test_add_func ("/tether/channel/proxy-command", test_proxy_command);

  return g_test_run ();
}

