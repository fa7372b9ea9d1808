/* tether-files-page-ops.c: the files page's operations on the folder shown: New Folder,
 * Rename, and Delete of one or several items (one question, one report of what failed). */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-files-page-private.h"
#include "tether-message-dialog.h"

static void
on_op_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  /* A weak hold, as the listing's (see _tether_files_page_hold ()): a closed window's page
   * has nothing left to say. */
  g_autoptr(TetherFilesPage) self = _tether_files_page_release_hold (user_data);
  g_autoptr(GError) error = NULL;

  if (!tether_sftp_client_op_finish (TETHER_SFTP_CLIENT (source), result, &error) &&
      self != NULL) {
    GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
    GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                _("Could Not Change the Folder"),
                                                error->message);

    adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
    gtk_window_present (GTK_WINDOW (dialog));
  }
  if (self != NULL)
    _tether_files_page_start_listing (self);
}

/* The entry goes with the dialog: keep what it says as it changes. */
static void
on_name_entry_changed (GtkEditable *entry,
                       GtkWidget   *dialog)
{
  g_object_set_data_full (G_OBJECT (dialog), "tether-name",
                          g_strdup (gtk_editable_get_text (entry)), g_free);
}

static AdwMessageDialog *
name_dialog_new (TetherFilesPage *self,
                 const char      *heading,
                 const char      *name,
                 const char      *response_label)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;
  GtkWidget *entry = gtk_entry_new ();

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ?
                                                       GTK_WINDOW (root) : NULL,
                                                       heading, NULL));
  g_signal_connect_object (entry, "changed", G_CALLBACK (on_name_entry_changed), dialog,
                           G_CONNECT_DEFAULT);
  gtk_editable_set_text (GTK_EDITABLE (entry), name);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "ok", response_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, "ok", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "ok");
  adw_message_dialog_set_close_response (dialog, "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  return dialog;
}

static const char *
chosen_name (GObject      *dialog,
             GAsyncResult *result)
{
  g_autofree char *response = NULL;
  const char *name;

  response = tether_message_dialog_choose_finish (ADW_MESSAGE_DIALOG (dialog), result, NULL);
  name = g_object_get_data (dialog, "tether-name");
  if (g_strcmp0 (response, "ok") != 0 || name == NULL || *name == '\0' || strchr (name, '/'))
    return NULL;
  return name;
}

static void
on_new_folder_chosen (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TetherFilesPage) self = user_data;
  const char *name = chosen_name (source, result);
  g_autofree char *path = NULL;

  if (name == NULL || self->client == NULL)
    return;
  path = _tether_files_page_child_path (self->path, name);
  tether_sftp_client_mkdir_async (self->client, path, 0777, NULL, on_op_done,
                                  _tether_files_page_hold (self));
}

static void
new_folder_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (widget);
  AdwMessageDialog *dialog = name_dialog_new (self, _("New Folder"), "", _("C_reate"));

  tether_message_dialog_choose_async (dialog, NULL, on_new_folder_chosen, g_object_ref (self));
}

typedef struct {
  TetherFilesPage *page;
  GFileInfo *info;
} ItemRequest;

static ItemRequest *
item_request_new (TetherFilesPage *self,
                  GFileInfo       *info)
{
  ItemRequest *request = g_new0 (ItemRequest, 1);

  request->page = g_object_ref (self);
  request->info = g_object_ref (info);
  return request;
}

static void
item_request_free (ItemRequest *request)
{
  g_object_unref (request->page);
  g_object_unref (request->info);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ItemRequest, item_request_free)

static void
on_rename_chosen (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ItemRequest) request = user_data;
  TetherFilesPage *self = request->page;
  const char *name = chosen_name (source, result);
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  if (name == NULL || self->client == NULL)
    return;
  from = _tether_files_page_child_path (self->path, g_file_info_get_name (request->info));
  to = _tether_files_page_child_path (self->path, name);
  tether_sftp_client_rename_async (self->client, from, to, FALSE, NULL, on_op_done,
                                   _tether_files_page_hold (self));
}

static void
rename_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (widget);
  GFileInfo *info = _tether_files_page_get_single_selected (self);
  AdwMessageDialog *dialog;

  if (info == NULL)
    return;
  dialog = name_dialog_new (self, _("Rename"), g_file_info_get_display_name (info),
                            _("_Rename"));
  tether_message_dialog_choose_async (dialog, NULL, on_rename_chosen,
                                      item_request_new (self, info));
}

