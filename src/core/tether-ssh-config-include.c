/* tether-ssh-config-include.c: Include lines, and the file system as ssh reads it.
 *
 * Include is followed through the configuration's reader (the file system unless a fuzzer
 * serves files), with OpenSSH's depth limit and a check for loops.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "tether-error.h"
#include "tether-ssh-config-private.h"

/* ------------------------------------------------------------------------ */
/* Include                                                                   */

/* ~ and ~/ become the home directory; ~user stays as written. */
char *
expand_tilde (const char *path)
{
  if (path[0] == '~' && (path[1] == '\0' || path[1] == '/'))
    return g_strconcat (g_get_home_dir (), path + 1, NULL);
  return g_strdup (path);
}

/* The absolute glob pattern of an Include argument: relative paths are relative to ~/.ssh,
 * as for a user's config. */
char *
include_pattern (const char *arg)
{
  if (arg[0] == '~')
    return expand_tilde (arg);
  if (!g_path_is_absolute (arg))
    return g_build_filename (g_get_home_dir (), ".ssh", arg, NULL);
  return g_strdup (arg);
}

/* Like report () of the parser, for the Include pass: FALSE stops a strict load. */
static gboolean G_GNUC_PRINTF (5, 6)
report_include (TetherSshConfig  *self,
                ConfigFile       *file,
                guint             line,
                GError          **error,
                const char       *format,
                ...)
{
  va_list args;
  gboolean go_on;

  va_start (args, format);
  go_on = report_error_valist (self, file, line, error, format, args);
  va_end (args);
  return go_on;
}

static gboolean
follow_include (TetherSshConfig        *self,
                ConfigFile             *file,
                TetherSshConfigOption  *opt,
                GPtrArray              *stack,
                GError                **error)
{
  opt->includes = g_ptr_array_new_with_free_func ((GDestroyNotify) config_file_free);

  for (guint i = 0; opt->args[i] != NULL; i++) {
    g_autofree char *pattern = NULL;
    g_auto(GStrv) paths = NULL;
    g_autoptr(GError) glob_error = NULL;

    pattern = include_pattern (opt->args[i]);

    paths = self->reader->glob (pattern, self->reader_data, &glob_error);
    if (paths == NULL) {
      if (!report_include (self, file, opt->line, error,
                           _("Include “%s” could not be expanded: %s"), opt->args[i],
                           glob_error->message))
        return FALSE;
      continue;
    }

    for (gsize j = 0; paths[j] != NULL; j++) {
      const char *path = paths[j];
      g_autofree char *real = self->reader->real_path (path, self->reader_data);
      g_autoptr(GError) local_error = NULL;
      ConfigFile *child = NULL;
      gboolean loop = FALSE;

      for (guint k = 0; k < stack->len; k++)
        if (strcmp (g_ptr_array_index (stack, k), real) == 0)
          loop = TRUE;

      if (loop) {
        g_autofree char *shown = display_path (path);

        if (!report_include (self, file, opt->line, error,
                             _("Include of “%s” makes a loop: that file includes "
                               "this one."), shown))
          return FALSE;
        continue;
      }
      if (stack->len > TETHER_SSH_CONFIG_MAX_INCLUDE_DEPTH) {
        g_autofree char *shown = display_path (path);

        if (!report_include (self, file, opt->line, error,
                             _("Include of “%s” nests files more than %d deep."),
                             shown, TETHER_SSH_CONFIG_MAX_INCLUDE_DEPTH))
          return FALSE;
        continue;
      }

      g_ptr_array_add (stack, g_steal_pointer (&real));
      if (!load_path (self, path, stack, &child, &local_error)) {
        g_ptr_array_remove_index (stack, stack->len - 1);
        /* A folder that a glob matches is skipped, as ssh reads nothing from it. */
        if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
          continue;
        /* Errors inside the included file already name it and its line. */
        if (local_error->domain == TETHER_ERROR) {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
        if (!report_include (self, file, opt->line, error,
                             _("Included file could not be read: %s"),
                             local_error->message))
          return FALSE;
        continue;
      }
      g_ptr_array_remove_index (stack, stack->len - 1);
      g_ptr_array_add (opt->includes, child);
    }
  }
  return TRUE;
}

/* Reads and parses PATH, then the files it includes. STACK holds the real
 * paths of the files being included, for loop detection.
 */
gboolean
load_path (TetherSshConfig  *self,
           const char       *path,
           GPtrArray        *stack,
           ConfigFile      **out,
           GError          **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(ConfigFile) file = NULL;
  gsize length;

  if (!self->reader->read (path, &contents, &length, self->reader_data, error))
    return FALSE;
  file = parse_buffer (self, contents, length, path, NULL, error);
  if (file == NULL)
    return FALSE;

  for (guint b = 0; b < file->blocks->len; b++) {
    TetherSshConfigBlock *block = g_ptr_array_index (file->blocks, b);

    for (guint o = 0; o < block->options->len; o++) {
      TetherSshConfigOption *opt = g_ptr_array_index (block->options, o);

      if (opt->kw == KW_INCLUDE && opt->valid &&
          !follow_include (self, file, opt, stack, error))
        return FALSE;
    }
  }

  *out = g_steal_pointer (&file);
  return TRUE;
}

/* The file system, as ssh reads it. */

static char **
fs_glob (const char  *pattern,
         gpointer     user_data,
         GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  glob_t gl = { 0, };
  int r = glob (pattern, 0, NULL, &gl);

  if (r != 0 && r != GLOB_NOMATCH) {
    globfree (&gl);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 r == GLOB_NOSPACE ? _("Out of memory.") : _("A folder could not be read."));
    return NULL;
  }
  for (gsize i = 0; r == 0 && i < gl.gl_pathc; i++)
    g_strv_builder_add (builder, gl.gl_pathv[i]);
  globfree (&gl);
  return g_strv_builder_end (builder);
}

