/* bench-throughput.c: bulk upload through one session channel, Tether against OpenSSH.
 *
 * Both clients send 1 GiB to `cat > /dev/null` on the test server: Tether writes to the
 * channel's output stream from the main loop, ssh is fed through a pipe on its standard
 * input, as `producer | ssh host 'cat > /dev/null'` would be. The remote command first prints
 * "ready", and the clock starts then, so neither side's login is counted. The clients run
 * in interleaved rounds in rotated order, and the figure is the median of the per-round
 * ratios (DESIGN.md section 6: the CPU speed drifts); once against plain `ssh`, once
 * against `ssh -c` with the cipher Tether negotiated.
 */
/* For F_SETPIPE_SZ. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "bench-common.h"

#define TOTAL_BYTES ((guint64) 1024 * 1024 * 1024)
/* Each write hands over this much; the pattern repeats with this period. */
#define CHUNK_SIZE (1024 * 1024)
#define N_ROUNDS 5
#define GOAL_RATIO 1.2
#define REMOTE_COMMAND "echo ready; exec cat > /dev/null"
#define READY_LINE "ready\n"
#define STEP_TIMEOUT_MS (60 * 1000)
/* Even a slow sanitizer build moves 1 GiB within this. */
#define TRANSFER_TIMEOUT_MS (300 * 1000)
#define BYTES_PER_MB 1e6
#define USEC_PER_SEC 1e6

static guint8 *chunk;

/* ------------------------------------------------------------------------- */
/* Waiting for "ready"                                                      */

typedef struct
{
  GInputStream *stream;
  char buffer[64];
  GString *seen;
  gboolean done;
} ReadyWait;

static void
ready_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ReadyWait *wait = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n <= 0)
    g_error ("The remote command ended before it was ready: %s",
             error ? error->message : "end of stream");
  g_string_append_len (wait->seen, wait->buffer, n);
  if (strstr (wait->seen->str, READY_LINE) != NULL)
    {
      wait->done = TRUE;
      return;
    }
  g_input_stream_read_async (wait->stream, wait->buffer, sizeof wait->buffer,
                             G_PRIORITY_DEFAULT, NULL, ready_read_cb, wait);
}

static void
wait_ready (GInputStream *stream)
{
  ReadyWait wait = { stream, { 0 }, g_string_new (NULL), FALSE };

  g_input_stream_read_async (stream, wait.buffer, sizeof wait.buffer, G_PRIORITY_DEFAULT,
                             NULL, ready_read_cb, &wait);
  tether_test_wait_until (tether_test_flag_is_set, &wait.done, STEP_TIMEOUT_MS,
                          "the remote command");
  g_string_free (wait.seen, TRUE);
}

/* ------------------------------------------------------------------------- */
/* Tether                                                                    */

typedef struct
{
  GOutputStream *output;
  guint64 written;
  gboolean closed;
  gboolean channel_closed;
  int exit_status;
} Upload;

static void upload_next (Upload *upload);

static void
upload_closed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Upload *upload = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    g_error ("Could not close the channel's output: %s", error->message);
  upload->closed = TRUE;
}

static void
upload_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Upload *upload = user_data;
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error))
    g_error ("Could not write to the channel: %s", error->message);
  upload->written += written;
  upload_next (upload);
}

static void
upload_next (Upload *upload)
{
  if (upload->written < TOTAL_BYTES)
    g_output_stream_write_all_async (upload->output, chunk,
                                     MIN (CHUNK_SIZE, TOTAL_BYTES - upload->written),
                                     G_PRIORITY_DEFAULT, NULL, upload_written_cb, upload);
  else
    g_output_stream_close_async (upload->output, G_PRIORITY_DEFAULT, NULL, upload_closed_cb,
                                 upload);
}

static void
upload_channel_closed_cb (TetherChannel *channel,
                          GError        *reason,
                          Upload        *upload)
{
  upload->channel_closed = TRUE;
}

static void
upload_exit_status_cb (TetherSessionChannel *channel,
                       int                   status,
                       Upload               *upload)
{
  upload->exit_status = status;
}

static gboolean
upload_finished (gpointer data)
{
  Upload *upload = data;

  return upload->closed && upload->channel_closed;
}

/* Seconds to send TOTAL_BYTES, once the remote command is ready. */
static double
time_tether (TetherConnection *connection)
{
  g_autoptr(TetherSessionChannel) channel = bench_open_session (connection);
  Upload upload = { g_io_stream_get_output_stream (G_IO_STREAM (channel)), 0, FALSE, FALSE, -1 };
  gint64 start;
  gint64 elapsed;

  g_signal_connect (channel, "closed", G_CALLBACK (upload_channel_closed_cb), &upload);
  g_signal_connect (channel, "exit-status", G_CALLBACK (upload_exit_status_cb), &upload);
  bench_exec (channel, REMOTE_COMMAND);
  wait_ready (g_io_stream_get_input_stream (G_IO_STREAM (channel)));

  start = g_get_monotonic_time ();
  upload_next (&upload);
  tether_test_wait_until (upload_finished, &upload, TRANSFER_TIMEOUT_MS,
                          "the upload through Tether");
  elapsed = g_get_monotonic_time () - start;

  g_signal_handlers_disconnect_by_data (channel, &upload);
  if (upload.exit_status != 0 || upload.written != TOTAL_BYTES ||
      tether_channel_get_bytes_sent (TETHER_CHANNEL (channel)) != TOTAL_BYTES)
    g_error ("The upload through Tether failed: status %d, %" G_GUINT64_FORMAT " bytes",
             upload.exit_status, upload.written);
  return elapsed / USEC_PER_SEC;
}

