/* test-channel-common.c: what the channel tests share: servers and connections, background
 * readers, signal counters. */
#include "config.h"

#include "test-channel-common.h"
/* ------------------------------------------------------------------------- */
/* Servers and connections                                                   */

TetherTestServer *
server_new_or_skip (TetherTestServerKind kind)
{
  return tether_test_server_new_or_skip (kind, NULL);
}

TetherConnection *
try_connect (TetherHost  *host,
             GError     **error)
{
  g_autoptr(TetherConnection) connection = tether_connection_new (host);
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  tether_connection_connect_async (connection, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the connection");
  if (!tether_connection_connect_finish (connection, result, error))
    {
      g_assert_cmpint (tether_connection_get_state (connection), ==,
                       TETHER_CONNECTION_STATE_CLOSED);
      return NULL;
    }
  g_assert_cmpint (tether_connection_get_state (connection), ==, TETHER_CONNECTION_STATE_READY);
  return g_steal_pointer (&connection);
}

TetherConnection *
connect_host (TetherHost *host)
{
  g_autoptr(GError) error = NULL;
  TetherConnection *connection = try_connect (host, &error);

  g_assert_no_error (error);
  g_assert_nonnull (connection);
  return connection;
}

TetherConnection *
connect_server (TetherTestServer *server)
{
  g_autoptr(TetherHost) host = tether_test_server_new_host (server);

  return connect_host (host);
}

TetherSessionChannel *
open_session (TetherConnection *connection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;
  TetherSessionChannel *channel;

  tether_connection_open_session_async (connection, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "a session channel");
  channel = tether_connection_open_session_finish (connection, result, &error);
  g_assert_no_error (error);
  g_assert_true (TETHER_IS_SESSION_CHANNEL (channel));
  g_assert_cmpstr (tether_channel_get_channel_type (TETHER_CHANNEL (channel)), ==, "session");
  g_assert_cmpint (tether_channel_get_state (TETHER_CHANNEL (channel)), ==,
                   TETHER_CHANNEL_STATE_OPEN);
  return channel;
}

void
exec_command (TetherSessionChannel *channel,
              const char           *command)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  tether_session_channel_request_exec_async (channel, command, NULL, tether_test_store_result,
                                             &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the exec request");
  g_assert_true (tether_session_channel_request_exec_finish (channel, result, &error));
  g_assert_no_error (error);
}

void
write_all (GOutputStream *stream,
           const void    *data,
           gsize          size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;
  gsize written = 0;

  g_output_stream_write_all_async (stream, data, size, G_PRIORITY_DEFAULT, NULL,
                                   tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "a write");
  g_assert_true (g_output_stream_write_all_finish (stream, result, &written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, size);
}

void
close_output (GOutputStream *stream)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  g_output_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "closing the output stream");
  g_assert_true (g_output_stream_close_finish (stream, result, &error));
  g_assert_no_error (error);
}

/* A message a user can read: a capitalised sentence with one full stop at the end. */
void
assert_sentence (const char *message)
{
  gsize len;

  g_assert_nonnull (message);
  len = strlen (message);
  g_assert_cmpuint (len, >, 1);
  g_assert_true (g_unichar_isupper (g_utf8_get_char (message)));
  g_assert_true (g_str_has_suffix (message, "."));
  g_assert_false (g_str_has_suffix (message, ".."));
}

/* ------------------------------------------------------------------------- */
/* Readers: read a stream to its end in the background                      */

void
reader_clear (Reader *reader)
{
  g_clear_object (&reader->stream);
  g_clear_pointer (&reader->data, g_byte_array_unref);
  g_clear_pointer (&reader->buffer, g_free);
  g_clear_error (&reader->error);
}

Reader *
reader_ref (Reader *reader)
{
  return g_rc_box_acquire (reader);
}

void
reader_unref (Reader *reader)
{
  g_rc_box_release_full (reader, (GDestroyNotify) reader_clear);
}

void
reader_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Reader) reader = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &reader->error);

  if (n <= 0)
    {
      reader->done = TRUE;
      return;
    }
  reader->n_read += n;
  if (reader->data != NULL)
    g_byte_array_append (reader->data, reader->buffer, n);
  for (gssize i = 0; reader->all_zero && i < n; i++)
    reader->all_zero = reader->buffer[i] == 0;
  reader_next (reader);
}

void
reader_next (Reader *reader)
{
  g_input_stream_read_async (reader->stream, reader->buffer, READ_SIZE, G_PRIORITY_DEFAULT,
                             NULL, reader_read_cb, reader_ref (reader));
}

/* Reads @stream until EOF or an error; @keep says whether to keep the bytes. */
Reader *
reader_start (GInputStream *stream,
              gboolean      keep)
{
  Reader *reader = g_rc_box_new0 (Reader);

  reader->stream = g_object_ref (stream);
  reader->data = keep ? g_byte_array_new () : NULL;
  reader->buffer = g_malloc (READ_SIZE);
  reader->all_zero = TRUE;
  reader_next (reader);
  return reader;
}

gboolean
reader_is_done (gpointer data)
{
  return ((Reader *) data)->done;
}

/* The bytes read so far, as a string. */
char *
reader_dup_text (Reader *reader)
{
  return g_strndup ((const char *) reader->data->data, reader->data->len);
}