/* The items one Delete removes, and what failed, told once all are done. */
typedef struct {
  GWeakRef page;               /* weakly, as the listing (see _tether_files_page_hold ()) */
  GPtrArray *items;            /* GFileInfo */
  guint pending;
  GString *failed;
} DeleteBatch;

static void
delete_batch_free (DeleteBatch *batch)
{
  g_weak_ref_clear (&batch->page);
  g_ptr_array_unref (batch->items);
  g_string_free (batch->failed, TRUE);
  g_free (batch);
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  DeleteBatch *batch = user_data;
  g_autoptr(TetherFilesPage) self = NULL;
  g_autoptr(GError) error = NULL;

  if (!tether_sftp_client_op_finish (TETHER_SFTP_CLIENT (source), result, &error))
    g_string_append_printf (batch->failed, "%s%s", batch->failed->len > 0 ? "\n" : "",
                            error->message);
  if (--batch->pending > 0)
    return;
  self = g_weak_ref_get (&batch->page);
  if (self == NULL) {
    delete_batch_free (batch);
    return;
  }
  if (batch->failed->len > 0) {
    GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
    GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                _("Could Not Delete Everything"),
                                                batch->failed->str);

    adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
    gtk_window_present (GTK_WINDOW (dialog));
  }
  _tether_files_page_start_listing (self);
  delete_batch_free (batch);
}

static void
on_delete_chosen (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  DeleteBatch *batch = user_data;
  g_autoptr(TetherFilesPage) self = g_weak_ref_get (&batch->page);
  g_autofree char *response = NULL;

  response = tether_message_dialog_choose_finish (ADW_MESSAGE_DIALOG (source), result, NULL);
  if (g_strcmp0 (response, "delete") != 0 || self == NULL || self->client == NULL) {
    delete_batch_free (batch);
    return;
  }
  /* Each item on its own request, all at once; one answer when the last is done. */
  batch->pending = batch->items->len;
  for (guint i = 0; i < batch->items->len; i++) {
    GFileInfo *info = g_ptr_array_index (batch->items, i);
    g_autofree char *path = _tether_files_page_child_path (self->path,
                                                           g_file_info_get_name (info));

    if (_tether_files_page_info_is_folder (info))
      tether_sftp_client_remove_recursive_async (self->client, path, NULL, NULL, on_deleted,
                                                 batch);
    else
      tether_sftp_client_remove_async (self->client, path, NULL, on_deleted, batch);
  }
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (widget);
  g_autoptr(GPtrArray) items = _tether_files_page_dup_selected (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  AdwMessageDialog *dialog;
  DeleteBatch *batch;

  if (items->len == 0)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ?
                                                       GTK_WINDOW (root) : NULL,
                                                       _("Delete?"), NULL));
  if (items->len == 1) {
    GFileInfo *info = g_ptr_array_index (items, 0);

    adw_message_dialog_format_body (dialog, _tether_files_page_info_is_folder (info) ?
                                    _("“%s” and everything in it will be deleted from the "
                                      "server. This cannot be undone.") :
                                    _("“%s” will be deleted from the server. This cannot be "
                                      "undone."),
                                    g_file_info_get_display_name (info));
  } else {
    gboolean folders = FALSE;

    for (guint i = 0; i < items->len; i++)
      folders |= _tether_files_page_info_is_folder (g_ptr_array_index (items, i));
    if (folders)
      adw_message_dialog_format_body (dialog,
                                      ngettext ("%u item will be deleted from the server, "
                                                "folders with everything in them. This "
                                                "cannot be undone.",
                                                "%u items will be deleted from the server, "
                                                "folders with everything in them. This "
                                                "cannot be undone.", items->len),
                                      items->len);
    else
      adw_message_dialog_format_body (dialog,
                                      ngettext ("%u file will be deleted from the server. "
                                                "This cannot be undone.",
                                                "%u files will be deleted from the server. "
                                                "This cannot be undone.", items->len),
                                      items->len);
  }
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  batch = g_new0 (DeleteBatch, 1);
  g_weak_ref_init (&batch->page, self);
  batch->items = g_steal_pointer (&items);
  batch->failed = g_string_new (NULL);
  tether_message_dialog_choose_async (dialog, NULL, on_delete_chosen, batch);
}

void
_tether_files_page_class_ops_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "files.new-folder", NULL,
                                   new_folder_activated);
  gtk_widget_class_install_action (widget_class, "files.rename", NULL, rename_activated);
  gtk_widget_class_install_action (widget_class, "files.delete", NULL, delete_activated);
}
