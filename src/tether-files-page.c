/* tether-files-page.c: a tab that browses a host's files over SFTP.
 *
 * The page rides on the host's session (one login for terminals and files): it logs the
 * session in when nobody has, and opens its own SFTP channel once the session is ready. A
 * folder is listed in one request and shown folders first, then by name; what fails (a
 * missing folder, a refused login) takes the list's place with the server's message.
 * Uploads and downloads are in tether-files-page-transfers.c, editing files in place in
 * tether-files-page-edit.c, new folder, rename and delete in tether-files-page-ops.c. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-files-page-private.h"
#include "tether-message-dialog.h"

G_DEFINE_FINAL_TYPE (TetherFilesPage, tether_files_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_TITLE,
  PROP_PATH,
  PROP_LOADING,
  PROP_ERROR_MESSAGE,
  PROP_ADMINISTRATOR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------------- */
/* Paths                                                                     */

char *
_tether_files_page_child_path (const char *folder,
            const char *name)
{
  if (g_str_has_suffix (folder, "/"))
    return g_strconcat (folder, name, NULL);
  return g_strconcat (folder, "/", name, NULL);
}

static char *
parent_path (const char *path)
{
  const char *slash = strrchr (path, '/');

  if (slash == NULL)
    return g_strdup (".");
  if (slash == path)
    return g_strdup ("/");
  return g_strndup (path, slash - path);
}

/* rwxr-xr-x, with the set-id and sticky bits where ls puts them. */
static char *
format_mode (guint32 mode)
{
  char text[10];
  static const char letters[] = "rwxrwxrwx";

  for (int i = 0; i < 9; i++)
    text[i] = (mode & (1u << (8 - i))) ? letters[i] : '-';
  if (mode & 04000)
    text[2] = text[2] == 'x' ? 's' : 'S';
  if (mode & 02000)
    text[5] = text[5] == 'x' ? 's' : 'S';
  if (mode & 01000)
    text[8] = text[8] == 'x' ? 't' : 'T';
  return g_strndup (text, 9);
}

gboolean
_tether_files_page_info_is_folder (GFileInfo *info)
{
  return g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY;
}

/* ------------------------------------------------------------------------- */
/* State                                                                     */

