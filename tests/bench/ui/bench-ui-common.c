/* bench-ui-common.c: helpers of the UI benchmarks (see bench-ui-common.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-ui-common.h"

/* How long the main context must have had nothing to do before a figure is read. */
#define SETTLE_QUIET_MS 200
#define SETTLE_MAX_MS 5000

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

/* The nearest-rank percentile: the smallest value at least @fraction of them do not exceed. */
double
bench_ui_percentile (GArray *values,
                     double  fraction)
{
  g_autoptr(GArray) sorted = bench_sorted (values);
  guint rank;

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
