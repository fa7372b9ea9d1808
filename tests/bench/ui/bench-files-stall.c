/* bench-files-stall.c: how long the main loop stalls while the files tab downloads 1 GiB.
 *
 * The app's window shows a files tab (TetherFilesPage) on the test sshd, in a folder that
 * holds a 1 GiB file (TETHER_BENCH_FILES_MB); the download goes through the page's own
 * transfer path (tether_files_page_download_file: its transfer list, progress row and
 * notifications). Meanwhile a timeout source ticks every few milliseconds and records how
 * late each tick fires, as bench-mainloop-stall.c does: a late tick is a frozen window. The
 * references, in the same run and the same window: the page idle for a few seconds, and the
 * page idle while OpenSSH's `sftp` downloads the same file in a process of its own, so what
 * the machine's load alone does to the ticks is on the line next to Tether's figure.
 *
 * One late tick decides a "longest", and on a virtual machine with two cores a tick can be
 * late for reasons no app controls: the idle window alone misses 8 ms in some runs. So the
 * three phases run in interleaved rounds (TETHER_BENCH_FILES_ROUNDS, default 3), and each
 * long gap is told apart: the main thread's own CPU time in it (the app's work: a slow
 * handler, a big relayout) against its waits (on the X server, a lock, the disk) and its
 * preemptions (other threads had the CPU). A gap with no CPU time and one wait is a thread
 * that slept in poll () and woke late: the scheduler's doing. The goal is judged on the
 * median of the rounds' longest stalls, next to the worst of them and to the most CPU time
 * the app spent between two ticks. */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "config.h"

#include <adwaita.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bench-ui-common.h"
#include "tether-application.h"
#include "tether-files-page.h"
#include "tether-window.h"

/* The lateness probe: a tick this often (as bench-mainloop-stall.c). */
#define TICK_INTERVAL_MS 5
/* Issue 15's goal for the longest stall. */
#define GOAL_STALL_MS 8.0
#define DEFAULT_MB 1024
#define DEFAULT_ROUNDS 3
#define MAX_ROUNDS 20
/* How long the idle reference ticks, each round. */
#define IDLE_MS 4000
#define TRANSFER_TIMEOUT_MS (900 * 1000)
#define FILL_CHUNK (1024 * 1024)
#define SFTP_PATH "sftp"
#define REMOTE_NAME "big.bin"

/* What the main thread did between two ticks: its own CPU time, and how often it gave up
 * its CPU (it waited: on the X server, a lock, the disk) or had it taken (the scheduler ran
 * another thread). A long gap spent on its own CPU is the app's work; one spent waiting or
 * preempted is the machine's. */
typedef struct {
  double cpu_ms;
  long voluntary;
  long involuntary;
} Gap;

typedef struct {
  GArray *lateness_ms;
  gint64 last_tick;
  gint64 started;
  guint tick_id;
  Gap last;                 /* the counters at the last tick */
  Gap worst;                /* the longest gap's share of them */
  double worst_ms;
  double busiest_ms;        /* the most CPU time of the main thread in one gap */
  guint n_over_goal;
} Probe;

/* One phase over all rounds. */
typedef struct {
  GArray *lateness_ms;      /* every tick of every round */
  double longest_ms[MAX_ROUNDS];
  double seconds;
  guint64 bytes;
  guint n_rounds;
  guint n_over_goal;
  double worst_ms;
  Gap worst;
  double busiest_ms;
} Result;

static Gap
gap_now (void)
{
  struct timespec ts;
  struct rusage usage;
  Gap gap = { 0 };

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
    gap.cpu_ms = ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
  if (getrusage (RUSAGE_THREAD, &usage) == 0) {
    gap.voluntary = usage.ru_nvcsw;
    gap.involuntary = usage.ru_nivcsw;
  }
  return gap;
}

