/* bench-sftp-wan.c: SFTP download and upload over a 50 ms round trip, Tether against
 * OpenSSH's `sftp -b`.
 *
 * The server is the private sshd of the shared WAN kit (sshd.sh, found through
 * TETHER_BENCH_WAN_SSHD or next to the source tree as ../shared/wan/sshd.sh): it runs in a
 * network namespace behind a router that delays every packet 25 ms each way. Both clients
 * fetch and send one 256 MiB file (TETHER_BENCH_WAN_MB changes it) as root, in interleaved
 * rounds of rotated order; the figure is the median of per-round ratios (DESIGN.md
 * section 6), against plain `sftp` and against `sftp -c <Tether's cipher>` with curve25519
 * key exchange. OpenSSH's `sftp` keeps 64 requests of 32 KiB in flight, so at 50 ms it is
 * capped near 32 MB/s whatever the link does; the goal is 1.4 times that. `sftp` is timed
 * from its start, so its login (~0.9 s at this delay) is counted, while Tether's client is
 * already connected (a transfer still opens its own channel, one round trip or two): the
 * ratio says so on its own line without the login. With sshd.sh's variables already in the
 * environment (BENCH_SSHD_DIR and the rest, from `eval "$(sshd.sh start ...)"`) it uses
 * that server instead and leaves it running.
 */
#include "config.h"

#include <fcntl.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bench-common.h"

#define DEFAULT_MB 256
#define DEFAULT_ROUNDS 5
/* sshd.sh's one-way delay: a 50 ms round trip. */
#define ONE_WAY_DELAY_MS "25"
/* Issue 15's goal against OpenSSH's sftp at this delay. */
#define GOAL_RATIO 1.4
#define SFTP_PATH "sftp"
#define WAN_SCRIPT_ENV "TETHER_BENCH_WAN_SSHD"
#define WAN_SCRIPT_RELATIVE "shared/wan/sshd.sh"
#define STEP_TIMEOUT_MS (60 * 1000)
#define TRANSFER_TIMEOUT_MS (600 * 1000)
#define BYTES_PER_MB 1e6
#define USEC_PER_SEC 1e6
#define FILL_CHUNK (1024 * 1024)

enum {
  CLIENT_TETHER,
  CLIENT_SFTP,
  CLIENT_SFTP_CIPHER,
  N_CLIENTS
};

typedef struct
{
  gboolean upload;
  guint64 size;
  TetherSftpClient *client;
  char *remote;               /* the server's file (a download's source) */
  char *local;                /* the upload's source */
  char *target;               /* where each transfer writes */
  char **plain_argv;
  char **cipher_argv;
  GArray *logins;             /* seconds sftp spent logging in (`sftp -b /dev/null`) */
} Bench;

/* The WAN server: started here (and stopped at exit), or found in the environment. */
static char *wan_script;
static char *wan_dir;
static gboolean wan_started_here;
static GHashTable *wan_env;

static void
wan_stop (void)
{
  const char *argv[] = { NULL, "stop", NULL, NULL };

  if (!wan_started_here || wan_dir == NULL)
    return;
  argv[0] = wan_script;
  argv[2] = wan_dir;
  wan_started_here = FALSE;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, NULL,
                NULL);
}

/* Failures stop the server first: g_error () would leave its namespaces behind. */
static void G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN
fail (const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  wan_stop ();
  exit (EXIT_FAILURE);
}

static void G_GNUC_NORETURN
skip (const char *why)
{
  printf ("skipped: %s\n", why);
  exit (BENCH_EXIT_SKIP);
}

/* meson's timeout sends SIGTERM: the namespaces go too. */
static gboolean
terminated_cb (gpointer data)
{
  fail ("Interrupted");
}

static const char *
wan_get (const char *name)
{
  const char *value = wan_env != NULL ? g_hash_table_lookup (wan_env, name) : g_getenv (name);

  if (value == NULL || *value == '\0')
    fail ("sshd.sh did not say %s", name);
  return value;
}

