/* bench-sftp-echo.c: keystroke echo while a big download or upload runs on the same
 * connection.
 *
 * A user who starts a 1 GiB download from the files tab still types in the terminal tab of
 * the same host: the echo must not queue behind the transfer. On one TetherHostSession to the
 * test sshd, a TetherShell runs `cat` on a raw pty (so every byte sent comes straight back)
 * while a TetherSftpClient of the same connection downloads 1 GiB (TETHER_BENCH_ECHO_MB) on
 * its own channel, again and again until the keystrokes are done; then the same with an
 * upload of that file to another name on the server. Single keystrokes go out
 * one at a time, a typist's pause apart; the latency of each is from the write to the echo's
 * arrival on the main context. The same is measured with no transfer, and for OpenSSH: an
 * `ssh -tt` master running the same `cat` while `sftp` downloads (then uploads) the same file
 * through its ControlMaster socket (one connection, as with Tether). Issue 15's goal is for
 * the download; the upload is measured beside it, for the same user typing during a put.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bench-common.h"

#define DEFAULT_MB 1024
#define DEFAULT_KEYSTROKES 300
/* Issue 15's goal for the echo's 99th percentile while a transfer runs. */
#define GOAL_P99_MS 20.0
/* Between keystrokes: a fast typist's pace. It paces the input; it synchronises nothing. */
#define KEYSTROKE_GAP_MS 30
/* The transfer is measured once it is under way, past its start-up. */
#define WARM_UP_BYTES (16 * 1024 * 1024)
#define WARM_UP_POLL_MS 10
#define SFTP_PATH "sftp"
#define UPLOADED_NAME "uploaded.bin"
#define STEP_TIMEOUT_MS (120 * 1000)
#define ECHO_TIMEOUT_MS (60 * 1000)
#define TRANSFER_TIMEOUT_MS (600 * 1000)
#define FILL_CHUNK (1024 * 1024)
#define READ_SIZE 4096

/* The echo side: the pty is raw and does not echo itself, so `cat` returns each byte as is.
 * The marker is spelt with an octal escape so that the command line's echo is no match. */
#define READY_MARKER "READY"
#define CAT_COMMAND "stty raw -echo; printf '\\122EADY'; exec cat"

typedef struct
{
  GString *prelude;           /* what came before the marker */
  gboolean ready;
  guint64 n_sent;
  guint64 n_echoed;           /* bytes after the marker */
  gint64 echoed_at;           /* when n_echoed reached n_sent */
} Echo;

typedef void (*SendFunc) (gpointer target,
                          char     key);

/* The transfer (a download, or an upload) that runs under the keystrokes, restarted
 * whenever it ends. */
typedef struct
{
  gboolean openssh;
  gboolean upload;
  gboolean stop;
  gboolean running;
  guint n_runs;
  /* Tether */
  TetherSftpClient *client;
  TetherTransfer *transfer;
  GCancellable *cancellable;
  const char *remote;         /* what a download reads, or where an upload writes */
  GFile *local;               /* where a download writes, or what an upload reads */
  /* OpenSSH */
  char **sftp_argv;
  GSubprocess *sftp;
  const char *target_path;    /* the file the transfer writes, on this machine either way */
} Download;

static void
print_load (const char *when)
{
  g_autofree char *loadavg = NULL;
  g_auto(GStrv) fields = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    return;
  fields = g_strsplit (loadavg, " ", 4);
  if (g_strv_length (fields) >= 3)
    printf ("load average %s: %s %s %s (%u CPUs)\n", when, fields[0], fields[1], fields[2],
            g_get_num_processors ());
}

/* The nearest-rank percentile of @values (milliseconds). */
static double
percentile (GArray *values,
            double  fraction)
{
  g_autoptr(GArray) sorted = bench_sorted (values);
  guint rank = (guint) (fraction * sorted->len + 0.999999);

  rank = CLAMP (rank, 1, sorted->len);
  return g_array_index (sorted, double, rank - 1);
}