gboolean
reader_has_text (gpointer data)
{
  ReaderSearch *search = data;
  GByteArray *bytes = search->reader->data;
  const char *hit;

  if (bytes->len <= search->from)
    return FALSE;
  hit = g_strstr_len ((const char *) bytes->data + search->from, bytes->len - search->from,
                      search->needle);
  if (hit == NULL)
    return FALSE;
  search->found_end = (hit - (const char *) bytes->data) + strlen (search->needle);
  return TRUE;
}

/* Waits until @needle appears after offset @from; returns the offset just past it. */
gsize
reader_wait_text (Reader     *reader,
                  const char *needle,
                  gsize       from)
{
  ReaderSearch search = { reader, needle, from, 0 };

  tether_test_wait_until (reader_has_text, &search, WAIT_TIMEOUT_MS, needle);
  return search.found_end;
}

/* ------------------------------------------------------------------------- */
/* Counting signals                                                          */

void
channel_eof_cb (TetherChannel *channel,
                ChannelWatch  *watch)
{
  watch->n_eof++;
  g_string_append_c (watch->order, 'E');
}

void
channel_closed_cb (TetherChannel *channel,
                   GError        *reason,
                   ChannelWatch  *watch)
{
  watch->n_closed++;
  g_string_append_c (watch->order, 'C');
  g_clear_error (&watch->closed_reason);
  watch->closed_reason = reason ? g_error_copy (reason) : NULL;
}

void
channel_exit_status_cb (TetherSessionChannel *channel,
                        int                   status,
                        ChannelWatch         *watch)
{
  watch->n_exit_status++;
  watch->exit_status = status;
  g_string_append_c (watch->order, 'X');
}

void
channel_watch_init (ChannelWatch  *watch,
                    TetherChannel *channel)
{
  memset (watch, 0, sizeof *watch);
  watch->channel = g_object_ref (channel);
  watch->exit_status = -1;
  watch->order = g_string_new (NULL);
  g_signal_connect (channel, "eof", G_CALLBACK (channel_eof_cb), watch);
  g_signal_connect (channel, "closed", G_CALLBACK (channel_closed_cb), watch);
  if (TETHER_IS_SESSION_CHANNEL (channel))
    g_signal_connect (channel, "exit-status", G_CALLBACK (channel_exit_status_cb), watch);
}

void
channel_watch_clear (ChannelWatch *watch)
{
  if (watch->channel != NULL)
    g_signal_handlers_disconnect_by_data (watch->channel, watch);
  g_clear_object (&watch->channel);
  g_clear_error (&watch->closed_reason);
  if (watch->order != NULL)
    g_string_free (watch->order, TRUE);
  watch->order = NULL;
}

gboolean
channel_watch_closed (gpointer data)
{
  return ((ChannelWatch *) data)->n_closed > 0;
}

void
connection_closed_cb (TetherConnection *connection,
                      GError           *reason,
                      ConnectionWatch  *watch)
{
  watch->n_closed++;
  g_clear_error (&watch->reason);
  watch->reason = reason ? g_error_copy (reason) : NULL;
}

void
connection_n_channels_cb (TetherConnection *connection,
                          GParamSpec       *pspec,
                          ConnectionWatch  *watch)
{
  watch->max_channels = MAX (watch->max_channels, tether_connection_get_n_channels (connection));
}

void
connection_watch_init (ConnectionWatch  *watch,
                       TetherConnection *connection)
{
  memset (watch, 0, sizeof *watch);
  watch->connection = g_object_ref (connection);
  g_signal_connect (connection, "closed", G_CALLBACK (connection_closed_cb), watch);
  g_signal_connect (connection, "notify::n-channels", G_CALLBACK (connection_n_channels_cb),
                    watch);
}

void
connection_watch_clear (ConnectionWatch *watch)
{
  if (watch->connection != NULL)
    g_signal_handlers_disconnect_by_data (watch->connection, watch);
  g_clear_object (&watch->connection);
  g_clear_error (&watch->reason);
}

gboolean
connection_is_closed (gpointer data)
{
  return tether_connection_get_state (data) == TETHER_CONNECTION_STATE_CLOSED;
}

gboolean
connection_has_no_channels (gpointer data)
{
  return tether_connection_get_n_channels (data) == 0;
}

/* Closes @connection and waits for it, so that no worker outlives the test. */
void
close_connection (TetherConnection *connection)
{
  tether_connection_close (connection);
  tether_test_wait_until (connection_is_closed, connection, WAIT_TIMEOUT_MS,
                          "the connection to close");
  tether_test_drain_main_context ();
}

gboolean
exec_finished (gpointer data)
{
  ExecState *state = data;

  return state->watch->n_closed > 0 && state->out->done && state->err->done;
}

void
echo_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GSocketConnection) connection = user_data;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL);
}

gboolean
echo_incoming_cb (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source_object,
                  gpointer           user_data)
{
  GIOStream *stream = G_IO_STREAM (connection);

  g_output_stream_splice_async (g_io_stream_get_output_stream (stream),
                                g_io_stream_get_input_stream (stream),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, echo_done_cb,
                                g_object_ref (connection));
  return TRUE;
}