static void
set_loading (TetherFilesPage *self,
             gboolean         loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
show_error (TetherFilesPage *self,
            const char      *message)
{
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->stack, "error");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

static void
clear_error (TetherFilesPage *self)
{
  if (self->error_message == NULL)
    return;
  g_clear_pointer (&self->error_message, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

/* The selected rows' items, in the view's order (new references). */
GPtrArray *
_tether_files_page_dup_selected (TetherFilesPage *self)
{
  GtkBitset *set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  GtkBitsetIter iter;
  guint position;

  for (gboolean more = gtk_bitset_iter_init_first (&iter, set, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (self->selection), position));
  gtk_bitset_unref (set);
  return items;
}

/* The item of the one selected row, or NULL when none or several are selected. The model
 * keeps it: use it before the listing changes. */
GFileInfo *
_tether_files_page_get_single_selected (TetherFilesPage *self)
{
  GtkBitset *set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GFileInfo *info = NULL;

  if (gtk_bitset_get_size (set) == 1) {
    info = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                  gtk_bitset_get_minimum (set));
    g_object_unref (info);
  }
  gtk_bitset_unref (set);
  return info;
}

static void
update_actions (TetherFilesPage *self)
{
  GFileInfo *selected = _tether_files_page_get_single_selected (self);
  GtkBitset *set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  gboolean any = !gtk_bitset_is_empty (set);
  gboolean ready = self->client != NULL;

  gtk_bitset_unref (set);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.back",
                                 ready && self->history->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.up",
                                 ready && g_strcmp0 (self->path, "/") != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.refresh", ready);
  /* As administrator too: a transfer starts a root server of its own (tether-sftp-sudo.c). */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.upload", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.new-folder", ready);
  /* Files and folders, one or several: several go into a folder chosen for them. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.download", ready && any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.open",
                                 ready && selected != NULL &&
                                 !_tether_files_page_info_is_folder (selected));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.open-administrator",
                                 !self->administrator);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.rename", ready && selected != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.delete", ready && any);
}

static void
set_path (TetherFilesPage *self,
          const char      *path)
{
  if (g_strcmp0 (self->path, path) != 0) {
    g_free (self->path);
    self->path = g_strdup (path);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
  }
  gtk_editable_set_text (GTK_EDITABLE (self->path_entry), path != NULL ? path : "");
}

/* ------------------------------------------------------------------------- */
/* Listing                                                                   */

/* The page's own calls (connecting, opening its client, listing) hold it weakly. A strong
 * reference would keep a page whose window closed alive, outside any window and not
 * disposed, until the reply came: its late dispose then ran after the window's widgets
 * were gone and corrupted GTK's bookkeeping of them (weak references, closures,
 * bindings). With a weak hold the page goes with its window, its dispose cancels the
 * call, and the late callback finds no page. */
GWeakRef *
_tether_files_page_hold (TetherFilesPage *self)
{
  GWeakRef *hold = g_new0 (GWeakRef, 1);

  g_weak_ref_init (hold, self);
  return hold;
}

/* Returns: (transfer full) (nullable): the page, or %NULL if it is gone; frees @hold. */
TetherFilesPage *
_tether_files_page_release_hold (GWeakRef *hold)
{
  TetherFilesPage *self = g_weak_ref_get (hold);

  g_weak_ref_clear (hold);
  g_free (hold);
  return self;
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(TetherFilesPage) self = _tether_files_page_release_hold (user_data);
  g_autoptr(GListModel) list = NULL;
  g_autoptr(GError) error = NULL;

  list = tether_sftp_client_list_finish (TETHER_SFTP_CLIENT (source), result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_loading (self, FALSE);
  if (list == NULL) {
    g_autofree char *message = g_strdup_printf (_("“%s”: %s"), self->path, error->message);

    g_list_store_remove_all (self->items);
    show_error (self, message);
    update_actions (self);
    return;
  }

  clear_error (self);
  {
    guint n = g_list_model_get_n_items (list);
    g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func (g_object_unref);

    for (guint i = 0; i < n; i++) {
      GFileInfo *info = g_list_model_get_item (list, i);
      const char *name = g_file_info_get_name (info);

      if (g_strcmp0 (name, ".") == 0 || g_strcmp0 (name, "..") == 0) {
        g_object_unref (info);
        continue;
      }
      g_ptr_array_add (infos, info);
    }
    g_list_store_splice (self->items, 0, g_list_model_get_n_items (G_LIST_MODEL (self->items)),
                         infos->pdata, infos->len);
  }
  gtk_stack_set_visible_child_name (self->stack, "list");
  update_actions (self);
}

void
_tether_files_page_start_listing (TetherFilesPage *self)
{
  if (self->client == NULL || self->path == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->items)) == 0 || self->error_message)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  tether_sftp_client_list_async (self->client, self->path, self->cancellable, on_listed,
                                 _tether_files_page_hold (self));
}

static void
on_home_found (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TetherFilesPage) self = _tether_files_page_release_hold (user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;

  home = tether_sftp_client_path_finish (TETHER_SFTP_CLIENT (source), result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (home == NULL) {
    set_loading (self, FALSE);
    show_error (self, error->message);
    return;
  }
  set_path (self, home);
  _tether_files_page_start_listing (self);
}

static void
on_client_opened (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TetherFilesPage) self = _tether_files_page_release_hold (user_data);
  g_autoptr(GError) error = NULL;
  TetherSftpClient *client;

  client = _tether_files_page_open_client_finish (result, &error);
  if (self == NULL) {
    /* The tab went (its window closed) while the client opened. */
    if (client != NULL)
      tether_sftp_client_close (client);
    g_clear_object (&client);
    return;
  }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  _tether_files_page_session_opened (self, error);
  if (client == NULL) {
    set_loading (self, FALSE);
    show_error (self, error->message);
    return;
  }

  g_clear_object (&self->client);
  self->client = client;
  _tether_files_page_edit_client_changed (self);
  update_actions (self);
  /* A reconnect keeps the folder the user was in. */
  if (self->path != NULL)
    _tether_files_page_start_listing (self);
  else
    tether_sftp_client_realpath_async (self->client, ".", self->cancellable, on_home_found,
                                       _tether_files_page_hold (self));
}

void
_tether_files_page_open_client (TetherFilesPage *self)
{
  TetherConnection *connection = tether_host_session_get_connection (self->session);

  if (connection == NULL || self->client != NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  _tether_files_page_open_client_async (self, connection, on_client_opened,
                                        _tether_files_page_hold (self));
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TetherFilesPage) self = _tether_files_page_release_hold (user_data);
  g_autoptr(GError) error = NULL;

  /* notify::state opens the client; only a failure is this callback's. */
  if (!tether_host_session_connect_finish (TETHER_HOST_SESSION (source), result, &error) &&
      self != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    set_loading (self, FALSE);
    show_error (self, error->message);
  }
}

/* The connection went: what was under way with it is over; the folder shown stays. */
void
_tether_files_page_drop_client (TetherFilesPage *self)
{
  g_cancellable_cancel (self->cancellable);
  if (self->client != NULL)
    tether_sftp_client_close (self->client);
  g_clear_object (&self->client);
  set_loading (self, FALSE);
  update_actions (self);
}

gboolean
_tether_files_page_get_started (TetherFilesPage *self)
{
  return self->started;
}

/* Starts connecting (when the session is idle) and listing: on first map, or by hand. */
static void
tether_files_page_start (TetherFilesPage *self)
{
  TetherHostSessionState state = tether_host_session_get_state (self->session);

  if (self->started)
    return;
  self->started = TRUE;

  if (state == TETHER_HOST_SESSION_STATE_READY) {
    _tether_files_page_open_client (self);
  } else {
    set_loading (self, TRUE);
    gtk_stack_set_visible_child_name (self->stack, "loading");
    if (state == TETHER_HOST_SESSION_STATE_IDLE || state == TETHER_HOST_SESSION_STATE_FAILED)
      tether_host_session_connect_async (self->session, NULL, on_connected,
                                         _tether_files_page_hold (self));
  }
}

/* ------------------------------------------------------------------------- */
/* Columns                                                                   */

typedef enum {
  COLUMN_NAME,
  COLUMN_SIZE,
  COLUMN_MODIFIED,
  COLUMN_PERMISSIONS,
} Column;

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  /* GTK 4.8's cells handle a click on their own as well as the row does: Ctrl+click then
   * toggled a row's selection twice, which left it as it was. The row alone selects and
   * activates. */
  gtk_list_item_set_selectable (item, FALSE);
  gtk_list_item_set_activatable (item, FALSE);
  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_SIZE ? 1.0 : 0.0);
  if (column == COLUMN_NAME) {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
    GtkWidget *icon = gtk_image_new ();

    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
    gtk_widget_set_hexpand (label, TRUE);
    gtk_box_append (GTK_BOX (box), icon);
    gtk_box_append (GTK_BOX (box), label);
    gtk_list_item_set_child (item, box);
    return;
  }
  if (column == COLUMN_PERMISSIONS)
    gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GFileInfo *info = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_list_item_get_child (item);
  g_autofree char *text = NULL;

  switch (column) {
  case COLUMN_NAME: {
    GtkWidget *icon = gtk_widget_get_first_child (child);
    const char *icon_name = _tether_files_page_info_is_folder (info) ? "folder-symbolic" :
                            g_file_info_get_is_symlink (info) ? "emblem-symbolic-link-symbolic" :
                            "text-x-generic-symbolic";

    gtk_image_set_from_icon_name (GTK_IMAGE (icon), icon_name);
    /* Which entry a row is, for drag and drop (tether-files-page-dnd.c) */
    g_object_set_data_full (G_OBJECT (child), "tether-file-info", g_object_ref (info),
                            g_object_unref);
    gtk_label_set_text (GTK_LABEL (gtk_widget_get_last_child (child)),
                        g_file_info_get_display_name (info));
    return;
  }
  case COLUMN_SIZE:
    if (!_tether_files_page_info_is_folder (info) && g_file_info_has_attribute (info,
                                                             G_FILE_ATTRIBUTE_STANDARD_SIZE))
      text = g_format_size (g_file_info_get_size (info));
    break;
  case COLUMN_MODIFIED:
    if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_TIME_MODIFIED)) {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (
        (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED));

      if (time != NULL)
        text = g_date_time_format (time, "%Y-%m-%d %H:%M");
    }
    break;
  case COLUMN_PERMISSIONS:
    if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_UNIX_MODE))
      text = format_mode (g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE));
    break;
  default:
    g_assert_not_reached ();
  }
  gtk_label_set_text (GTK_LABEL (child), text != NULL ? text : "");
}