static char *
find_wan_script (void)
{
  const char *env = g_getenv (WAN_SCRIPT_ENV);
  /* The main checkout sits next to shared/, a helper's worktree one level further down. */
  const char *parents[] = { "..", "../..", NULL };

  if (env != NULL && *env != '\0')
    return g_file_test (env, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (env) : NULL;
  for (guint i = 0; parents[i] != NULL; i++) {
    g_autofree char *path = g_build_filename (BENCH_SOURCE_ROOT, parents[i],
                                              WAN_SCRIPT_RELATIVE, NULL);

    if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
      return g_canonicalize_filename (path, NULL);
  }
  return NULL;
}

/* sshd.sh start prints "export NAME=VALUE" lines, VALUE quoted for the shell. */
static void
parse_wan_env (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  wan_env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; lines[i] != NULL; i++) {
    const char *line = lines[i];
    const char *equals;
    char *value;

    if (!g_str_has_prefix (line, "export "))
      continue;
    line += strlen ("export ");
    equals = strchr (line, '=');
    if (equals == NULL)
      continue;
    value = equals[1] != '\0' ? g_shell_unquote (equals + 1, NULL) : g_strdup ("");
    if (value != NULL)
      g_hash_table_insert (wan_env, g_strndup (line, equals - line), value);
  }
}

static void
wan_start (void)
{
  const char *argv[] = { NULL, "start", "--netns", "--delay-ms", ONE_WAY_DELAY_MS, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (g_getenv ("BENCH_SSHD_DIR") != NULL && g_getenv ("BENCH_SSHD_HOST") != NULL) {
    wan_dir = g_strdup (g_getenv ("BENCH_SSHD_DIR"));
    return;
  }
  wan_script = find_wan_script ();
  if (wan_script == NULL)
    skip ("no WAN server kit: set " WAN_SCRIPT_ENV " to sshd.sh, or put it in ../"
          WAN_SCRIPT_RELATIVE " next to the source tree");
  if (geteuid () != 0)
    skip ("the WAN server (network namespaces, a delaying router) needs root");

  argv[0] = wan_script;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                     &status, &error))
    skip (error->message);
  parse_wan_env (out);
  if (g_hash_table_lookup (wan_env, "BENCH_SSHD_DIR") != NULL)
    wan_dir = g_strdup (g_hash_table_lookup (wan_env, "BENCH_SSHD_DIR"));
  if (!g_spawn_check_wait_status (status, NULL)) {
    g_autofree char *why = g_strdup_printf ("the WAN server did not start: %s",
                                            g_strstrip (err));

    /* It cleans up after itself when it fails. */
    skip (why);
  }
  wan_started_here = TRUE;
  g_unix_signal_add (SIGTERM, terminated_cb, NULL);
  g_unix_signal_add (SIGINT, terminated_cb, NULL);
}

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

static void
fill_file (const char *path,
           guint64     size)
{
  g_autofree guint8 *buf = g_malloc (FILL_CHUNK);
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  int fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

  if (fd < 0)
    fail ("Could not write %s", path);
  for (gsize i = 0; i < FILL_CHUNK; i++)
    buf[i] = g_rand_int (rand);
  while (size > 0) {
    gsize n = MIN (size, FILL_CHUNK);

    if (write (fd, buf, n) != (gssize) n)
      fail ("Could not write %s", path);
    size -= n;
  }
  close (fd);
}

static TetherHost *
wan_host (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *destination = g_strdup_printf ("root@%s:%s", wan_get ("BENCH_SSHD_HOST"),
                                                  wan_get ("BENCH_SSHD_PORT"));
  const char *keys[] = { wan_get ("BENCH_SSH_KEY"), NULL };
  TetherHost *host = tether_host_new_for_destination (destination, &error);

  if (host == NULL)
    fail ("No host for %s: %s", destination, error->message);
  tether_host_set_identity_files (host, keys);
  tether_host_set_identities_only (host, TRUE);
  tether_host_set_known_hosts_file (host, wan_get ("BENCH_KNOWN_HOSTS"));
  return host;
}

static TetherConnection *
wan_connect (TetherHost *host)
{
  g_autoptr(TetherConnection) connection = tether_connection_new (host);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  tether_connection_connect_async (connection, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, STEP_TIMEOUT_MS, "the connection");
  if (!tether_connection_connect_finish (connection, result, &error))
    fail ("Could not connect: %s", error->message);
  return g_steal_pointer (&connection);
}