/* ------------------------------------------------------------------------- */
/* OpenSSH                                                                   */

/* The producer of `producer | ssh`: blocking writes on a thread of its own. */
static gpointer
feed_pipe (gpointer data)
{
  int fd = GPOINTER_TO_INT (data);
  guint64 left = TOTAL_BYTES;

  while (left > 0)
    {
      gsize want = MIN (CHUNK_SIZE, left);
      gssize n = write (fd, chunk, want);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        g_error ("Could not feed ssh: %s", g_strerror (errno));
      left -= n;
    }
  close (fd);
  return NULL;
}

static void
process_exited_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error))
    g_error ("Waiting for ssh failed: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

static double
time_ssh (char **argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  GThread *feeder;
  gboolean exited = FALSE;
  int fds[2];
  gint64 start;
  gint64 elapsed;

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, &error))
    g_error ("Could not make a pipe: %s", error->message);
  /* A larger pipe buffer spares both sides wake-ups, as a shell pipeline of a fast
   * producer would have; failure only costs speed. */
  fcntl (fds[1], F_SETPIPE_SZ, CHUNK_SIZE);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_take_stdin_fd (launcher, fds[0]);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  if (process == NULL)
    g_error ("Could not start ssh: %s", error->message);
  g_subprocess_wait_async (process, NULL, process_exited_cb, &exited);
  wait_ready (g_subprocess_get_stdout_pipe (process));

  start = g_get_monotonic_time ();
  feeder = g_thread_new ("bench-feeder", feed_pipe, GINT_TO_POINTER (fds[1]));
  tether_test_wait_until (tether_test_flag_is_set, &exited, TRANSFER_TIMEOUT_MS,
                          "the upload through ssh");
  elapsed = g_get_monotonic_time () - start;
  g_thread_join (feeder);

  if (!g_subprocess_get_successful (process))
    g_error ("ssh failed with status %d", g_subprocess_get_status (process));
  return elapsed / USEC_PER_SEC;
}

/* ------------------------------------------------------------------------- */

static double
mb_per_s (double seconds)
{
  return TOTAL_BYTES / BYTES_PER_MB / seconds;
}

enum {
  CLIENT_TETHER,
  CLIENT_SSH,
  CLIENT_SSH_CIPHER,
  N_CLIENTS
};

typedef struct
{
  TetherConnection *connection;
  char **plain_argv;
  char **cipher_argv;
} Uploaders;

/* MB/s of one upload by @client. */
static double
upload_rate (guint    client,
             gpointer user_data)
{
  Uploaders *uploaders = user_data;

  if (client != CLIENT_TETHER)
    return mb_per_s (time_ssh (client == CLIENT_SSH ? uploaders->plain_argv
                                                    : uploaders->cipher_argv));
  return mb_per_s (time_tether (uploaders->connection));
}

static void
report (const char *label,
        GArray     *tether,
        GArray     *ssh,
        GArray     *ratios)
{
  printf ("%s: tether %.1f MB/s, ssh %.1f MB/s, ratio %.2f (goal >= %.1f)\n", label,
          bench_median (tether), bench_median (ssh), bench_median (ratios), GOAL_RATIO);
  bench_print_pairs (label, ratios);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TetherTestServer) server = bench_server_new_or_exit ();
  g_autoptr(TetherHost) host = tether_test_server_new_host (server);
  g_autoptr(TetherConnection) connection = bench_connect (host);
  const char *plain_options[] = { "-o", "ControlMaster=no", NULL };
  const char *cipher_options[] = { "-o", "ControlMaster=no", "-c", NULL, NULL };
  g_auto(GStrv) plain_argv = bench_ssh_argv (server, plain_options, REMOTE_COMMAND);
  g_auto(GStrv) cipher_argv = NULL;
  g_autofree char *cipher_label = NULL;
  g_autoptr(GArray) plain_ratios = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cipher_ratios = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *ratios[N_CLIENTS - 1] = { plain_ratios, cipher_ratios };
  GArray *rates[N_CLIENTS];
  Uploaders uploaders;

  /* OpenSSH with the cipher Tether negotiated, to tell cipher from client. */
  cipher_options[3] = tether_connection_get_cipher (connection);
  cipher_argv = bench_ssh_argv (server, cipher_options, REMOTE_COMMAND);
  for (guint c = 0; c < N_CLIENTS; c++)
    rates[c] = g_array_new (FALSE, FALSE, sizeof (double));

  chunk = g_malloc (CHUNK_SIZE);
  for (gsize i = 0; i < CHUNK_SIZE; i++)
    chunk[i] = (guint8) (i ^ (i >> 8) ^ (i >> 16));

  uploaders = (Uploaders) { connection, plain_argv, cipher_argv };
  bench_interleave (N_ROUNDS, N_CLIENTS, upload_rate, &uploaders, rates, ratios);

  printf ("%u interleaved rounds of %" G_GUINT64_FORMAT " MiB each to `cat > /dev/null`; "
          "median of per-round ratios (Tether MB/s / ssh MB/s)\n",
          N_ROUNDS, TOTAL_BYTES / (1024 * 1024));
  report ("throughput", rates[CLIENT_TETHER], rates[CLIENT_SSH], plain_ratios);
  cipher_label = g_strdup_printf ("throughput vs ssh -c %s", cipher_options[3]);
  report (cipher_label, rates[CLIENT_TETHER], rates[CLIENT_SSH_CIPHER], cipher_ratios);

  tether_connection_close (connection);
  for (guint c = 0; c < N_CLIENTS; c++)
    g_array_unref (rates[c]);
  g_free (chunk);
  return 0;
}