static void
chown_to_test_user (const char *path)
{
  struct passwd *pw = getpwnam (TETHER_TEST_SERVER_USER);

  if (pw == NULL || lchown (path, pw->pw_uid, pw->pw_gid) != 0)
    g_error ("Could not give %s to " TETHER_TEST_SERVER_USER, path);
}

static void
fill_file (const char *path,
           guint64     size)
{
  g_autofree guint8 *buf = g_malloc (FILL_CHUNK);
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  if (fd < 0)
    g_error ("Could not write %s", path);
  for (gsize i = 0; i < FILL_CHUNK; i++)
    buf[i] = g_rand_int (rand);
  while (size > 0) {
    gsize n = MIN (size, FILL_CHUNK);

    if (write (fd, buf, n) != (gssize) n)
      g_error ("Could not write %s", path);
    size -= n;
  }
  close (fd);
  chown_to_test_user (path);
}

/* ------------------------------------------------------------------------- */
/* Echoes                                                                    */

static void
echo_init (Echo *echo)
{
  memset (echo, 0, sizeof *echo);
  echo->prelude = g_string_new (NULL);
}

static void
echo_feed (Echo       *echo,
           const char *data,
           gsize       size)
{
  if (!echo->ready) {
    const char *marker;

    g_string_append_len (echo->prelude, data, size);
    marker = strstr (echo->prelude->str, READY_MARKER);
    if (marker == NULL)
      return;
    echo->ready = TRUE;
    echo->n_echoed = echo->prelude->len - (marker - echo->prelude->str) -
                     strlen (READY_MARKER);
  } else {
    echo->n_echoed += size;
  }
  if (echo->n_sent > 0 && echo->n_echoed >= echo->n_sent && echo->echoed_at == 0)
    echo->echoed_at = g_get_monotonic_time ();
}

static gboolean
echo_is_ready (gpointer data)
{
  return ((Echo *) data)->ready;
}

static gboolean
echo_arrived (gpointer data)
{
  return ((Echo *) data)->echoed_at != 0;
}

/* Types @n keys, one at a time, into @echo's sender; each latency (ms) goes to @latencies
 * when @download (if any) was running both when the key left and when its echo came. */
static void
type_keys (Echo     *echo,
           SendFunc  send,
           gpointer  target,
           guint     n,
           Download *download,
           GArray   *latencies)
{
  guint i = 0;

  while (latencies->len < n) {
    gboolean paused = FALSE;
    gboolean counts;
    gint64 sent_at;
    double ms;

    g_timeout_add (KEYSTROKE_GAP_MS, tether_test_set_flag, &paused);
    tether_test_wait_until (tether_test_flag_is_set, &paused, STEP_TIMEOUT_MS, "a pause");

    counts = download == NULL || download->running;
    echo->echoed_at = 0;
    echo->n_sent++;
    sent_at = g_get_monotonic_time ();
    send (target, 'a' + i++ % 26);
    tether_test_wait_until (echo_arrived, echo, ECHO_TIMEOUT_MS, "a keystroke's echo");
    if (!counts || (download != NULL && !download->running))
      continue;
    ms = (echo->echoed_at - sent_at) / 1000.0;
    g_array_append_val (latencies, ms);
  }
}

/* ------------------------------------------------------------------------- */
/* Downloads under the keystrokes                                            */

static void download_start (Download *download);

static void
tether_download_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Download *download = user_data;
  g_autoptr(GError) error = NULL;

  gboolean done;

  download->running = FALSE;
  done = download->upload ?
    tether_sftp_client_upload_finish (TETHER_SFTP_CLIENT (source), result, &error) :
    tether_sftp_client_download_finish (TETHER_SFTP_CLIENT (source), result, &error);
  if (!done && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_error ("The Tether %s failed: %s", download->upload ? "upload" : "download",
             error->message);
  download_start (download);
}

static void
sftp_exited_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Download *download = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  download->running = FALSE;
  if (!download->stop && !g_subprocess_get_successful (G_SUBPROCESS (source)))
    g_error ("sftp failed with status %d", g_subprocess_get_status (G_SUBPROCESS (source)));
  g_clear_object (&download->sftp);
  download_start (download);
}

