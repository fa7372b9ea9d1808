/* bench-ui-common.c: helpers of the UI benchmarks (see bench-ui-common.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-ui-common.h"

#define SSH_PATH "/usr/bin/ssh"

/* How long the main context must have had nothing to do before a figure is read. */
#define SETTLE_QUIET_MS 200
#define SETTLE_MAX_MS 5000

/* Starts an OpenSSH test server, or exits with meson's "skipped" status when it cannot. */
TetherTestServer *
bench_ui_server_new_or_exit (void)
{
  g_autoptr(GError) error = NULL;
  TetherTestServer *server = tether_test_server_new (TETHER_TEST_SERVER_OPENSSH, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED)) {
    printf ("skipped: %s\n", error->message);
    exit (BENCH_EXIT_SKIP);
  }
  if (server == NULL)
    g_error ("Could not start the test server: %s", error->message);

  return server;
}

/* The server's login user, its key and its known_hosts file, as tests/ui does it. */
TetherHost *
bench_ui_host_for_server (TetherTestServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *destination = g_strdup_printf ("%s@%s:%u",
                                                  tether_test_server_get_user (server),
                                                  tether_test_server_get_host (server),
                                                  tether_test_server_get_port (server));
  const char *keys[] = { tether_test_server_get_key (server), NULL };
  TetherHost *host = tether_host_new_for_destination (destination, &error);

  if (host == NULL)
    g_error ("%s", error->message);
  tether_host_set_identity_files (host, keys);
  tether_host_set_identities_only (host, TRUE);
  tether_host_set_known_hosts_file (host, tether_test_server_get_known_hosts (server));
  tether_host_set_label (host, "Benchmark");

  return host;
}

/* ssh @options <the server's arguments>: an interactive login when @options has -tt. */
char **
bench_ui_ssh_argv (TetherTestServer   *server,
                   const char * const *options)
{
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();

  g_strv_builder_add (argv, SSH_PATH);
  if (options != NULL)
    g_strv_builder_addv (argv, (const char **) options);
  g_strv_builder_addv (argv, (const char **) tether_test_server_get_ssh_args (server));

  return g_strv_builder_end (argv);
}

static gboolean
set_flag_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default main context until @cond holds; a timeout aborts the benchmark. */
void
bench_ui_wait_until (BenchUiCondition  cond,
                     gpointer          data,
                     guint             timeout_ms,
                     const char       *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, set_flag_cb, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out after %u ms waiting for %s", timeout_ms, what);
  g_source_remove (id);
}

gboolean
bench_ui_screen_contains (VteTerminal *terminal,
                          const char  *needle)
{
  g_autofree char *text = vte_terminal_get_text (terminal, NULL, NULL, NULL);

  return text != NULL && strstr (text, needle) != NULL;
}

/* The test user's shell is /bin/sh (dash): its prompt is "$ ", the last thing it prints. */
gboolean
bench_ui_text_shows_prompt (const char *text)
{
  g_autofree char *copy = NULL;

  if (text == NULL)
    return FALSE;
  copy = g_strstrip (g_strdup (text));

  return g_str_has_suffix (copy, "$") || g_str_has_suffix (copy, "#");
}

gboolean
bench_ui_screen_shows_prompt (VteTerminal *terminal)
{
  g_autofree char *text = vte_terminal_get_text (terminal, NULL, NULL, NULL);

  return bench_ui_text_shows_prompt (text);
}

static gboolean
quiet_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets pending work (redraws, VTE's processing, frees in idles) finish before a figure is
 * read: returns once the main context has been idle for a while, or after a bound. */
void
bench_ui_settle (void)
{
  gint64 deadline = g_get_monotonic_time () + SETTLE_MAX_MS * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < deadline) {
    gboolean quiet = FALSE;
    gboolean busy = FALSE;

    g_timeout_add_full (G_PRIORITY_LOW, SETTLE_QUIET_MS, quiet_cb, &quiet, NULL);

    /* A low-priority timeout that fires without anything else dispatched in between means
     * the context was quiet. */
    while (!quiet) {
      g_main_context_iteration (NULL, TRUE);
      if (!quiet)
        busy = TRUE;
    }
    if (!busy)
      return;
  }
}

/* Resident set size of /proc/@pid ("self" for this process), in bytes, from "status" so that
 * the same reading serves this process and a child. */
static gsize
read_kib_field (const char *path,
                const char *field)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    g_error ("Cannot read %s: %s", path, error->message);
  line = strstr (contents, field);
  if (line == NULL)
    g_error ("No %s in %s", field, path);

  return (gsize) g_ascii_strtoull (line + strlen (field), NULL, 10) * 1024;
}

gsize
bench_ui_read_rss (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);

  return read_kib_field (path, "VmRSS:");
}

/* Proportional set size: shared library pages divided among the processes that map them. */
gsize
bench_ui_read_pss (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/smaps_rollup", pid);

  return read_kib_field (path, "\nPss:");
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The nearest-rank percentile: the smallest value at least @fraction of them do not exceed. */
double
bench_ui_percentile (GArray *values,
                     double  fraction)
{
  g_autoptr(GArray) sorted = g_array_copy (values);
  guint rank;

  g_assert (sorted->len > 0);
  g_array_sort (sorted, compare_doubles);
  rank = (guint) (fraction * sorted->len + 0.999999);
  rank = CLAMP (rank, 1, sorted->len);

  return g_array_index (sorted, double, rank - 1);
}

double
bench_ui_max (GArray *values)
{
  double max = 0;

  for (guint i = 0; i < values->len; i++)
    max = MAX (max, g_array_index (values, double, i));

  return max;
}

/* Other work on the machine shows up as stalls and slow starts: say how busy it was. */
void
bench_ui_print_load (const char *when)
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