/* sftp -F <sshd.sh's ssh_config> [@options] bench, which has everything else. */
static char **
sftp_argv (const char * const *options,
           const char         *batch)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();

  g_strv_builder_add_many (argv, SFTP_PATH, "-q", "-b", batch,
                           "-F", wan_get ("BENCH_SSH_CONFIG"), NULL);
  if (options != NULL)
    g_strv_builder_addv (argv, (const char **) options);
  g_strv_builder_add (argv, "bench");
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
    fail ("The Tether transfer failed: %s", error->message);
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

static double
time_sftp (char **argv)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gboolean exited = FALSE;
  gint64 start = g_get_monotonic_time ();

  process = g_subprocess_newv ((const char * const *) argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                               &error);
  if (process == NULL)
    fail ("Could not start sftp: %s", error->message);
  g_subprocess_wait_async (process, NULL, exited_cb, &exited);
  tether_test_wait_until (tether_test_flag_is_set, &exited, TRANSFER_TIMEOUT_MS, "sftp");
  if (!g_subprocess_get_successful (process))
    fail ("sftp failed with status %d", g_subprocess_get_status (process));
  return (g_get_monotonic_time () - start) / USEC_PER_SEC;
}

static double
sample (guint    client,
        gpointer data)
{
  Bench *b = data;
  double seconds;
  g_autofree char *part = g_strconcat (b->target, ".part", NULL);
  GStatBuf st;

  g_unlink (b->target);
  g_unlink (part);
  if (client == CLIENT_TETHER)
    seconds = time_tether (b);
  else
    seconds = time_sftp (client == CLIENT_SFTP ? b->plain_argv : b->cipher_argv);
  if (g_stat (b->target, &st) != 0 || (guint64) st.st_size != b->size)
    fail ("The transfer by client %u left a wrong file", client);
  return b->size / BYTES_PER_MB / seconds;
}

static void
run (Bench      *b,
     guint       n_rounds,
     const char *label,
     const char *cipher)
{
  GArray *rates[N_CLIENTS];
  g_autoptr(GArray) plain = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) with_cipher = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *ratios[N_CLIENTS - 1] = { plain, with_cipher };
  g_autofree char *cipher_label = g_strdup_printf ("%s vs sftp -c %s", label, cipher);
  double tether;
  double sftp;
  double login = bench_median (b->logins);
  double sftp_no_login;

  for (guint c = 0; c < N_CLIENTS; c++)
    rates[c] = g_array_new (FALSE, FALSE, sizeof (double));
  bench_interleave (n_rounds, N_CLIENTS, sample, b, rates, ratios);
  tether = bench_median (rates[CLIENT_TETHER]);
  sftp = bench_median (rates[CLIENT_SFTP]);
  /* The same bytes in the time left once sftp's median login is taken off. */
  sftp_no_login = b->size / BYTES_PER_MB / (b->size / BYTES_PER_MB / sftp - login);
  printf ("%s at 50 ms RTT: tether %.1f MB/s, sftp %.1f MB/s, ratio %.2f (goal >= %.1f)%s\n",
          label, tether, sftp, bench_median (plain), GOAL_RATIO,
          bench_median (plain) >= GOAL_RATIO ? "" : " MISSED");
  bench_print_pairs (label, plain);
  printf ("%s: tether %.1f MB/s, sftp %.1f MB/s, ratio %.2f\n", cipher_label, tether,
          bench_median (rates[CLIENT_SFTP_CIPHER]), bench_median (with_cipher));
  bench_print_pairs (cipher_label, with_cipher);
  printf ("%s without sftp's login (%.2f s): sftp %.1f MB/s, ratio %.2f\n", label, login,
          sftp_no_login, tether / sftp_no_login);
  for (guint c = 0; c < N_CLIENTS; c++)
    g_array_unref (rates[c]);
}

/* What a login costs `sftp` here: an empty batch, timed as the transfers are. */
static void
time_logins (Bench *b)
{
  const char *options[] = { NULL };
  g_auto(GStrv) argv = sftp_argv (options, "/dev/null");

  for (guint i = 0; i < 3; i++) {
    double seconds = time_sftp (argv);

    g_array_append_val (b->logins, seconds);
  }
}