static void
download_start (Download *download)
{
  g_autoptr(GError) error = NULL;

  if (download->stop)
    return;
  g_unlink (download->target_path);
  download->n_runs++;
  download->running = TRUE;
  if (!download->openssh) {
    g_clear_object (&download->transfer);
    g_clear_object (&download->cancellable);
    download->transfer = tether_transfer_new ();
    download->cancellable = g_cancellable_new ();
    if (download->upload)
      tether_sftp_client_upload_async (download->client, download->local, download->remote,
                                       download->transfer, download->cancellable,
                                       tether_download_cb, download);
    else
      tether_sftp_client_download_async (download->client, download->remote, download->local,
                                         download->transfer, download->cancellable,
                                         tether_download_cb, download);
    return;
  }
  download->sftp = g_subprocess_newv ((const char * const *) download->sftp_argv,
                                      G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  if (download->sftp == NULL)
    g_error ("Could not start sftp: %s", error->message);
  g_subprocess_wait_async (download->sftp, NULL, sftp_exited_cb, download);
}

static gboolean
download_under_way (gpointer data)
{
  Download *download = data;
  GStatBuf st;

  if (!download->openssh)
    return tether_transfer_get_bytes_done (download->transfer) >= WARM_UP_BYTES;
  return g_stat (download->target_path, &st) == 0 && st.st_size >= WARM_UP_BYTES;
}

static gboolean
keep_polling (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Waits until the download has moved its first bytes. sftp's file grows with no event on
 * this main context, so a timer wakes it to look. */
static void
download_wait_under_way (Download *download)
{
  guint poll_id = g_timeout_add (WARM_UP_POLL_MS, keep_polling, NULL);

  tether_test_wait_until (download_under_way, download, STEP_TIMEOUT_MS, "the download");
  g_source_remove (poll_id);
}

static gboolean
download_stopped (gpointer data)
{
  return !((Download *) data)->running;
}

/* Ends the transfer under way (it is not measured any more) and waits until it is over. */
static void
download_stop (Download *download)
{
  g_autofree char *part = g_strconcat (download->target_path, ".part", NULL);
  g_autofree char *folder = g_path_get_dirname (download->target_path);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  download->stop = TRUE;
  if (download->sftp != NULL)
    g_subprocess_force_exit (download->sftp);
  if (download->cancellable != NULL)
    g_cancellable_cancel (download->cancellable);
  tether_test_wait_until (download_stopped, download, TRANSFER_TIMEOUT_MS,
                          "the download's end");
  g_clear_object (&download->transfer);
  g_clear_object (&download->cancellable);
  g_unlink (download->target_path);
  g_unlink (part);
  /* A cancelled upload leaves its temporary name on the server, for a resume. */
  dir = download->upload ? g_dir_open (folder, 0, NULL) : NULL;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (folder, name, NULL);

    g_unlink (path);
  }
  download->stop = FALSE;
}

/* ------------------------------------------------------------------------- */
/* Tether                                                                    */

static void
shell_data_cb (TetherShell *shell,
               GBytes      *bytes,
               Echo        *echo)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  echo_feed (echo, data, size);
}

static void
shell_send (gpointer target,
            char     key)
{
  g_autoptr(GBytes) bytes = g_bytes_new (&key, 1);

  tether_shell_write (TETHER_SHELL (target), bytes);
}

