/* fuzz-driver.c: runs a libFuzzer target over files, for compilers without libFuzzer.
 *
 * Each argument is a file or a directory of files (searched recursively, in
 * name order). Every file is fed whole and then cut at each newline, so that
 * truncated input is exercised too. With no argument the empty input runs.
 * This keeps every fuzz target built and run by `meson test`.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static guint n_inputs;

static void
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);

  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  n_inputs++;
  for (const char *nl = memchr (contents, '\n', length); nl != NULL;
       nl = memchr (nl + 1, '\n', length - (nl + 1 - contents)))
    {
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, nl - contents);
      n_inputs++;
    }
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
run_path (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      run_file (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    g_error ("cannot open %s", path);
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    run_path (g_ptr_array_index (names, i));
}

int
main (int   argc,
      char *argv[])
{
  if (argc < 2)
    {
      LLVMFuzzerTestOneInput ((const uint8_t *) "", 0);
      n_inputs++;
    }
  for (int i = 1; i < argc; i++)
    run_path (argv[i]);
  g_print ("ran %u inputs\n", n_inputs);
  return 0;
}