static void
add_column (TetherFilesPage *self,
            const char      *title,
            Column           column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_column_set_expand (view_column, column == COLUMN_NAME);
  gtk_column_view_append_column (self->column_view, view_column);
  g_object_unref (view_column);
}

/* Folders first, then by name as people read it. */
static int
compare_infos (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  GFileInfo *info_a = (GFileInfo *) a;
  GFileInfo *info_b = (GFileInfo *) b;
  gboolean folder_a = _tether_files_page_info_is_folder (info_a);
  gboolean folder_b = _tether_files_page_info_is_folder (info_b);
  g_autofree char *key_a = NULL;
  g_autofree char *key_b = NULL;

  if (folder_a != folder_b)
    return folder_a ? -1 : 1;
  key_a = g_utf8_collate_key_for_filename (g_file_info_get_display_name (info_a), -1);
  key_b = g_utf8_collate_key_for_filename (g_file_info_get_display_name (info_b), -1);
  return strcmp (key_a, key_b);
}

static gboolean
filter_hidden (gpointer item,
               gpointer user_data)
{
  TetherFilesPage *self = user_data;

  return gtk_toggle_button_get_active (self->hidden_button) ||
         !g_file_info_get_is_hidden (G_FILE_INFO (item));
}

/* ------------------------------------------------------------------------- */
/* Navigation                                                                */