static void
measure_tether (TetherTestServer *server,
                const char       *remote,
                const char       *target,
                const char       *uploaded,
                guint             n_keys,
                GArray           *idle,
                GArray           *busy,
                GArray           *busy_up,
                guint            *n_runs)
{
  g_autoptr(TetherHost) host = tether_test_server_new_host (server);
  g_autoptr(TetherHostSession) session = tether_host_session_new (host);
  g_autoptr(TetherShell) shell = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) command = g_bytes_new_static (CAT_COMMAND "\n", strlen (CAT_COMMAND "\n"));
  g_autoptr(GFile) target_file = g_file_new_for_path (target);
  g_autoptr(GFile) source_file = g_file_new_for_path (remote);
  GAsyncResult *slot = NULL;
  Download download = { 0 };
  Echo echo;

  echo_init (&echo);
  shell = tether_test_open_shell (session, STEP_TIMEOUT_MS);
  g_signal_connect (shell, "data", G_CALLBACK (shell_data_cb), &echo);
  tether_shell_write (shell, command);
  tether_test_wait_until (echo_is_ready, &echo, STEP_TIMEOUT_MS, "cat on a raw pty");

  /* The SFTP client of the same connection; each download opens a channel of its own. */
  tether_sftp_client_new_async (tether_host_session_get_connection (session), NULL,
                                tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, STEP_TIMEOUT_MS, "the SFTP client");
  download.client = tether_sftp_client_new_finish (result, &error);
  if (download.client == NULL)
    g_error ("No SFTP client: %s", error->message);
  download.remote = remote;
  download.local = target_file;
  download.target_path = target;

  type_keys (&echo, shell_send, shell, n_keys, NULL, idle);

  download_start (&download);
  download_wait_under_way (&download);
  type_keys (&echo, shell_send, shell, n_keys, &download, busy);
  download_stop (&download);

  /* The same file goes up to another name, on the same connection. */
  download.upload = TRUE;
  download.remote = uploaded;
  download.local = source_file;
  download.target_path = uploaded;
  download_start (&download);
  download_wait_under_way (&download);
  type_keys (&echo, shell_send, shell, n_keys, &download, busy_up);
  *n_runs = download.n_runs;
  download_stop (&download);

  g_signal_handlers_disconnect_by_data (shell, &echo);
  tether_shell_close (shell);
  tether_sftp_client_close (download.client);
  g_clear_object (&download.client);
  tether_host_session_close (session);
  g_string_free (echo.prelude, TRUE);
}

/* ------------------------------------------------------------------------- */
/* OpenSSH                                                                   */

typedef struct
{
  Echo *echo;
  GInputStream *stdout_pipe;
  GOutputStream *stdin_pipe;
  gboolean eof;
} SshReader;

static void
ssh_read_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SshReader *reader = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL || g_bytes_get_size (bytes) == 0) {
    reader->eof = TRUE;
    return;
  }
  echo_feed (reader->echo, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_input_stream_read_bytes_async (reader->stdout_pipe, READ_SIZE, G_PRIORITY_DEFAULT, NULL,
                                   ssh_read_cb, reader);
}

static void
ssh_send (gpointer target,
          char     key)
{
  SshReader *reader = target;
  g_autoptr(GError) error = NULL;

  /* One byte into a pipe ssh drains: it does not block. */
  if (!g_output_stream_write_all (reader->stdin_pipe, &key, 1, NULL, NULL, &error))
    g_error ("Could not write to ssh: %s", error->message);
}

/* sftp takes ssh's options but -P for the port. */
static char **
sftp_argv (TetherTestServer   *server,
           const char * const *options,
           const char         *batch)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  const char * const *ssh_args = tether_test_server_get_ssh_args (server);

  g_strv_builder_add_many (argv, SFTP_PATH, "-q", "-b", batch, NULL);
  if (options != NULL)
    g_strv_builder_addv (argv, (const char **) options);
  for (guint i = 0; ssh_args[i] != NULL; i++)
    g_strv_builder_add (argv, g_str_equal (ssh_args[i], "-p") ? "-P" : ssh_args[i]);
  return g_strv_builder_end (argv);
}

static gboolean
reader_at_eof (gpointer data)
{
  return ((SshReader *) data)->eof;
}

