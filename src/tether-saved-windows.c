/* tether-saved-windows.c: the windows and tabs Tether brings back when it starts again.
 *
 * A small key file under $XDG_STATE_HOME/tether (state, not configuration: losing it loses
 * nothing the user wrote). It is read and written on a GTask thread, written with
 * tether_file_write_safely () so that a full disk keeps the previous copy whole. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>

#include "tether-file-util.h"
#include "tether-saved-windows.h"

#define GROUP_TOP "Tether"
#define FORMAT_VERSION 1
/* Bounds against a damaged or hostile file: nobody restores more than this. */
#define MAX_WINDOWS 64
#define MAX_TABS 512

TetherSavedTab *
tether_saved_tab_new (const char *host_id,
                      const char *title,
                      const char *tmux_session)
{
  TetherSavedTab *tab = g_new0 (TetherSavedTab, 1);

  tab->host_id = g_strdup (host_id);
  tab->title = g_strdup (title);
  tab->tmux_session = g_strdup (tmux_session);
  return tab;
}

TetherSavedTab *
tether_saved_tab_new_files (const char *host_id,
                            const char *folder)
{
  TetherSavedTab *tab = tether_saved_tab_new (host_id, NULL, NULL);

  tab->files = TRUE;
  tab->folder = g_strdup (folder);
  return tab;
}

void
tether_saved_tab_free (TetherSavedTab *tab)
{
  if (tab == NULL)
    return;
  g_free (tab->folder);
  g_free (tab->host_id);
  g_free (tab->title);
  g_free (tab->tmux_session);
  g_free (tab);
}

TetherSavedWindow *
tether_saved_window_new (void)
{
  TetherSavedWindow *window = g_new0 (TetherSavedWindow, 1);

  window->tabs = g_ptr_array_new_with_free_func ((GDestroyNotify) tether_saved_tab_free);
  return window;
}

void
tether_saved_window_free (TetherSavedWindow *window)
{
  if (window == NULL)
    return;
  g_ptr_array_unref (window->tabs);
  g_free (window);
}

char *
tether_saved_windows_default_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "tether", "windows.ini", NULL);
}

/* The tmux session name ends up in a command line on the server: only a name Tether itself
 * makes (letters, digits, '-' and '_') is ever restored. */
static gboolean
is_safe_session_name (const char *name)
{
  if (name == NULL || *name == '\0' || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++) {
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  }
  return TRUE;
}

char *
tether_saved_windows_to_data (GPtrArray *windows,
                              gsize     *length)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();

  g_key_file_set_integer (key_file, GROUP_TOP, "version", FORMAT_VERSION);
  g_key_file_set_integer (key_file, GROUP_TOP, "windows", windows->len);
  for (guint w = 0; w < windows->len; w++) {
    TetherSavedWindow *window = g_ptr_array_index (windows, w);
    g_autofree char *group = g_strdup_printf ("window %u", w);

    g_key_file_set_integer (key_file, group, "width", window->width);
    g_key_file_set_integer (key_file, group, "height", window->height);
    g_key_file_set_boolean (key_file, group, "maximized", window->maximized);
    g_key_file_set_integer (key_file, group, "active-tab", window->active_tab);
    g_key_file_set_integer (key_file, group, "tabs", window->tabs->len);
    for (guint t = 0; t < window->tabs->len; t++) {
      TetherSavedTab *tab = g_ptr_array_index (window->tabs, t);
      g_autofree char *tab_group = g_strdup_printf ("window %u tab %u", w, t);

      g_key_file_set_string (key_file, tab_group, "host", tab->host_id ? tab->host_id : "");
      if (tab->title != NULL)
        g_key_file_set_string (key_file, tab_group, "title", tab->title);
      if (is_safe_session_name (tab->tmux_session))
        g_key_file_set_string (key_file, tab_group, "tmux-session", tab->tmux_session);
      if (tab->files) {
        g_key_file_set_string (key_file, tab_group, "kind", "files");
        /* A server's file names are bytes; the key file is UTF-8. */
        if (tab->folder != NULL) {
          g_autofree char *escaped = g_uri_escape_string (tab->folder, "/", FALSE);

          g_key_file_set_string (key_file, tab_group, "folder", escaped);
        }
      }
    }
  }
  return g_key_file_to_data (key_file, length, NULL);
}

static gboolean
get_count (GKeyFile    *key_file,
           const char  *group,
           const char  *key,
           int          max,
           int         *out,
           GError     **error)
{
  GError *local_error = NULL;
  int value = g_key_file_get_integer (key_file, group, key, &local_error);

  if (local_error != NULL) {
    g_propagate_error (error, local_error);
    return FALSE;
  }
  if (value < 0 || value > max) {
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                 _("The saved windows say %s=%d, which is out of range."), key, value);
    return FALSE;
  }
  *out = value;
  return TRUE;
}

/* A files tab; a folder that is not an absolute path, or holds a NUL, is left out (the tab
 * opens at the home folder). */
