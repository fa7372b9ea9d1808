/* bench-sftp.c: SFTP download and upload, Tether against OpenSSH's `sftp -b`.
 *
 * Both fetch and send one file (1 GiB; TETHER_BENCH_SFTP_MB shortens it) from and to the
 * same test sshd (internal-sftp), as the test user. Rounds are interleaved in rotated order
 * and the figure is the median of per-round ratios (DESIGN.md section 6), once against
 * plain `sftp` and once against `sftp -c <Tether's cipher>` with curve25519 key exchange.
 * `sftp` is timed from its start, so its login (~0.1 s) is counted, while Tether's client is
 * already connected (a transfer still opens its own channel): at 1 GiB that is a few %.
 *
 * Durability: Tether fsyncs a download before its rename, and has the server fsync an upload
 * (fsync@openssh.com) before the rename; `sftp` does neither, and its 1 GiB is still in the
 * page cache when it exits. So two more rows time `sftp`, then an fsync of the file it wrote
 * (the server's file is on this machine too): the same bytes made as durable as Tether's.
 *
 * Then a folder of 2,000 files of 4 KiB each, fetched and sent whole against `sftp -r`
 * (issue 15's goal: at most 0.7x the time); there the figure is the time ratio, where
 * sftp's login weighs more. TETHER_BENCH_SFTP_MB=0 runs only the folders.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bench-common.h"

#define DEFAULT_MB 1024
#define N_ROUNDS 5
#define SFTP_PATH "sftp"
#define STEP_TIMEOUT_MS (60 * 1000)
#define TRANSFER_TIMEOUT_MS (600 * 1000)
#define BYTES_PER_MB 1e6
#define USEC_PER_SEC 1e6
#define FILL_CHUNK (1024 * 1024)
#define N_TREE_FILES 2000
#define TREE_FILE_SIZE 4096

enum {
  CLIENT_TETHER,
  CLIENT_SFTP,
  CLIENT_SFTP_CIPHER,
  CLIENT_SFTP_FSYNC,          /* sftp, then an fsync of its file */
  CLIENT_SFTP_CIPHER_FSYNC,
  N_CLIENTS
};
/* A folder's files are not fsynced by either. */
#define N_TREE_CLIENTS (CLIENT_SFTP_CIPHER + 1)

typedef struct
{
  gboolean upload;
  gboolean tree;              /* a folder of N_TREE_FILES small files, timed in seconds */
  guint64 size;
  TetherSftpClient *client;
  char *remote;               /* the server's file (a download's source) */
  char *local;                /* the upload's source */
  char *target;               /* where each transfer writes */
  char **plain_argv;
  char **cipher_argv;
} Bench;

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

static void
fill_tree (const char *path)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2000);
  guint8 buf[TREE_FILE_SIZE];

  if (g_mkdir (path, 0755) != 0)
    g_error ("Could not make %s", path);
  chown_to_test_user (path);
  for (guint i = 0; i < N_TREE_FILES; i++) {
    g_autofree char *name = g_strdup_printf ("%s/file-%04u", path, i);

    for (gsize j = 0; j < sizeof buf; j++)
      buf[j] = g_rand_int (rand);
    if (!g_file_set_contents (name, (const char *) buf, sizeof buf, NULL))
      g_error ("Could not write %s", name);
    chown_to_test_user (name);
  }
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      remove_tree (child);
    else
      g_unlink (child);
  }
  g_rmdir (path);
}

static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* sftp takes ssh's options but -P for the port. */
static char **
sftp_argv (TetherTestServer   *server,
           const char * const *options,
           const char         *batch)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  const char * const *ssh_args = tether_test_server_get_ssh_args (server);

  g_strv_builder_add_many (argv, SFTP_PATH, "-q", "-r", "-b", batch, NULL);
  if (options != NULL)
    g_strv_builder_addv (argv, (const char **) options);
  for (guint i = 0; ssh_args[i] != NULL; i++)
    g_strv_builder_add (argv, g_str_equal (ssh_args[i], "-p") ? "-P" : ssh_args[i]);
  return g_strv_builder_end (argv);
}