/* Returns whether sftp shared the master's connection. */
static gboolean
measure_openssh (TetherTestServer *server,
                 const char       *dir,
                 const char       *batch,
                 const char       *put_batch,
                 const char       *target,
                 const char       *uploaded,
                 guint             n_keys,
                 GArray           *idle,
                 GArray           *busy,
                 GArray           *busy_up,
                 guint            *n_runs)
{
  g_autofree char *control = g_build_filename (dir, "cm", NULL);
  g_autofree char *control_option = g_strconcat ("ControlPath=", control, NULL);
  const char *master_options[] = { "-tt", "-o", "ControlMaster=yes", "-o", control_option,
                                   NULL };
  const char *shared_options[] = { "-o", "ControlMaster=no", "-o", control_option, NULL };
  const char *second_options[] = { "-o", "ControlMaster=no", "-o", "ControlPath=none", NULL };
  g_auto(GStrv) ssh_argv = bench_ssh_argv (server, master_options, CAT_COMMAND);
  g_autoptr(GSubprocess) ssh = NULL;
  g_autoptr(GError) error = NULL;
  SshReader reader = { 0 };
  Download download = { 0 };
  gboolean shared;
  Echo echo;

  echo_init (&echo);
  ssh = g_subprocess_newv ((const char * const *) ssh_argv,
                           G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                           &error);
  if (ssh == NULL)
    g_error ("Could not start ssh: %s", error->message);
  reader.echo = &echo;
  reader.stdout_pipe = g_subprocess_get_stdout_pipe (ssh);
  reader.stdin_pipe = g_subprocess_get_stdin_pipe (ssh);
  g_input_stream_read_bytes_async (reader.stdout_pipe, READ_SIZE, G_PRIORITY_DEFAULT, NULL,
                                   ssh_read_cb, &reader);
  tether_test_wait_until (echo_is_ready, &echo, STEP_TIMEOUT_MS, "cat on a raw pty");

  /* The master made its socket before it ran the command. */
  shared = g_file_test (control, G_FILE_TEST_EXISTS);
  download.openssh = TRUE;
  download.sftp_argv = sftp_argv (server, shared ? shared_options : second_options, batch);
  download.target_path = target;

  type_keys (&echo, ssh_send, &reader, n_keys, NULL, idle);

  download_start (&download);
  download_wait_under_way (&download);
  type_keys (&echo, ssh_send, &reader, n_keys, &download, busy);
  download_stop (&download);
  g_strfreev (download.sftp_argv);

  download.upload = TRUE;
  download.sftp_argv = sftp_argv (server, shared ? shared_options : second_options, put_batch);
  download.target_path = uploaded;
  download_start (&download);
  download_wait_under_way (&download);
  type_keys (&echo, ssh_send, &reader, n_keys, &download, busy_up);
  *n_runs = download.n_runs;
  download_stop (&download);

  /* A raw pty passes no end of input on to cat: the master is ended as a window would be. */
  g_subprocess_force_exit (ssh);
  tether_test_wait_until (reader_at_eof, &reader, STEP_TIMEOUT_MS, "ssh's end");
  g_subprocess_wait (ssh, NULL, NULL);
  g_unlink (control);
  g_strfreev (download.sftp_argv);
  g_string_free (echo.prelude, TRUE);
  return shared;
}

