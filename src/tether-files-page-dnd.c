/* tether-files-page-dnd.c: drag and drop on the files page, both ways.
 *
 * Local files and folders dropped on the list (a GdkFileList, which GDK also makes out of
 * text/uri-list) are uploaded into the folder shown, or into the folder of the row they are
 * dropped on; a folder goes with everything in it. Rows dragged out (the selected ones, when
 * the drag starts on one of them; folders whole) are offered through a
 * TetherRemoteFileProvider, which downloads them when the drop asks for them. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-files-page-private.h"
#include "tether-remote-file-provider.h"

/* How many entries of a local folder are asked for at a time. */
#define ENUMERATE_BATCH 64
#define FILE_INFO_DATA "tether-file-info"

static void
show_error (TetherFilesPage *self,
            const char      *heading,
            const char      *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              heading, message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ------------------------------------------------------------------------- */
/* Which row                                                                 */

static GFileInfo *
find_info (GtkWidget *widget)
{
  GFileInfo *info = g_object_get_data (G_OBJECT (widget), FILE_INFO_DATA);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       info == NULL && child != NULL;
       child = gtk_widget_get_next_sibling (child))
    info = find_info (child);
  return info;
}

/* The entry whose row is at (@x, @y) of the column view, or %NULL. The name cell carries it
 * (see bind_cell ()); a row is a child of the column view's list view. */
GFileInfo *
_tether_files_page_info_at (TetherFilesPage *self,
                            double           x,
                            double           y)
{
  GtkWidget *view = GTK_WIDGET (self->column_view);
  GtkWidget *widget = gtk_widget_pick (view, x, y, GTK_PICK_DEFAULT);

  for (; widget != NULL && widget != view; widget = gtk_widget_get_parent (widget)) {
    if (GTK_IS_LIST_VIEW (gtk_widget_get_parent (widget)))
      return find_info (widget);
  }
  return NULL;
}

/* ------------------------------------------------------------------------- */
/* Dropped folders                                                           */

typedef struct {
  GWeakRef page;
  GFile *local;
  char *remote;          /* the folder to make */
  char *parent;          /* the remote folder it goes into */
  GFileEnumerator *children;
} FolderUpload;

static void
folder_upload_free (FolderUpload *upload)
{
  g_weak_ref_clear (&upload->page);
  g_clear_object (&upload->local);
  g_free (upload->remote);
  g_free (upload->parent);
  g_clear_object (&upload->children);
  g_free (upload);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FolderUpload, folder_upload_free)

static void upload_item (TetherFilesPage *self,
                         GFile           *local,
                         GFileInfo       *info,
                         const char      *folder);

static void on_children (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data);

static void
next_files (FolderUpload *upload)
{
  g_file_enumerator_next_files_async (upload->children, ENUMERATE_BATCH, G_PRIORITY_DEFAULT,
                                      NULL, on_children, upload);
}

static void
on_children (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(FolderUpload) upload = user_data;
  g_autoptr(TetherFilesPage) self = g_weak_ref_get (&upload->page);
  g_autoptr(GError) error = NULL;
  GList *infos;

  infos = g_file_enumerator_next_files_finish (G_FILE_ENUMERATOR (source), result, &error);
  if (self == NULL || self->client == NULL) {
    g_list_free_full (infos, g_object_unref);
    return;
  }
  if (error != NULL) {
    show_error (self, _("Could Not Upload the Folder"), error->message);
    return;
  }
  if (infos == NULL)
    return;

  for (GList *l = infos; l != NULL; l = l->next) {
    GFileInfo *info = l->data;
    g_autoptr(GFile) child = g_file_get_child (upload->local, g_file_info_get_name (info));

    upload_item (self, child, info, upload->remote);
  }
  g_list_free_full (infos, g_object_unref);
  next_files (g_steal_pointer (&upload));
}

static void
on_enumerated (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(FolderUpload) upload = user_data;
  g_autoptr(TetherFilesPage) self = g_weak_ref_get (&upload->page);
  g_autoptr(GError) error = NULL;

  upload->children = g_file_enumerate_children_finish (G_FILE (source), result, &error);
  if (self == NULL)
    return;
  if (upload->children == NULL) {
    show_error (self, _("Could Not Upload the Folder"), error->message);
    return;
  }
  next_files (g_steal_pointer (&upload));
}