static double
time_tether (Bench *b)
{
  g_autoptr(GFile) file = g_file_new_for_path (b->upload ? b->local : b->target);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  if (b->upload)
    tether_sftp_client_upload_async (b->client, file, b->target, NULL, NULL,
                                     tether_test_store_result, &slot);
  else
    tether_sftp_client_download_async (b->client, b->remote, file, NULL, NULL,
                                       tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, TRANSFER_TIMEOUT_MS, "the Tether transfer");
  if (b->upload)
    ok = tether_sftp_client_upload_finish (b->client, result, &error);
  else
    ok = tether_sftp_client_download_finish (b->client, result, &error);
  if (!ok)
    g_error ("The Tether transfer failed: %s", error->message);
  return (g_get_monotonic_time () - start) / USEC_PER_SEC;
}

static void
exited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* Seconds for `sftp` @argv, and then for an fsync of @sync_path unless NULL. */
static double
time_sftp (char       **argv,
           const char  *sync_path)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gboolean exited = FALSE;
  gint64 start = g_get_monotonic_time ();

  process = g_subprocess_newv ((const char * const *) argv, G_SUBPROCESS_FLAGS_NONE, &error);
  if (process == NULL)
    g_error ("Could not start sftp: %s", error->message);
  g_subprocess_wait_async (process, NULL, exited_cb, &exited);
  tether_test_wait_until (tether_test_flag_is_set, &exited, TRANSFER_TIMEOUT_MS, "sftp");
  if (!g_subprocess_get_successful (process))
    g_error ("sftp failed with status %d", g_subprocess_get_status (process));
  if (sync_path != NULL) {
    int fd = g_open (sync_path, O_RDONLY | O_CLOEXEC, 0);

    if (fd < 0 || fsync (fd) != 0)
      g_error ("Could not fsync %s: %s", sync_path, g_strerror (errno));
    close (fd);
  }
  return (g_get_monotonic_time () - start) / USEC_PER_SEC;
}

static double
sample (guint    client,
        gpointer data)
{
  Bench *b = data;
  double seconds;
  g_autofree char *part = g_strconcat (b->target, ".part", NULL);

  if (b->tree)
    remove_tree (b->target);
  g_unlink (b->target);
  g_unlink (part);
  if (client == CLIENT_TETHER)
    seconds = time_tether (b);
  else
    seconds = time_sftp (client == CLIENT_SFTP || client == CLIENT_SFTP_FSYNC ?
                         b->plain_argv : b->cipher_argv,
                         client >= CLIENT_SFTP_FSYNC ? b->target : NULL);
  if (b->tree) {
    if (count_files (b->target) != N_TREE_FILES)
      g_error ("The folder copy by client %u holds %u files", client,
               count_files (b->target));
    return seconds;
  }
  {
    GStatBuf st;

    if (g_stat (b->target, &st) != 0 || (guint64) st.st_size != b->size)
      g_error ("The transfer by client %u left a wrong file", client);
  }
  return b->size / BYTES_PER_MB / seconds;
}

/* The folder: Tether's seconds over sftp's, so lower is better. */
static void
run_tree (Bench      *b,
          const char *label,
          const char *cipher)
{
  GArray *times[N_TREE_CLIENTS];
  g_autoptr(GArray) plain = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) with_cipher = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *ratios[N_TREE_CLIENTS - 1] = { plain, with_cipher };
  g_autofree char *cipher_label = g_strdup_printf ("%s vs sftp -r -c %s", label, cipher);

  for (guint c = 0; c < N_TREE_CLIENTS; c++)
    times[c] = g_array_new (FALSE, FALSE, sizeof (double));
  bench_interleave (N_ROUNDS, N_TREE_CLIENTS, sample, b, times, ratios);
  printf ("%s: tether %.2f s, sftp -r %.2f s, time ratio %.2f (goal <= 0.70)\n", label,
          bench_median (times[CLIENT_TETHER]), bench_median (times[CLIENT_SFTP]),
          bench_median (plain));
  bench_print_pairs (label, plain);
  printf ("%s: tether %.2f s, sftp %.2f s, time ratio %.2f\n", cipher_label,
          bench_median (times[CLIENT_TETHER]), bench_median (times[CLIENT_SFTP_CIPHER]),
          bench_median (with_cipher));
  bench_print_pairs (cipher_label, with_cipher);
  for (guint c = 0; c < N_TREE_CLIENTS; c++)
    g_array_unref (times[c]);
}