static void
print_latencies (const char *what,
                 GArray     *latencies)
{
  printf ("  %-44s p50 %6.2f ms, p99 %6.2f ms, max %6.2f ms (%u keystrokes)\n", what,
          percentile (latencies, 0.5), percentile (latencies, 0.99),
          percentile (latencies, 1.0), latencies->len);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TetherTestServer) server = bench_server_new_or_exit ();
  g_autofree char *dir = g_dir_make_tmp ("tether-bench-sftp-echo-XXXXXX", NULL);
  g_autofree char *remote = g_build_filename (dir, "remote.bin", NULL);
  g_autofree char *target = g_build_filename (dir, "downloaded.bin", NULL);
  g_autofree char *batch = g_build_filename (dir, "get.batch", NULL);
  g_autofree char *batch_text = g_strdup_printf ("get %s %s\n", remote, target);
  g_autofree char *up_dir = g_build_filename (dir, "up", NULL);
  g_autofree char *uploaded = g_build_filename (up_dir, UPLOADED_NAME, NULL);
  g_autofree char *put_batch = g_build_filename (dir, "put.batch", NULL);
  g_autofree char *put_text = g_strdup_printf ("put %s %s\n", remote, uploaded);
  const char *size_env = g_getenv ("TETHER_BENCH_ECHO_MB");
  const char *keys_env = g_getenv ("TETHER_BENCH_ECHO_KEYS");
  guint64 size = (guint64) (size_env != NULL ? g_ascii_strtoull (size_env, NULL, 10)
                                             : DEFAULT_MB) << 20;
  guint n_keys = keys_env != NULL ? (guint) g_ascii_strtoull (keys_env, NULL, 10)
                                  : DEFAULT_KEYSTROKES;
  g_autoptr(GArray) tether_idle = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tether_busy = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ssh_idle = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ssh_busy = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) tether_up = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ssh_up = g_array_new (FALSE, FALSE, sizeof (double));
  guint tether_runs = 0;
  guint ssh_runs = 0;
  gboolean shared;
  double tether_p99;
  double ssh_p99;

  g_chmod (dir, 0755);
  chown_to_test_user (dir);
  /* The uploads' folder is the test user's, as the server writes there. */
  if (g_mkdir (up_dir, 0755) != 0)
    g_error ("Could not make %s", up_dir);
  chown_to_test_user (up_dir);
  fill_file (remote, size);
  if (!g_file_set_contents (batch, batch_text, -1, NULL) ||
      !g_file_set_contents (put_batch, put_text, -1, NULL))
    g_error ("Could not write the batch files in %s", dir);

  print_load ("before");
  measure_tether (server, remote, target, uploaded, n_keys, tether_idle, tether_busy, tether_up,
                  &tether_runs);
  shared = measure_openssh (server, dir, batch, put_batch, target, uploaded, n_keys, ssh_idle,
                            ssh_busy, ssh_up, &ssh_runs);
  print_load ("after");

  printf ("keystroke echo on a raw pty (`cat`), %u keystrokes %d ms apart, while %"
          G_GUINT64_FORMAT " MiB downloads, then uploads, run on the same host:\n", n_keys,
          KEYSTROKE_GAP_MS,
          size >> 20);
  print_latencies ("tether, no transfer:", tether_idle);
  print_latencies ("tether, SFTP download on the same connection:", tether_busy);
  print_latencies ("ssh -tt, no transfer:", ssh_idle);
  print_latencies (shared ? "ssh -tt, sftp on its ControlMaster socket:"
                          : "ssh -tt, sftp on a second connection:", ssh_busy);
  print_latencies ("tether, SFTP upload on the same connection:", tether_up);
  print_latencies (shared ? "ssh -tt, sftp put on its ControlMaster socket:"
                          : "ssh -tt, sftp put on a second connection:", ssh_up);
  printf ("  (transfers started during the keystrokes: tether %u, sftp %u)\n", tether_runs,
          ssh_runs);
  tether_p99 = percentile (tether_busy, 0.99);
  ssh_p99 = percentile (ssh_busy, 0.99);
  printf ("echo during a download: tether p99 %.2f ms, ssh p99 %.2f ms (%s), ratio %.2f "
          "(goal p99 <= %.0f ms)%s\n", tether_p99, ssh_p99,
          shared ? "one ControlMaster connection" : "sftp on a second connection",
          tether_p99 / MAX (ssh_p99, 0.01), GOAL_P99_MS,
          tether_p99 <= GOAL_P99_MS ? "" : " MISSED");
  tether_p99 = percentile (tether_up, 0.99);
  ssh_p99 = percentile (ssh_up, 0.99);
  printf ("echo during an upload: tether p99 %.2f ms, ssh p99 %.2f ms, ratio %.2f\n",
          tether_p99, ssh_p99, tether_p99 / MAX (ssh_p99, 0.01));

  g_unlink (remote);
  g_unlink (target);
  g_unlink (batch);
  g_unlink (put_batch);
  g_rmdir (up_dir);
  g_rmdir (dir);
  return 0;
}