static void
go_to (TetherFilesPage *self,
       const char      *path,
       gboolean         remember)
{
  if (remember && self->path != NULL && g_strcmp0 (self->path, path) != 0)
    g_ptr_array_add (self->history, g_strdup (self->path));
  set_path (self, path);
  _tether_files_page_start_listing (self);
  update_actions (self);
}

static void
on_activate (GtkColumnView   *view,
             guint            position,
             TetherFilesPage *self)
{
  g_autoptr(GFileInfo) info = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);
  g_autofree char *path = NULL;

  if (info == NULL || self->path == NULL)
    return;
  /* A file opens in the default app; a link to a folder opens too: the server follows it. */
  if (!_tether_files_page_info_is_folder (info) && !g_file_info_get_is_symlink (info)) {
    _tether_files_page_open_file (self, g_file_info_get_name (info));
    return;
  }
  path = _tether_files_page_child_path (self->path, g_file_info_get_name (info));
  go_to (self, path, TRUE);
}

static void
on_path_activate (GtkEntry        *entry,
                  TetherFilesPage *self)
{
  /* A copy: go_to () sets the entry's text, which frees the buffer this points into. */
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry)));

  if (*text != '\0')
    go_to (self, text, TRUE);
}

/* ------------------------------------------------------------------------- */
/* Actions                                                                   */

static void
back_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  tether_files_page_go_back (TETHER_FILES_PAGE (widget));
}

static void
up_activated (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  tether_files_page_go_up (TETHER_FILES_PAGE (widget));
}

static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  tether_files_page_refresh (TETHER_FILES_PAGE (widget));
}

/* ------------------------------------------------------------------------- */
/* GObject                                                                   */

static void
tether_files_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (tether_files_page_parent_class)->map (widget);
  tether_files_page_start (TETHER_FILES_PAGE (widget));
}

static void
on_hidden_toggled (TetherFilesPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->hidden_filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
tether_files_page_constructed (GObject *object)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (object);
  const char *destination;

  G_OBJECT_CLASS (tether_files_page_parent_class)->constructed (object);

  g_return_if_fail (self->session != NULL);
  /* The host's name as the sidebar and its terminal tabs show it, not user@address:port. */
  destination = tether_host_get_display_name (tether_host_session_get_host (self->session));
  if (self->administrator)
    /* Translators: a files tab's title as root (through sudo); %s is the host */
    self->title = g_strdup_printf (_("Files on %s (Administrator)"), destination);
  else
    /* Translators: a files tab's title; %s is the host */
    self->title = g_strdup_printf (_("Files on %s"), destination);
  tether_host_session_hold (self->session);
  _tether_files_page_session_attach (self);
  update_actions (self);
}

static void
tether_files_page_dispose (GObject *object)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->transfers != NULL) {
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->transfers)); i++) {
      g_autoptr(GObject) transfer = g_list_model_get_item (G_LIST_MODEL (self->transfers), i);

      g_cancellable_cancel (g_object_get_data (transfer, "tether-cancellable"));
    }
  }
  _tether_files_page_edit_dispose (self);
  if (self->client != NULL)
    tether_sftp_client_close (self->client);
  g_clear_object (&self->client);
  _tether_files_page_follow_dispose (self);
  if (self->session != NULL) {
    _tether_files_page_session_detach (self);
    tether_host_session_release (self->session);
    g_clear_object (&self->session);
  }
  /* Detach the list and its sorting before the column view and its columns go (their
   * teardown re-sorted a model still holding the columns' sorters). */
  if (self->column_view != NULL) {
    gtk_column_view_sort_by_column (self->column_view, NULL, GTK_SORT_ASCENDING);
    gtk_column_view_set_model (self->column_view, NULL);
  }
  if (self->sorted != NULL)
    gtk_sort_list_model_set_sorter (self->sorted, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TETHER_TYPE_FILES_PAGE);

  G_OBJECT_CLASS (tether_files_page_parent_class)->dispose (object);
}