static void
run (Bench      *b,
     const char *label,
     const char *cipher)
{
  GArray *rates[N_CLIENTS];
  g_autoptr(GArray) plain = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) with_cipher = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) plain_fsync = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) cipher_fsync = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *ratios[N_CLIENTS - 1] = { plain, with_cipher, plain_fsync, cipher_fsync };
  g_autofree char *cipher_label = g_strdup_printf ("%s vs sftp -c %s", label, cipher);
  g_autofree char *plain_fsync_label = g_strdup_printf ("%s vs sftp + fsync", label);
  g_autofree char *cipher_fsync_label = g_strdup_printf ("%s vs sftp -c %s + fsync", label,
                                                         cipher);

  for (guint c = 0; c < N_CLIENTS; c++)
    rates[c] = g_array_new (FALSE, FALSE, sizeof (double));
  bench_interleave (N_ROUNDS, N_CLIENTS, sample, b, rates, ratios);
  printf ("%s: tether %.1f MB/s, sftp %.1f MB/s, ratio %.2f\n", label,
          bench_median (rates[CLIENT_TETHER]), bench_median (rates[CLIENT_SFTP]),
          bench_median (plain));
  bench_print_pairs (label, plain);
  printf ("%s: tether %.1f MB/s, sftp %.1f MB/s, ratio %.2f\n", cipher_label,
          bench_median (rates[CLIENT_TETHER]), bench_median (rates[CLIENT_SFTP_CIPHER]),
          bench_median (with_cipher));
  bench_print_pairs (cipher_label, with_cipher);
  printf ("%s (the same durability): tether %.1f MB/s, sftp %.1f MB/s, ratio %.2f\n",
          plain_fsync_label, bench_median (rates[CLIENT_TETHER]),
          bench_median (rates[CLIENT_SFTP_FSYNC]), bench_median (plain_fsync));
  bench_print_pairs (plain_fsync_label, plain_fsync);
  printf ("%s (the same durability): tether %.1f MB/s, sftp %.1f MB/s, ratio %.2f\n",
          cipher_fsync_label, bench_median (rates[CLIENT_TETHER]),
          bench_median (rates[CLIENT_SFTP_CIPHER_FSYNC]), bench_median (cipher_fsync));
  bench_print_pairs (cipher_fsync_label, cipher_fsync);
  for (guint c = 0; c < N_CLIENTS; c++)
    g_array_unref (rates[c]);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TetherTestServer) server = bench_server_new_or_exit ();
  g_autoptr(TetherHost) host = tether_test_server_new_host (server);
  g_autoptr(TetherConnection) connection = bench_connect (host);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tether-bench-sftp-XXXXXX", NULL);
  g_autofree char *down_batch = NULL;
  g_autofree char *up_batch = NULL;
  g_autofree char *cipher_option = NULL;
  g_autofree char *tree_src = NULL;
  g_autofree char *tree_batch = NULL;
  const char *env = g_getenv ("TETHER_BENCH_SFTP_MB");
  const char *cipher = tether_connection_get_cipher (connection);
  const char *plain_options[] = { "-o", "ControlMaster=no", NULL };
  const char *cipher_options[] = { "-o", "ControlMaster=no", "-o",
                                   "KexAlgorithms=curve25519-sha256", "-c", cipher, NULL };
  GAsyncResult *slot = NULL;
  Bench b = { 0 };

  /* Each figure as it comes, even if a timeout kills the run later. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  g_chmod (dir, 0755);
  chown_to_test_user (dir);
  b.size = (guint64) (env != NULL ? g_ascii_strtoull (env, NULL, 10) : DEFAULT_MB) << 20;
  b.remote = g_build_filename (dir, "remote.bin", NULL);
  b.local = g_build_filename (dir, "local.bin", NULL);
  if (b.size > 0) {
    fill_file (b.remote, b.size);
    fill_file (b.local, b.size);
  }

  tether_sftp_client_new_async (connection, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, STEP_TIMEOUT_MS, "the SFTP client");
  b.client = tether_sftp_client_new_finish (result, &error);
  if (b.client == NULL)
    g_error ("No SFTP client: %s", error->message);

  if (b.size == 0)
    goto folders;
  printf ("%u interleaved rounds of %" G_GUINT64_FORMAT " MiB each; median of per-round ratios "
          "(Tether MB/s / sftp MB/s)\n", N_ROUNDS, b.size >> 20);

  b.target = g_build_filename (dir, "downloaded.bin", NULL);
  down_batch = g_build_filename (dir, "down.batch", NULL);
  {
    g_autofree char *text = g_strdup_printf ("get %s %s\n", b.remote, b.target);

    g_file_set_contents (down_batch, text, -1, NULL);
  }
  b.plain_argv = sftp_argv (server, plain_options, down_batch);
  b.cipher_argv = sftp_argv (server, cipher_options, down_batch);
  run (&b, "download", cipher);
  g_unlink (b.target);
  g_clear_pointer (&b.plain_argv, g_strfreev);
  g_clear_pointer (&b.cipher_argv, g_strfreev);
  g_free (b.target);

  b.upload = TRUE;
  b.target = g_build_filename (dir, "uploaded.bin", NULL);
  up_batch = g_build_filename (dir, "up.batch", NULL);
  {
    g_autofree char *text = g_strdup_printf ("put %s %s\n", b.local, b.target);

    g_file_set_contents (up_batch, text, -1, NULL);
  }
  b.plain_argv = sftp_argv (server, plain_options, up_batch);
  b.cipher_argv = sftp_argv (server, cipher_options, up_batch);
  run (&b, "upload", cipher);
  g_unlink (b.target);
  g_clear_pointer (&b.plain_argv, g_strfreev);
  g_clear_pointer (&b.cipher_argv, g_strfreev);
  g_clear_pointer (&b.target, g_free);

folders:
  g_unlink (b.remote);
  g_unlink (b.local);
  printf ("%u interleaved rounds of a folder of %u x %u KiB files; median of per-round time "
          "ratios (Tether s / sftp -r s)\n", N_ROUNDS, N_TREE_FILES, TREE_FILE_SIZE / 1024);
  b.tree = TRUE;
  b.size = (guint64) N_TREE_FILES * TREE_FILE_SIZE;
  tree_src = g_build_filename (dir, "tree", NULL);
  fill_tree (tree_src);
  tree_batch = g_build_filename (dir, "tree.batch", NULL);

  b.upload = FALSE;
  g_free (b.remote);
  b.remote = g_strdup (tree_src);
  b.target = g_build_filename (dir, "tree-down", NULL);
  {
    g_autofree char *text = g_strdup_printf ("get -r %s %s\n", tree_src, b.target);

    g_file_set_contents (tree_batch, text, -1, NULL);
  }
  b.plain_argv = sftp_argv (server, plain_options, tree_batch);
  b.cipher_argv = sftp_argv (server, cipher_options, tree_batch);
  run_tree (&b, "folder get", cipher);
  remove_tree (b.target);
  g_clear_pointer (&b.plain_argv, g_strfreev);
  g_clear_pointer (&b.cipher_argv, g_strfreev);
  g_free (b.target);

  b.upload = TRUE;
  g_free (b.local);
  b.local = g_strdup (tree_src);
  b.target = g_build_filename (dir, "tree-up", NULL);
  {
    g_autofree char *text = g_strdup_printf ("put -r %s %s\n", tree_src, b.target);

    g_file_set_contents (tree_batch, text, -1, NULL);
  }
  b.plain_argv = sftp_argv (server, plain_options, tree_batch);
  b.cipher_argv = sftp_argv (server, cipher_options, tree_batch);
  run_tree (&b, "folder put", cipher);
  remove_tree (b.target);
  remove_tree (tree_src);
  g_unlink (tree_batch);

  tether_sftp_client_close (b.client);
  g_clear_object (&b.client);
  tether_connection_close (connection);
  if (down_batch != NULL)
    g_unlink (down_batch);
  if (up_batch != NULL)
    g_unlink (up_batch);
  g_rmdir (dir);
  g_strfreev (b.plain_argv);
  g_strfreev (b.cipher_argv);
  g_free (b.remote);
  g_free (b.local);
  g_free (b.target);
  return 0;
}