static void
write_batch (const char *path,
             const char *command,
             const char *from,
             const char *to)
{
  g_autofree char *text = g_strdup_printf ("%s %s %s\n", command, from, to);

  if (!g_file_set_contents (path, text, -1, NULL))
    fail ("Could not write %s", path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *down_batch = NULL;
  g_autofree char *up_batch = NULL;
  const char *size_env = g_getenv ("TETHER_BENCH_WAN_MB");
  const char *rounds_env = g_getenv ("TETHER_BENCH_WAN_ROUNDS");
  guint n_rounds = rounds_env != NULL ? (guint) g_ascii_strtoull (rounds_env, NULL, 10)
                                      : DEFAULT_ROUNDS;
  const char *cipher;
  const char *cipher_options[] = { "-o", "KexAlgorithms=curve25519-sha256", "-c", NULL, NULL };
  GAsyncResult *slot = NULL;
  Bench b = { 0 };

  wan_start ();
  atexit (wan_stop);
  if (wan_env == NULL)
    printf ("WAN server from the environment: %s\n", wan_dir);
  else
    printf ("WAN server %s:%s, delay by %s, measured RTT %s ms\n", wan_get ("BENCH_SSHD_HOST"),
            wan_get ("BENCH_SSHD_PORT"), wan_get ("BENCH_DELAY_METHOD"),
            wan_get ("BENCH_RTT_MS"));
  print_load ("before");

  host = wan_host ();
  connection = wan_connect (host);
  cipher = tether_connection_get_cipher (connection);
  cipher_options[3] = cipher;

  /* The server shares this file system: its files are made here, as root, its login user. */
  dir = g_dir_make_tmp ("tether-bench-sftp-wan-XXXXXX", NULL);
  b.size = (guint64) (size_env != NULL ? g_ascii_strtoull (size_env, NULL, 10) : DEFAULT_MB)
           << 20;
  b.remote = g_build_filename (dir, "remote.bin", NULL);
  b.local = g_build_filename (dir, "local.bin", NULL);
  b.logins = g_array_new (FALSE, FALSE, sizeof (double));
  fill_file (b.remote, b.size);
  fill_file (b.local, b.size);

  tether_sftp_client_new_async (connection, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, STEP_TIMEOUT_MS, "the SFTP client");
  b.client = tether_sftp_client_new_finish (result, &error);
  if (b.client == NULL)
    fail ("No SFTP client: %s", error->message);

  time_logins (&b);
  printf ("%u interleaved rounds of %" G_GUINT64_FORMAT " MiB each; median of per-round "
          "ratios (Tether MB/s / sftp MB/s); Tether's cipher %s; sftp's login %.2f s\n",
          n_rounds, b.size >> 20, cipher, bench_median (b.logins));

  b.target = g_build_filename (dir, "downloaded.bin", NULL);
  down_batch = g_build_filename (dir, "down.batch", NULL);
  write_batch (down_batch, "get", b.remote, b.target);
  b.plain_argv = sftp_argv (NULL, down_batch);
  b.cipher_argv = sftp_argv (cipher_options, down_batch);
  run (&b, n_rounds, "download", cipher);
  g_unlink (b.target);
  g_clear_pointer (&b.plain_argv, g_strfreev);
  g_clear_pointer (&b.cipher_argv, g_strfreev);
  g_free (b.target);

  b.upload = TRUE;
  b.target = g_build_filename (dir, "uploaded.bin", NULL);
  up_batch = g_build_filename (dir, "up.batch", NULL);
  write_batch (up_batch, "put", b.local, b.target);
  b.plain_argv = sftp_argv (NULL, up_batch);
  b.cipher_argv = sftp_argv (cipher_options, up_batch);
  run (&b, n_rounds, "upload", cipher);
  g_unlink (b.target);
  print_load ("after");

  tether_sftp_client_close (b.client);
  g_clear_object (&b.client);
  tether_connection_close (connection);
  g_unlink (b.remote);
  g_unlink (b.local);
  g_unlink (down_batch);
  g_unlink (up_batch);
  g_rmdir (dir);
  g_strfreev (b.plain_argv);
  g_strfreev (b.cipher_argv);
  g_array_unref (b.logins);
  g_free (b.remote);
  g_free (b.local);
  g_free (b.target);
  g_clear_pointer (&wan_env, g_hash_table_unref);
  return 0;
}
