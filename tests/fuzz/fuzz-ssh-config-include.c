/* fuzz-ssh-config-include.c: libFuzzer target for Include following.
 *
 * The input is a small tree of files served from memory through the
 * configuration's reader: the text up to the first line `=== PATH` is
 * /fuzz/.ssh/config, and each `=== PATH` line starts the file PATH (a PATH
 * ending in `/` is a folder). HOME is /fuzz, so relative Include paths land
 * under /fuzz/.ssh as they would under ~/.ssh. The tree is loaded strictly and
 * leniently and its hosts resolved, so that globs, loops, depth, folders and
 * errors inside included files all see hostile input. No real file is read.
 */
#include "config.h"

#include <fnmatch.h>
#include <stdint.h>
#include <string.h>

#include "tether.h"
#include "tether-ssh-config-private.h"

/* Bounds the per-input work: every file may include every other, and the
 * number of include paths grows with the factorial of the number of files. */
#define FUZZ_MAX_FILES 6
#define FUZZ_MAX_HOSTS 8
#define FUZZ_HOME "/fuzz"
#define FUZZ_TOP FUZZ_HOME "/.ssh/config"
#define FILE_MARK "=== "

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
  char *path;
  gboolean folder;
  const char *data;
  gsize length;
} FuzzFile;

static void
fuzz_file_clear (gpointer data)
{
  g_free (((FuzzFile *) data)->path);
}

static char **
tree_glob (const char  *pattern,
           gpointer     user_data,
           GError     **error)
{
  GArray *files = user_data;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < files->len; i++)
    {
      FuzzFile *f = &g_array_index (files, FuzzFile, i);

      if (fnmatch (pattern, f->path, FNM_PATHNAME | FNM_PERIOD) == 0)
        g_ptr_array_add (paths, f->path);
    }
  /* glob (3) sorts its matches. */
  g_ptr_array_sort (paths, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < paths->len; i++)
    {
      const char * const *a = (const char * const *) &paths->pdata[i];

      if (i == 0 || strcmp (*a, paths->pdata[i - 1]) != 0)
        g_strv_builder_add (builder, *a);
    }
  return g_strv_builder_end (builder);
}

static gboolean
tree_read (const char  *path,
           char       **contents,
           gsize       *length,
           gpointer     user_data,
           GError     **error)
{
  GArray *files = user_data;

  /* The first file of that name wins, as a file system holds one. */
  for (guint i = 0; i < files->len; i++)
    {
      FuzzFile *f = &g_array_index (files, FuzzFile, i);

      if (strcmp (f->path, path) != 0)
        continue;
      if (f->folder)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, "%s is a folder", path);
          return FALSE;
        }
      *contents = g_malloc (f->length + 1);
      memcpy (*contents, f->data, f->length);
      (*contents)[f->length] = '\0';
      *length = f->length;
      return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s does not exist", path);
  return FALSE;
}

static char *
tree_real_path (const char *path,
                gpointer    user_data)
{
  return g_canonicalize_filename (path, "/");
}

static const TetherSshConfigReader tree_reader = { tree_glob, tree_read, tree_real_path };

/* Cuts the input into files; FALSE when it holds too many. */
static gboolean
split_tree (const char *data,
            gsize       size,
            GArray     *files)
{
  const char *end = data + size;
  const char *pos = data;
  FuzzFile top = { g_strdup (FUZZ_TOP), FALSE, data, 0 };

  g_array_append_val (files, top);
  while (pos < end)
    {
      const char *nl = memchr (pos, '\n', end - pos);
      const char *line_end = nl ? nl : end;
      FuzzFile *current = &g_array_index (files, FuzzFile, files->len - 1);

      if ((gsize) (line_end - pos) > strlen (FILE_MARK) &&
          memcmp (pos, FILE_MARK, strlen (FILE_MARK)) == 0)
        {
          FuzzFile f = { 0, };
          g_autofree char *name = g_strndup (pos + strlen (FILE_MARK),
                                             line_end - pos - strlen (FILE_MARK));

          if (files->len == FUZZ_MAX_FILES)
            return FALSE;
          f.folder = g_str_has_suffix (name, "/");
          if (f.folder)
            name[strlen (name) - 1] = '\0';
          f.path = g_path_is_absolute (name) ? g_strdup (name)
                                             : g_build_filename (FUZZ_HOME, name, NULL);
          f.data = nl ? nl + 1 : end;
          g_array_append_val (files, f);
        }
      else
        current->length = (nl ? nl + 1 : end) - current->data;
      pos = nl ? nl + 1 : end;
    }
  return TRUE;
}

static void
fuzz_load (GArray   *files,
           gboolean  lenient)
{
  g_autoptr(TetherSshConfig) cfg = tether_ssh_config_new ();
  g_autoptr(GFile) top = g_file_new_for_path (FUZZ_TOP);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) hosts = NULL;
  gboolean ok;

  _tether_ssh_config_set_reader (cfg, &tree_reader, files);
  tether_ssh_config_set_lenient (cfg, lenient);
  ok = tether_ssh_config_load_file (cfg, top, &error);
  g_assert (ok == (error == NULL));
  g_assert (ok || error->domain == TETHER_ERROR || error->domain == G_IO_ERROR);
  if (lenient)
    g_assert (ok);
  if (!ok)
    return;

  hosts = tether_ssh_config_get_hosts (cfg);
  for (guint i = 0; hosts[i] != NULL && i < FUZZ_MAX_HOSTS; i++)
    {
      g_autoptr(TetherHost) host = tether_ssh_config_resolve (cfg, hosts[i], NULL);

      g_assert (host == NULL || tether_host_get_port (host) > 0);
    }
  {
    g_autoptr(TetherHost) other = tether_ssh_config_resolve (cfg, "fuzz.example", NULL);

    g_assert (other == NULL || tether_host_get_hostname (other) != NULL);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GArray) files = g_array_new (FALSE, TRUE, sizeof (FuzzFile));

  /* HOME first, before GLib caches it. */
  if (g_strcmp0 (g_getenv ("HOME"), FUZZ_HOME) != 0)
    g_setenv ("HOME", FUZZ_HOME, TRUE);
  g_assert (strcmp (g_get_home_dir (), FUZZ_HOME) == 0);

  g_array_set_clear_func (files, fuzz_file_clear);
  if (!split_tree ((const char *) data, size, files))
    return 0;
  fuzz_load (files, FALSE);
  fuzz_load (files, TRUE);
  return 0;
}