static TetherSavedTab *
read_files_tab (GKeyFile   *key_file,
                const char *group,
                const char *host)
{
  g_autofree char *escaped = g_key_file_get_string (key_file, group, "folder", NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *folder = NULL;
  gsize size = 0;
  const char *data;

  if (escaped != NULL)
    bytes = g_uri_unescape_bytes (escaped, -1, NULL, NULL);
  if (bytes != NULL) {
    data = g_bytes_get_data (bytes, &size);
    if (size > 0 && data[0] == '/' && memchr (data, '\0', size) == NULL)
      folder = g_strndup (data, size);
  }
  return tether_saved_tab_new_files (host, folder);
}

static TetherSavedWindow *
read_window (GKeyFile  *key_file,
             guint      w,
             GError   **error)
{
  g_autoptr(TetherSavedWindow) window = tether_saved_window_new ();
  g_autofree char *group = g_strdup_printf ("window %u", w);
  int n_tabs;
  int active;

  if (!get_count (key_file, group, "tabs", MAX_TABS, &n_tabs, error))
    return NULL;
  /* Size and state are cosmetic: a missing or odd value takes the default. */
  window->width = g_key_file_get_integer (key_file, group, "width", NULL);
  window->height = g_key_file_get_integer (key_file, group, "height", NULL);
  window->maximized = g_key_file_get_boolean (key_file, group, "maximized", NULL);
  active = g_key_file_get_integer (key_file, group, "active-tab", NULL);
  window->active_tab = (active >= 0 && active < n_tabs) ? (guint) active : 0;

  for (int t = 0; t < n_tabs; t++) {
    g_autofree char *tab_group = g_strdup_printf ("window %u tab %d", w, t);
    g_autofree char *host = g_key_file_get_string (key_file, tab_group, "host", error);
    g_autofree char *title = NULL;
    g_autofree char *tmux = NULL;
    g_autofree char *kind = NULL;

    if (host == NULL)
      return NULL;
    title = g_key_file_get_string (key_file, tab_group, "title", NULL);
    tmux = g_key_file_get_string (key_file, tab_group, "tmux-session", NULL);
    if (!is_safe_session_name (tmux))
      g_clear_pointer (&tmux, g_free);
    kind = g_key_file_get_string (key_file, tab_group, "kind", NULL);
    if (g_strcmp0 (kind, "files") == 0) {
      g_ptr_array_add (window->tabs, read_files_tab (key_file, tab_group, host));
      continue;
    }
    g_ptr_array_add (window->tabs, tether_saved_tab_new (host, title, tmux));
  }
  return g_steal_pointer (&window);
}

GPtrArray *
tether_saved_windows_from_data (const char  *data,
                                gsize        length,
                                GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GPtrArray) windows = NULL;
  int version;
  int n_windows;

  if (!g_key_file_load_from_data (key_file, data, length, G_KEY_FILE_NONE, error))
    return NULL;
  if (!get_count (key_file, GROUP_TOP, "version", G_MAXINT, &version, error))
    return NULL;
  if (version != FORMAT_VERSION) {
    g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                 _("The saved windows are in format %d, which this Tether does not know."),
                 version);
    return NULL;
  }
  if (!get_count (key_file, GROUP_TOP, "windows", MAX_WINDOWS, &n_windows, error))
    return NULL;

  windows = g_ptr_array_new_with_free_func ((GDestroyNotify) tether_saved_window_free);
  for (int w = 0; w < n_windows; w++) {
    TetherSavedWindow *window = read_window (key_file, w, error);

    if (window == NULL)
      return NULL;
    g_ptr_array_add (windows, window);
  }
  return g_steal_pointer (&windows);
}

typedef struct {
  char *path;
  char *data;
  gsize length;
} SaveData;

static void
save_data_free (SaveData *save)
{
  g_free (save->path);
  g_free (save->data);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveData *save = task_data;
  g_autofree char *dir = g_path_get_dirname (save->path);
  GError *error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0) {
    int saved_errno = errno;

    g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                             _("Could not create %s: %s"), dir, g_strerror (saved_errno));
    return;
  }
  if (!tether_file_write_safely (save->path, save->data, save->length,
                                 TETHER_FILE_MODE_PRIVATE, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * tether_saved_windows_save_async:
 * @path: the file, usually tether_saved_windows_default_path ()
 * @windows: (element-type TetherSavedWindow): what to save; serialised before this returns
 *
 * Saves @windows on a thread. A failed save (full disk) keeps the previous file whole.
 */
void
tether_saved_windows_save_async (const char          *path,
                                 GPtrArray           *windows,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  SaveData *save = g_new0 (SaveData, 1);

  g_return_if_fail (path != NULL);
  g_return_if_fail (windows != NULL);

  g_task_set_source_tag (task, tether_saved_windows_save_async);
  g_task_set_name (task, "[tether] save windows");
  save->path = g_strdup (path);
  save->data = tether_saved_windows_to_data (windows, &save->length);
  g_task_set_task_data (task, save, (GDestroyNotify) save_data_free);
  g_task_run_in_thread (task, save_thread);
}

gboolean
tether_saved_windows_save_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  const char *path = task_data;
  g_autofree char *data = NULL;
  gsize length = 0;
  GError *error = NULL;
  GPtrArray *windows;

  if (!g_file_get_contents (path, &data, &length, &error)) {
    if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
      /* Never saved yet: nothing to restore, not an error. */
      g_clear_error (&error);
      g_task_return_pointer (task,
                             g_ptr_array_new_with_free_func (
                               (GDestroyNotify) tether_saved_window_free),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }
    g_task_return_error (task, error);
    return;
  }
  windows = tether_saved_windows_from_data (data, length, &error);
  if (windows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, windows, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * tether_saved_windows_load_async:
 *
 * Reads the saved windows on a thread. A missing file gives an empty array; a damaged one a
 * #G_KEY_FILE_ERROR.
 */
void
tether_saved_windows_load_async (const char          *path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_return_if_fail (path != NULL);

  g_task_set_source_tag (task, tether_saved_windows_load_async);
  g_task_set_name (task, "[tether] load windows");
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, load_thread);
}

/**
 * tether_saved_windows_load_finish:
 *
 * Returns: (transfer container) (element-type TetherSavedWindow): the windows, or %NULL
 */
GPtrArray *
tether_saved_windows_load_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