static void
enumerate (FolderUpload *upload)
{
  g_file_enumerate_children_async (upload->local, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                    G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                    G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, NULL,
                                    on_enumerated, upload);
}

/* The folder could not be made: fine if it is there already. */
static void
on_existing_stat (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(FolderUpload) upload = user_data;
  g_autoptr(TetherFilesPage) self = g_weak_ref_get (&upload->page);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = tether_sftp_client_stat_finish (TETHER_SFTP_CLIENT (source), result, &error);
  if (self == NULL)
    return;
  if (info == NULL || !_tether_files_page_info_is_folder (info)) {
    g_autofree char *message = g_strdup_printf (_("Could not make the folder “%s”."),
                                                upload->remote);

    show_error (self, _("Could Not Upload the Folder"), message);
    return;
  }
  enumerate (g_steal_pointer (&upload));
}

static void
on_folder_made (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(FolderUpload) upload = user_data;
  g_autoptr(TetherFilesPage) self = g_weak_ref_get (&upload->page);
  TetherSftpClient *client = TETHER_SFTP_CLIENT (source);

  if (self == NULL)
    return;
  if (!tether_sftp_client_op_finish (client, result, NULL)) {
    FolderUpload *stolen = g_steal_pointer (&upload);

    tether_sftp_client_stat_async (client, stolen->remote, TRUE, NULL, on_existing_stat,
                                   stolen);
    return;
  }
  if (g_strcmp0 (self->path, upload->parent) == 0)
    _tether_files_page_start_listing (self);
  enumerate (g_steal_pointer (&upload));
}

/* Uploads @local (described by @info) into the remote @folder. */
static void
upload_item (TetherFilesPage *self,
             GFile           *local,
             GFileInfo       *info,
             const char      *folder)
{
  g_autofree char *name = g_file_get_basename (local);
  g_autofree char *remote = _tether_files_page_child_path (folder, name);
  FolderUpload *upload;

  if (g_file_info_get_file_type (info) != G_FILE_TYPE_DIRECTORY) {
    _tether_files_page_upload_to (self, local, remote, folder);
    return;
  }
  upload = g_new0 (FolderUpload, 1);
  g_weak_ref_init (&upload->page, self);
  upload->local = g_object_ref (local);
  upload->remote = g_steal_pointer (&remote);
  upload->parent = g_strdup (folder);
  tether_sftp_client_mkdir_async (self->client, upload->remote, 0777, NULL, on_folder_made,
                                  upload);
}

typedef struct {
  GWeakRef page;
  char *folder;
} DroppedFile;

static void
on_dropped_info (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  DroppedFile *dropped = user_data;
  g_autoptr(TetherFilesPage) self = g_weak_ref_get (&dropped->page);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = g_file_query_info_finish (G_FILE (source), result, &error);
  if (self != NULL && self->client != NULL) {
    if (info != NULL)
      upload_item (self, G_FILE (source), info, dropped->folder);
    else
      show_error (self, _("Could Not Upload"), error->message);
  }
  g_weak_ref_clear (&dropped->page);
  g_free (dropped->folder);
  g_free (dropped);
}

/* ------------------------------------------------------------------------- */
/* Dropping                                                                  */

/* A row of this very page dropped on it again would only download and upload it back. */
static gboolean
on_accept (GtkDropTarget   *target,
           GdkDrop         *drop,
           TetherFilesPage *self)
{
  GdkDrag *drag = gdk_drop_get_drag (drop);

  if (self->client == NULL || self->path == NULL)
    return FALSE;
  if (drag != NULL && TETHER_IS_REMOTE_FILE_PROVIDER (gdk_drag_get_content (drag)) &&
      tether_remote_file_provider_get_client (TETHER_REMOTE_FILE_PROVIDER (
        gdk_drag_get_content (drag))) == self->client)
    return FALSE;
  return gdk_content_formats_match (gtk_drop_target_get_formats (target),
                                    gdk_drop_get_formats (drop));
}