static gboolean
tick_cb (gpointer user_data)
{
  Probe *probe = user_data;
  gint64 now = g_get_monotonic_time ();
  double late = (double) (now - probe->last_tick - TICK_INTERVAL_MS * G_TIME_SPAN_MILLISECOND) /
                G_TIME_SPAN_MILLISECOND;
  Gap counters = gap_now ();

  /* GLib schedules from the iteration's start, a hair before the previous tick ran. */
  late = MAX (late, 0.0);
  g_array_append_val (probe->lateness_ms, late);
  if (late > GOAL_STALL_MS)
    probe->n_over_goal++;
  probe->busiest_ms = MAX (probe->busiest_ms, counters.cpu_ms - probe->last.cpu_ms);
  if (late >= probe->worst_ms) {
    probe->worst_ms = late;
    probe->worst.cpu_ms = counters.cpu_ms - probe->last.cpu_ms;
    probe->worst.voluntary = counters.voluntary - probe->last.voluntary;
    probe->worst.involuntary = counters.involuntary - probe->last.involuntary;
  }
  probe->last = counters;
  probe->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static void
probe_start (Probe *probe)
{
  probe->lateness_ms = g_array_new (FALSE, FALSE, sizeof (double));
  probe->started = probe->last_tick = g_get_monotonic_time ();
  probe->last = gap_now ();
  probe->tick_id = g_timeout_add (TICK_INTERVAL_MS, tick_cb, probe);
}

static void
probe_finish (Probe  *probe,
              Result *result,
              guint64 bytes)
{
  g_source_remove (probe->tick_id);
  result->seconds += (double) (g_get_monotonic_time () - probe->started) / G_TIME_SPAN_SECOND;
  result->bytes += bytes;
  g_array_append_vals (result->lateness_ms, probe->lateness_ms->data,
                       probe->lateness_ms->len);
  result->longest_ms[result->n_rounds++] = bench_ui_max (probe->lateness_ms);
  result->n_over_goal += probe->n_over_goal;
  result->busiest_ms = MAX (result->busiest_ms, probe->busiest_ms);
  if (probe->worst_ms >= result->worst_ms) {
    result->worst_ms = probe->worst_ms;
    result->worst = probe->worst;
  }
  g_array_unref (probe->lateness_ms);
}

static double
median_longest (const Result *result)
{
  g_autoptr(GArray) longest = g_array_new (FALSE, FALSE, sizeof (double));

  g_array_append_vals (longest, result->longest_ms, result->n_rounds);
  return bench_ui_percentile (longest, 0.5);
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

/* A host of the test server under an alias of its own, as the UI tests make one. */
static TetherHost *
new_host (TetherTestServer *server)
{
  g_autoptr(TetherHost) template = tether_test_server_new_host (server);
  TetherHost *host = tether_host_new ("files-stall.test");

  tether_host_set_hostname (host, tether_host_get_hostname (template));
  tether_host_set_port (host, tether_host_get_port (template));
  tether_host_set_user (host, tether_host_get_user (template));
  tether_host_set_identity_files (host, tether_host_get_identity_files (template));
  tether_host_set_identities_only (host, TRUE);
  tether_host_set_known_hosts_file (host, tether_host_get_known_hosts_file (template));
  tether_host_set_label (host, "Benchmark");
  return host;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

typedef struct {
  TetherFilesPage *page;
  const char *path;           /* NULL: any folder */
} Shows;

static gboolean
page_shows (gpointer data)
{
  Shows *shows = data;
  const char *path = tether_files_page_get_path (shows->page);

  if (tether_files_page_get_error_message (shows->page) != NULL)
    g_error ("The files tab says: %s", tether_files_page_get_error_message (shows->page));
  return path != NULL && !tether_files_page_get_loading (shows->page) &&
         (shows->path == NULL || g_str_equal (path, shows->path));
}

static gboolean
transfer_ended (gpointer data)
{
  return tether_transfer_get_state (TETHER_TRANSFER (data)) >= TETHER_TRANSFER_STATE_DONE;
}

/* The download through the page, under the probe. */
static void
measure_page (TetherFilesPage *page,
              const char      *target,
              guint64          size,
              Result          *result)
{
  g_autoptr(GFile) file = g_file_new_for_path (target);
  TetherTransfer *transfer;
  Probe probe = { 0 };
  GStatBuf st;

  probe_start (&probe);
  transfer = tether_files_page_download_file (page, REMOTE_NAME, file);
  if (transfer == NULL)
    g_error ("The files tab is not connected");
  tether_test_wait_until (transfer_ended, transfer, TRANSFER_TIMEOUT_MS, "the download");
  probe_finish (&probe, result, size);
  if (tether_transfer_get_state (transfer) != TETHER_TRANSFER_STATE_DONE)
    g_error ("The download failed: %s", tether_transfer_get_error (transfer) != NULL ?
             tether_transfer_get_error (transfer)->message : "cancelled");
  if (g_stat (target, &st) != 0 || (guint64) st.st_size != size)
    g_error ("The download left a wrong file");
  g_unlink (target);
}

static void
exited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

/* The same file by OpenSSH's sftp in its own process, the window idle under the probe. */
static void
measure_sftp (TetherTestServer *server,
              const char       *batch,
              const char       *target,
              guint64           size,
              Result           *result)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char * const *ssh_args = tether_test_server_get_ssh_args (server);
  g_auto(GStrv) argv = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gboolean exited = FALSE;
  Probe probe = { 0 };

  /* sftp takes ssh's options but -P for the port. */
  g_strv_builder_add_many (builder, SFTP_PATH, "-q", "-b", batch, NULL);
  for (guint i = 0; ssh_args[i] != NULL; i++)
    g_strv_builder_add (builder, g_str_equal (ssh_args[i], "-p") ? "-P" : ssh_args[i]);
  argv = g_strv_builder_end (builder);

  probe_start (&probe);
  process = g_subprocess_newv ((const char * const *) argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                               &error);
  if (process == NULL)
    g_error ("Could not start sftp: %s", error->message);
  g_subprocess_wait_async (process, NULL, exited_cb, &exited);
  tether_test_wait_until (tether_test_flag_is_set, &exited, TRANSFER_TIMEOUT_MS, "sftp");
  probe_finish (&probe, result, size);
  if (!g_subprocess_get_successful (process))
    g_error ("sftp failed with status %d", g_subprocess_get_status (process));
  g_unlink (target);
}

static void
measure_idle (Result *result)
{
  Probe probe = { 0 };
  gboolean over = FALSE;

  probe_start (&probe);
  g_timeout_add (IDLE_MS, tether_test_set_flag, &over);
  tether_test_wait_until (tether_test_flag_is_set, &over, IDLE_MS * 10, "the idle time");
  probe_finish (&probe, result, 0);
}

static void
print_result (const char   *what,
              const Result *result)
{
  printf ("main-loop stall, %-38s longest %5.1f ms (median of rounds %5.1f), p99 %5.1f ms; "
          "%u of %u ticks over %.0f ms; %.1f s", what, result->worst_ms,
          median_longest (result), bench_ui_percentile (result->lateness_ms, 0.99),
          result->n_over_goal, result->lateness_ms->len, GOAL_STALL_MS, result->seconds);
  if (result->bytes > 0)
    printf (" for %" G_GUINT64_FORMAT " MiB (%.0f MB/s)", result->bytes >> 20,
            result->bytes / 1e6 / result->seconds);
  printf ("\n  rounds' longest:");
  for (guint i = 0; i < result->n_rounds; i++)
    printf (" %.1f", result->longest_ms[i]);
  printf (" ms; the longest gap: %.1f ms of the main thread's CPU, %ld waits, %ld preemptions; "
          "the most CPU in one gap: %.1f ms\n", result->worst.cpu_ms, result->worst.voluntary,
          result->worst.involuntary, result->busiest_ms);
}

static void
result_init (Result *result)
{
  result->lateness_ms = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
result_clear (Result *result)
{
  g_array_unref (result->lateness_ms);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TetherTestServer) server = NULL;
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *local_dir = NULL;
  g_autofree char *target = NULL;
  g_autofree char *batch = NULL;
  g_autofree char *batch_text = NULL;
  const char *size_env = g_getenv ("TETHER_BENCH_FILES_MB");
  const char *rounds_env = g_getenv ("TETHER_BENCH_FILES_ROUNDS");
  guint n_rounds = rounds_env != NULL ? CLAMP (g_ascii_strtoull (rounds_env, NULL, 10), 1,
                                               MAX_ROUNDS) : DEFAULT_ROUNDS;
  guint64 size = (guint64) (size_env != NULL ? g_ascii_strtoull (size_env, NULL, 10)
                                             : DEFAULT_MB) << 20;
  TetherWindow *window;
  TetherFilesPage *page;
  AdwTabPage *tab;
  Shows shows = { 0 };
  Result page_result = { 0 };
  Result sftp_result = { 0 };
  Result idle_result = { 0 };

  gtk_init ();
  adw_init ();

  server = bench_server_new_or_exit ();
  host = new_host (server);

  /* The server's folder, of its test user, on this machine's file system. */
  dir = g_dir_make_tmp ("tether-bench-files-XXXXXX", NULL);
  g_chmod (dir, 0755);
  chown_to_test_user (dir);
  remote = g_build_filename (dir, REMOTE_NAME, NULL);
  fill_file (remote, size);
  local_dir = g_dir_make_tmp ("tether-bench-files-local-XXXXXX", NULL);
  target = g_build_filename (local_dir, "downloaded.bin", NULL);
  batch = g_build_filename (local_dir, "get.batch", NULL);
  batch_text = g_strdup_printf ("get %s %s\n", remote, target);
  if (!g_file_set_contents (batch, batch_text, -1, NULL))
    g_error ("Could not write %s", batch);

  /* The app as the UI tests run it: registered, not unique. */
  app = tether_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) |
                           G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("Could not register the application: %s", error->message);
  window = tether_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), BENCH_WINDOW_WIDTH, BENCH_WINDOW_HEIGHT);
  gtk_window_present (GTK_WINDOW (window));
  tether_test_wait_until (is_mapped, window, BENCH_STEP_TIMEOUT_MS, "the window");

  tab = tether_window_open_files (window, host);
  page = TETHER_FILES_PAGE (adw_tab_page_get_child (tab));
  shows.page = page;
  tether_test_wait_until (page_shows, &shows, BENCH_STEP_TIMEOUT_MS, "the home folder");
  tether_files_page_navigate (page, dir);
  shows.path = dir;
  tether_test_wait_until (page_shows, &shows, BENCH_STEP_TIMEOUT_MS, "the test folder");
  bench_ui_settle ();

  result_init (&idle_result);
  result_init (&page_result);
  result_init (&sftp_result);
  bench_ui_print_load ("before");
  for (guint round = 0; round < n_rounds; round++) {
    measure_idle (&idle_result);
    measure_page (page, target, size, &page_result);
    bench_ui_settle ();
    measure_sftp (server, batch, target, size, &sftp_result);
    bench_ui_settle ();
  }
  bench_ui_print_load ("after");

  print_result ("files tab idle:", &idle_result);
  print_result ("files tab downloading (tether):", &page_result);
  print_result ("files tab idle, sftp downloading:", &sftp_result);
  {
    double tether = median_longest (&page_result);
    double sftp = median_longest (&sftp_result);
    double tether_p99 = bench_ui_percentile (page_result.lateness_ms, 0.99);
    double sftp_p99 = bench_ui_percentile (sftp_result.lateness_ms, 0.99);

    printf ("tether longest stall %.1f ms (median of %u rounds; worst %.1f), p99 %.1f ms; "
            "while sftp downloads %.1f ms (worst %.1f), p99 %.1f ms, ratio %.2f (p99 %.2f); "
            "idle %.1f ms (worst %.1f); the app's most CPU between two ticks %.1f ms "
            "(goal <= %.0f ms)%s\n", tether, n_rounds, page_result.worst_ms, tether_p99, sftp,
            sftp_result.worst_ms, sftp_p99, tether / MAX (sftp, 0.1),
            tether_p99 / MAX (sftp_p99, 0.1), median_longest (&idle_result),
            idle_result.worst_ms, page_result.busiest_ms, GOAL_STALL_MS,
            tether <= GOAL_STALL_MS ? "" : " MISSED");
  }
  result_clear (&idle_result);
  result_clear (&page_result);
  result_clear (&sftp_result);

  gtk_window_destroy (GTK_WINDOW (window));
  bench_ui_settle ();
  tether_host_session_close (tether_session_manager_lookup_or_create (
    tether_application_get_session_manager (app), host));
  g_unlink (remote);
  g_unlink (batch);
  g_rmdir (dir);
  g_rmdir (local_dir);
  return 0;
}