static void
tether_files_page_finalize (GObject *object)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->selection);
  g_clear_object (&self->items);
  g_clear_object (&self->transfers);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_free (self->title);
  g_free (self->path);
  g_free (self->error_message);

  G_OBJECT_CLASS (tether_files_page_parent_class)->finalize (object);
}

static void
tether_files_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_set_object (value, self->session);
    break;
  case PROP_TITLE:
    g_value_set_string (value, self->title);
    break;
  case PROP_PATH:
    g_value_set_string (value, self->path);
    break;
  case PROP_LOADING:
    g_value_set_boolean (value, self->loading);
    break;
  case PROP_ERROR_MESSAGE:
    g_value_set_string (value, self->error_message);
    break;
  case PROP_ADMINISTRATOR:
    g_value_set_boolean (value, self->administrator);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_files_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (object);

  switch (prop_id) {
  case PROP_SESSION:
    self->session = g_value_dup_object (value);
    break;
  case PROP_ADMINISTRATOR:
    self->administrator = g_value_get_boolean (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_files_page_class_init (TetherFilesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = tether_files_page_constructed;
  object_class->dispose = tether_files_page_dispose;
  object_class->finalize = tether_files_page_finalize;
  object_class->get_property = tether_files_page_get_property;
  object_class->set_property = tether_files_page_set_property;
  widget_class->map = tether_files_page_map;

  /**
   * TetherFilesPage:session:
   *
   * The host session the page's SFTP channel rides on.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, TETHER_TYPE_HOST_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherFilesPage:title:
   *
   * The tab's title: whose files these are.
   */
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  /**
   * TetherFilesPage:path:
   *
   * The folder on the server the page shows, %NULL until the home folder is known.
   */
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, ro);
  /**
   * TetherFilesPage:loading:
   *
   * Whether the page is connecting or listing a folder.
   */
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  /**
   * TetherFilesPage:error-message:
   *
   * Why the folder cannot be shown, or %NULL.
   */
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  /**
   * TetherFilesPage:administrator:
   *
   * Whether the page's SFTP server runs as root, through sudo.
   */
  properties[PROP_ADMINISTRATOR] =
    g_param_spec_boolean ("administrator", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/"
                                               "tether-files-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TetherFilesPage, toolbar);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesPage, path_entry);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesPage, hidden_button);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesPage, transfers_button);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesPage, transfers_list);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesPage, error_page);

  gtk_widget_class_install_action (widget_class, "files.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "files.up", NULL, up_activated);
  gtk_widget_class_install_action (widget_class, "files.refresh", NULL, refresh_activated);
  _tether_files_page_class_transfers_init (widget_class);
  _tether_files_page_class_admin_init (widget_class);
  _tether_files_page_class_session_init (widget_class);
  _tether_files_page_class_edit_init (widget_class);
  _tether_files_page_class_view_init (widget_class);
  _tether_files_page_class_ops_init (widget_class);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "files.up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "files.back",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "files.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "files.rename", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "files.delete", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tether_files_page_init (TetherFilesPage *self)
{
  GtkCustomSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (
                                    GTK_WIDGET (self))), GTK_ORIENTATION_VERTICAL);

  self->history = g_ptr_array_new_with_free_func (g_free);
  self->items = g_list_store_new (G_TYPE_FILE_INFO);
  self->transfers = g_list_store_new (TETHER_TYPE_TRANSFER);
  self->hidden_filter = gtk_custom_filter_new (filter_hidden, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->items)),
                                              GTK_FILTER (self->hidden_filter));
  sorter = gtk_custom_sorter_new (compare_infos, NULL, NULL);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered), GTK_SORTER (sorter));
  /* Several rows at once, with Ctrl and Shift, as in a file manager. */
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (self->sorted));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  add_column (self, _("Name"), COLUMN_NAME);
  add_column (self, _("Size"), COLUMN_SIZE);
  add_column (self, _("Modified"), COLUMN_MODIFIED);
  add_column (self, _("Permissions"), COLUMN_PERMISSIONS);
  _tether_files_page_edit_init (self);
  _tether_files_page_init_view (self);
  _tether_files_page_init_dnd (self);

  gtk_list_box_bind_model (self->transfers_list, G_LIST_MODEL (self->transfers),
                           _tether_files_page_create_transfer_row, self,
                           NULL);

  g_signal_connect (self->column_view, "activate", G_CALLBACK (on_activate), self);
  g_signal_connect (self->path_entry, "activate", G_CALLBACK (on_path_activate), self);
  g_signal_connect_swapped (self->hidden_button, "toggled", G_CALLBACK (on_hidden_toggled),
                            self);
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (update_actions),
                            self);
  g_signal_connect_swapped (self->selection, "items-changed", G_CALLBACK (update_actions),
                            self);
  /* The spinner turns only while it is on screen. GTK 4.8 goes on animating one on a
   * hidden page of a stack (or in a background tab), and lays the whole window out again
   * on every frame for it: on X11 a dozen round trips to the server each time, about a
   * thousand a second while the tab sits idle, and a frame that waits on a busy X server
   * is a stalled window (bench-files-stall). */
  g_signal_connect (self->spinner, "map", G_CALLBACK (gtk_spinner_start), NULL);
  g_signal_connect (self->spinner, "unmap", G_CALLBACK (gtk_spinner_stop), NULL);
  gtk_stack_set_visible_child_name (self->stack, "loading");
  _tether_files_page_follow_init (self);
}