static gboolean
on_drop (GtkDropTarget   *target,
         const GValue    *value,
         double           x,
         double           y,
         TetherFilesPage *self)
{
  GFileInfo *row;
  g_autofree char *folder = NULL;
  GSList *files;

  if (self->client == NULL || self->path == NULL)
    return FALSE;
  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    files = gdk_file_list_get_files (g_value_get_boxed (value));
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    files = g_slist_prepend (NULL, g_value_get_object (value));
  else
    return FALSE;

  row = _tether_files_page_info_at (self, x, y);
  if (row != NULL && _tether_files_page_info_is_folder (row))
    folder = _tether_files_page_child_path (self->path, g_file_info_get_name (row));
  else
    folder = g_strdup (self->path);

  for (GSList *l = files; l != NULL; l = l->next) {
    DroppedFile *dropped = g_new0 (DroppedFile, 1);

    g_weak_ref_init (&dropped->page, self);
    dropped->folder = g_strdup (folder);
    g_file_query_info_async (l->data, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                             G_PRIORITY_DEFAULT, NULL, on_dropped_info, dropped);
  }
  g_slist_free (files);
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Dragging out                                                              */

static GdkContentProvider *
on_drag_prepare (GtkDragSource   *source,
                 double           x,
                 double           y,
                 TetherFilesPage *self)
{
  GtkSelectionModel *selection = GTK_SELECTION_MODEL (self->selection);
  GFileInfo *info = _tether_files_page_info_at (self, x, y);
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autoptr(GtkBitset) selected = NULL;
  g_auto(GStrv) remotes = NULL;
  GtkBitsetIter iter;
  guint position;
  gboolean found = FALSE;

  if (info == NULL || self->client == NULL || self->path == NULL)
    return NULL;

  for (position = 0; position < g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
       position++) {
    g_autoptr(GFileInfo) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

    if (item == info) {
      found = TRUE;
      break;
    }
  }
  if (!found)
    return NULL;

  /* A drag from a selected row takes all the selected ones along, as in a file manager;
   * from another row, that row alone, which becomes the selection. */
  if (!gtk_selection_model_is_selected (selection, position))
    gtk_selection_model_select_item (selection, position, TRUE);
  builder = g_strv_builder_new ();
  selected = gtk_selection_model_get_selection (selection);
  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position);
       more;
       more = gtk_bitset_iter_next (&iter, &position)) {
    g_autoptr(GFileInfo) item = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);
    g_autofree char *remote = NULL;

    if (item == NULL)
      continue;
    remote = _tether_files_page_child_path (self->path, g_file_info_get_name (item));
    g_strv_builder_add (builder, remote);
  }
  remotes = g_strv_builder_end (builder);
  if (remotes[0] == NULL)
    return NULL;
  return tether_remote_file_provider_new (self->client, (const char * const *) remotes);
}

static void
on_drag_begin (GtkDragSource   *source,
               GdkDrag         *drag,
               TetherFilesPage *self)
{
  g_autoptr(GtkIconPaintable) icon = NULL;

  icon = gtk_icon_theme_lookup_icon (gtk_icon_theme_get_for_display (
                                       gtk_widget_get_display (GTK_WIDGET (self))),
                                     "text-x-generic", NULL, 32,
                                     gtk_widget_get_scale_factor (GTK_WIDGET (self)),
                                     gtk_widget_get_direction (GTK_WIDGET (self)), 0);
  gtk_drag_source_set_icon (source, GDK_PAINTABLE (icon), 0, 0);
}

void
_tether_files_page_init_dnd (TetherFilesPage *self)
{
  GtkDropTarget *drop;
  GtkDragSource *drag;

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, (GType[]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE }, 2);
  g_signal_connect (drop, "accept", G_CALLBACK (on_accept), self);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (drop));

  /* In the capture phase: the rows' own click gestures would otherwise take the press. */
  drag = gtk_drag_source_new ();
  gtk_drag_source_set_actions (drag, GDK_ACTION_COPY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag),
                                              GTK_PHASE_CAPTURE);
  g_signal_connect (drag, "prepare", G_CALLBACK (on_drag_prepare), self);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), GTK_EVENT_CONTROLLER (drag));
}