static gboolean
fs_read (const char  *path,
         char       **contents,
         gsize       *length,
         gpointer     user_data,
         GError     **error)
{
  g_autofree char *shown = display_path (path);
  g_autoptr(GString) buffer = NULL;
  struct stat st = { 0, };
  int fd;

  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 _("%s cannot be opened: %s"), shown, g_strerror (saved));
    return FALSE;
  }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
    gboolean is_dir = S_ISDIR (st.st_mode);

    close (fd);
    if (is_dir)
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _("%s is a folder, not a file."), shown);
    else
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   _("%s is not a regular file; an SSH configuration must be one."), shown);
    return FALSE;
  }

  buffer = g_string_sized_new (MIN ((gsize) st.st_size, TETHER_SSH_CONFIG_MAX_FILE_SIZE) + 1);
  for (;;) {
    char chunk[8192];
    gssize n = read (fd, chunk, sizeof chunk);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("%s cannot be read: %s"), shown, g_strerror (saved));
      return FALSE;
    }
    if (n == 0)
      break;
    if (buffer->len + n > TETHER_SSH_CONFIG_MAX_FILE_SIZE) {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("%s is larger than %d MB, too large for an SSH configuration."),
                   shown, TETHER_SSH_CONFIG_MAX_FILE_SIZE / (1024 * 1024));
      return FALSE;
    }
    g_string_append_len (buffer, chunk, n);
  }
  close (fd);
  *length = buffer->len;
  *contents = g_string_free (g_steal_pointer (&buffer), FALSE);
  return TRUE;
}

/* PATH with links resolved, or as written when it does not exist. */
char *
real_path (const char *path)
{
  char *real = realpath (path, NULL);
  char *out;

  if (real == NULL)
    return g_canonicalize_filename (path, NULL);
  /* realpath () memory belongs to malloc, not GLib. */
  out = g_strdup (real);
  free (real);
  return out;
}

static char *
fs_real_path (const char *path,
              gpointer    user_data)
{
  return real_path (path);
}

const TetherSshConfigReader fs_reader = { fs_glob, fs_read, fs_real_path };

void
_tether_ssh_config_set_reader (TetherSshConfig             *self,
                               const TetherSshConfigReader *reader,
                               gpointer                     user_data)
{
  g_return_if_fail (TETHER_IS_SSH_CONFIG (self));

  self->reader = reader ? reader : &fs_reader;
  self->reader_data = user_data;
}