/* ------------------------------------------------------------------------- */
/* Public API                                                                */

/**
 * tether_files_page_new:
 * @session: the host session to browse the files of
 *
 * The page logs @session in (if nobody has) once it is first mapped.
 *
 * Returns: (transfer floating): a new files page
 */
TetherFilesPage *
tether_files_page_new (TetherHostSession *session)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (session), NULL);

  return g_object_new (TETHER_TYPE_FILES_PAGE, "session", session, NULL);
}

TetherHostSession *
tether_files_page_get_session (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);

  return self->session;
}

TetherHost *
tether_files_page_get_host (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);

  return tether_host_session_get_host (self->session);
}

const char *
tether_files_page_get_title (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);

  return self->title;
}

const char *
tether_files_page_get_path (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);

  return self->path;
}

gboolean
tether_files_page_get_loading (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), FALSE);

  return self->loading;
}

const char *
tether_files_page_get_error_message (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);

  return self->error_message;
}

/**
 * tether_files_page_get_model:
 * @self: a files page
 *
 * Returns: (transfer none): the #GFileInfo of the folder's entries as shown, in order
 */
GListModel *
tether_files_page_get_model (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);

  return G_LIST_MODEL (self->sorted);
}

/**
 * tether_files_page_get_transfers:
 * @self: a files page
 *
 * Returns: (transfer none): the page's #TetherTransfer, newest first
 */
GListModel *
tether_files_page_get_transfers (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);

  return G_LIST_MODEL (self->transfers);
}

gboolean
tether_files_page_get_show_hidden (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), FALSE);

  return gtk_toggle_button_get_active (self->hidden_button);
}

void
tether_files_page_set_show_hidden (TetherFilesPage *self,
                                   gboolean         show_hidden)
{
  g_return_if_fail (TETHER_IS_FILES_PAGE (self));

  gtk_toggle_button_set_active (self->hidden_button, show_hidden);
}

/**
 * tether_files_page_navigate:
 * @self: a files page
 * @path: a folder on the server
 *
 * Shows @path; Back returns to the folder shown before.
 */
void
tether_files_page_navigate (TetherFilesPage *self,
                            const char      *path)
{
  g_return_if_fail (TETHER_IS_FILES_PAGE (self));
  g_return_if_fail (path != NULL);

  tether_files_page_start (self);
  go_to (self, path, TRUE);
}

void
tether_files_page_go_up (TetherFilesPage *self)
{
  g_autofree char *parent = NULL;

  g_return_if_fail (TETHER_IS_FILES_PAGE (self));

  if (self->path == NULL || g_strcmp0 (self->path, "/") == 0)
    return;
  parent = parent_path (self->path);
  go_to (self, parent, TRUE);
}

void
tether_files_page_go_back (TetherFilesPage *self)
{
  g_autofree char *previous = NULL;

  g_return_if_fail (TETHER_IS_FILES_PAGE (self));

  if (self->history->len == 0)
    return;
  previous = g_ptr_array_steal_index (self->history, self->history->len - 1);
  go_to (self, previous, FALSE);
}

void
tether_files_page_refresh (TetherFilesPage *self)
{
  g_return_if_fail (TETHER_IS_FILES_PAGE (self));

  tether_files_page_start (self);
  _tether_files_page_start_listing (self);
}
