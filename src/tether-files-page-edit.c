/* tether-files-page-edit.c: the files page's "Open With Default App" and its rows' context
 * menu.
 *
 * Opening a file starts a TetherRemoteEdit (a private local copy, watched, each save uploaded)
 * and launches the user's default app on the copy. The page says when a save goes to the
 * server and when it is there, and asks when the server's file changed meanwhile. The edits
 * last as long as the page: closing the tab stops them and removes the copies. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-files-page-private.h"
#include "tether-message-dialog.h"
#include "tether-window.h"

#define RESPONSE_UPLOAD_MINE "upload-mine"
#define RESPONSE_KEEP_THEIRS "keep-theirs"
/* Escape: decide later; the next save asks again. */
#define RESPONSE_LATER "later"

/* ------------------------------------------------------------------------- */
/* Feedback                                                                  */

static void
show_toast (TetherFilesPage *self,
            AdwToast        *toast)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (TETHER_IS_WINDOW (root))
    tether_window_add_toast (TETHER_WINDOW (root), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static char *
edit_name (TetherRemoteEdit *edit)
{
  return g_path_get_basename (tether_remote_edit_get_remote_path (edit));
}

static void
on_edit_toast_dismissed (AdwToast         *toast,
                         TetherRemoteEdit *edit)
{
  if (g_object_get_data (G_OBJECT (edit), "tether-toast") == toast)
    g_object_set_data (G_OBJECT (edit), "tether-toast", NULL);
}

/* Says @text in the edit's toast while it is up, so that "Saved" replaces "Saving" where
 * it stands; a new toast otherwise, or when @persistent. (Never dismissing one: libadwaita
 * 1.2 frees a toast dismissed during its show animation twice.) Toast titles are markup. */
static void
show_edit_toast (TetherFilesPage  *self,
                 TetherRemoteEdit *edit,
                 const char       *text,
                 gboolean          persistent)
{
  AdwToast *toast = g_object_get_data (G_OBJECT (edit), "tether-toast");
  g_autofree char *markup = g_markup_escape_text (text, -1);

  if (toast != NULL && !persistent) {
    adw_toast_set_title (toast, markup);
    return;
  }
  toast = adw_toast_new (markup);
  if (persistent)
    adw_toast_set_timeout (toast, 0);
  g_object_set_data_full (G_OBJECT (edit), "tether-toast", g_object_ref (toast),
                          g_object_unref);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_edit_toast_dismissed), edit,
                           G_CONNECT_DEFAULT);
  show_toast (self, toast);
}

static void
on_edit_state (TetherRemoteEdit *edit,
               GParamSpec       *pspec,
               TetherFilesPage  *self)
{
  g_autofree char *name = edit_name (edit);
  g_autofree char *text = NULL;
  const GError *error = tether_remote_edit_get_error (edit);

  switch (tether_remote_edit_get_state (edit)) {
  case TETHER_REMOTE_EDIT_STATE_UPLOADING:
    /* Translators: a file edited with another app is being uploaded; %s is its name */
    text = g_strdup_printf (_("Saving “%s” to the server…"), name);
    show_edit_toast (self, edit, text, FALSE);
    return;
  case TETHER_REMOTE_EDIT_STATE_FAILED:
    /* Only the saves' failures: a failed start says so itself. */
    if (error == NULL || g_object_get_data (G_OBJECT (edit), "tether-started") == NULL)
      return;
    /* Translators: %s is a file's name, then why it could not be uploaded */
    text = g_strdup_printf (_("Could not save “%s” to the server: %s"), name, error->message);
    show_edit_toast (self, edit, text, TRUE);
    return;
  default:
    return;
  }
}

static void
on_edit_uploaded (TetherRemoteEdit *edit,
                  GParamSpec       *pspec,
                  TetherFilesPage  *self)
{
  g_autofree char *name = edit_name (edit);
  /* Translators: a file edited with another app is on the server; %s is its name */
  g_autofree char *text = g_strdup_printf (_("Saved “%s”"), name);

  show_edit_toast (self, edit, text, FALSE);
  _tether_files_page_start_listing (self);
}

/* ------------------------------------------------------------------------- */
/* Conflicts                                                                 */

static void
on_conflict_chosen (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(TetherRemoteEdit) edit = user_data;
  g_autofree char *response = NULL;

  response = tether_message_dialog_choose_finish (ADW_MESSAGE_DIALOG (source), result, NULL);
  g_object_set_data (G_OBJECT (edit), "tether-conflict-dialog", NULL);
  if (g_strcmp0 (response, RESPONSE_UPLOAD_MINE) == 0)
    tether_remote_edit_resolve (edit, TETHER_REMOTE_EDIT_KEEP_MINE);
  else if (g_strcmp0 (response, RESPONSE_KEEP_THEIRS) == 0)
    tether_remote_edit_resolve (edit, TETHER_REMOTE_EDIT_KEEP_THEIRS);
}

static void
on_edit_conflict (TetherRemoteEdit *edit,
                  TetherFilesPage  *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *name = edit_name (edit);
  g_autofree char *text = NULL;
  AdwMessageDialog *dialog;

  /* Translators: the toast of a save that was not uploaded; %s is the file's name */
  text = g_strdup_printf (_("“%s” changed on the server"), name);
  if (g_object_get_data (G_OBJECT (edit), "tether-toast") != NULL)
    show_edit_toast (self, edit, text, FALSE);
  /* One question at a time; a save meanwhile does not stack another one. */
  if (g_object_get_data (G_OBJECT (edit), "tether-conflict-dialog") != NULL)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ?
                                                       GTK_WINDOW (root) : NULL,
                                                       NULL, NULL));
  /* Translators: %s is the name of a file being edited with another app */
  adw_message_dialog_format_heading (dialog, _("“%s” changed on the server"), name);
  adw_message_dialog_set_body (dialog,
                               _("Someone changed the file on the server since you opened "
                                 "it. Upload your version over theirs, or keep the server’s "
                                 "version, which replaces your changes in the open copy."));
  adw_message_dialog_add_responses (dialog,
                                    RESPONSE_KEEP_THEIRS, _("_Keep Server Version"),
                                    RESPONSE_UPLOAD_MINE, _("_Upload Mine"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, RESPONSE_UPLOAD_MINE,
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, RESPONSE_KEEP_THEIRS);
  adw_message_dialog_set_close_response (dialog, RESPONSE_LATER);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_object_set_data (G_OBJECT (edit), "tether-conflict-dialog", dialog);
  tether_message_dialog_choose_async (dialog, NULL, on_conflict_chosen, g_object_ref (edit));
}

/* ------------------------------------------------------------------------- */
/* Opening                                                                   */

static void
on_launched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TetherFilesPage) self = _tether_files_page_release_hold (user_data);
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) && self != NULL) {
    /* Translators: no app could open a file; the reason follows */
    g_autofree char *title = g_strdup_printf (_("Could not open the file: %s"), error->message);
    g_autofree char *markup = g_markup_escape_text (title, -1);
    AdwToast *toast = adw_toast_new (markup);

    adw_toast_set_timeout (toast, 0);
    show_toast (self, toast);
  }
}

static void
launch (TetherFilesPage  *self,
        TetherRemoteEdit *edit)
{
  g_autofree char *uri = g_file_get_uri (tether_remote_edit_get_local_file (edit));
  g_autoptr(GdkAppLaunchContext) context = NULL;

  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           on_launched, _tether_files_page_hold (self));
}

static void
on_edit_started (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TetherFilesPage) self = _tether_files_page_release_hold (user_data);
  TetherRemoteEdit *edit = TETHER_REMOTE_EDIT (source);
  g_autoptr(GError) error = NULL;

  if (!tether_remote_edit_start_finish (edit, result, &error)) {
    if (self != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_autofree char *markup = g_markup_escape_text (error->message, -1);

      show_toast (self, adw_toast_new (markup));
    }
    return;
  }
  g_object_set_data (G_OBJECT (edit), "tether-started", GINT_TO_POINTER (TRUE));
  /* The tab closed meanwhile: the copy is gone with it. */
  if (self == NULL || self->edits == NULL)
    return;
  launch (self, edit);
}

/* Opens the file @name of the folder shown with the default app, for editing in place. */
void
_tether_files_page_open_file (TetherFilesPage *self,
                              const char      *name)
{
  g_autofree char *path = NULL;
  TetherRemoteEdit *edit;

  if (self->client == NULL || self->path == NULL || self->edits == NULL)
    return;
  path = _tether_files_page_child_path (self->path, name);
  edit = g_hash_table_lookup (self->edits, path);
  if (edit != NULL) {
    TetherRemoteEditState state = tether_remote_edit_get_state (edit);

    /* Opened already: the same copy again (a copy still on its way opens when there). */
    if (g_object_get_data (G_OBJECT (edit), "tether-started") != NULL &&
        state != TETHER_REMOTE_EDIT_STATE_STOPPED) {
      launch (self, edit);
      return;
    }
    if (state == TETHER_REMOTE_EDIT_STATE_DOWNLOADING)
      return;
  }

  edit = tether_remote_edit_new (self->client, path);
  g_hash_table_replace (self->edits, g_strdup (path), edit);
  g_signal_connect_object (edit, "notify::state", G_CALLBACK (on_edit_state), self,
                           G_CONNECT_DEFAULT);
  g_signal_connect_object (edit, "notify::n-uploads", G_CALLBACK (on_edit_uploaded), self,
                           G_CONNECT_DEFAULT);
  g_signal_connect_object (edit, "conflict", G_CALLBACK (on_edit_conflict), self,
                           G_CONNECT_DEFAULT);
  tether_remote_edit_start_async (edit, NULL, on_edit_started, _tether_files_page_hold (self));
}

/**
 * tether_files_page_lookup_edit:
 * @self: a files page
 * @remote_path: a file on the server
 *
 * Returns: (transfer none) (nullable): the edit in place of @remote_path that Open With
 *   Default App started, if any
 */
TetherRemoteEdit *
tether_files_page_lookup_edit (TetherFilesPage *self,
                               const char      *remote_path)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);
  g_return_val_if_fail (remote_path != NULL, NULL);

  return self->edits != NULL ? g_hash_table_lookup (self->edits, remote_path) : NULL;
}

/* After a reconnect the page has a new client; the edits upload through it. */
void
_tether_files_page_edit_client_changed (TetherFilesPage *self)
{
  GHashTableIter iter;
  gpointer edit;

  if (self->client == NULL || self->edits == NULL)
    return;
  g_hash_table_iter_init (&iter, self->edits);
  while (g_hash_table_iter_next (&iter, NULL, &edit))
    tether_remote_edit_set_client (edit, self->client);
}

static void
open_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (widget);
  GFileInfo *info = _tether_files_page_get_single_selected (self);

  if (info == NULL || g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    return;
  _tether_files_page_open_file (self, g_file_info_get_name (info));
}

/* ------------------------------------------------------------------------- */
/* The rows' context menu                                                    */

static void
popup_context_menu (TetherFilesPage *self,
                    double           x,
                    double           y)
{
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };

  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), &rect);
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

static void
on_cell_pressed (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 GtkListItem     *item)
{
  GtkWidget *cell = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkWidget *page = gtk_widget_get_ancestor (cell, TETHER_TYPE_FILES_PAGE);
  TetherFilesPage *self;
  double view_x;
  double view_y;

  if (page == NULL)
    return;
  self = TETHER_FILES_PAGE (page);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  /* The menu is about the row it was opened on: with the other selected rows when it is one
   * of them, as in a file manager, alone when not. */
  if (!gtk_list_item_get_selected (item))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection),
                                     gtk_list_item_get_position (item), TRUE);
  if (!gtk_widget_translate_coordinates (cell, GTK_WIDGET (self->column_view), x, y,
                                         &view_x, &view_y))
    view_x = view_y = 0;
  popup_context_menu (self, view_x, view_y);
}

/* Runs after the page's own setup, which made the cell's child. */
static void
on_cell_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkGesture *gesture = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_cell_pressed), item);
  gtk_widget_add_controller (gtk_list_item_get_child (item), GTK_EVENT_CONTROLLER (gesture));
}

static void
context_menu_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (widget);
  g_autoptr(GPtrArray) selected = _tether_files_page_dup_selected (self);

  if (selected->len == 0)
    return;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), NULL);
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

/* ------------------------------------------------------------------------- */
/* Set-up                                                                    */

void
_tether_files_page_class_edit_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "files.open", NULL, open_activated);
  gtk_widget_class_install_action (widget_class, "files.context-menu", NULL,
                                   context_menu_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                       "files.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "files.context-menu",
                                       NULL);
}

/* Once the columns are there. */
void
_tether_files_page_edit_init (TetherFilesPage *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) open_section = g_menu_new ();
  g_autoptr(GMenu) change_section = g_menu_new ();

  self->edits = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++) {
    g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

    g_signal_connect (gtk_column_view_column_get_factory (column), "setup",
                      G_CALLBACK (on_cell_setup), NULL);
  }

  g_menu_append (open_section, _("_Open With Default App"), "files.open");
  g_menu_append (open_section, _("_Download…"), "files.download");
  g_menu_append (change_section, _("_Rename…"), "files.rename");
  g_menu_append (change_section, _("_Delete"), "files.delete");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (open_section));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (change_section));
  self->context_menu = gtk_popover_menu_new_from_model (G_MENU_MODEL (menu));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
  gtk_widget_set_halign (self->context_menu, GTK_ALIGN_START);
  gtk_widget_set_parent (self->context_menu, GTK_WIDGET (self->column_view));
}

/* Before the template goes: stops the edits (removing their copies). */
void
_tether_files_page_edit_dispose (TetherFilesPage *self)
{
  if (self->edits != NULL) {
    GHashTableIter iter;
    gpointer edit;

    g_hash_table_iter_init (&iter, self->edits);
    while (g_hash_table_iter_next (&iter, NULL, &edit)) {
      g_signal_handlers_disconnect_by_data (edit, self);
      tether_remote_edit_stop (edit);
    }
    g_clear_pointer (&self->edits, g_hash_table_unref);
  }
  g_clear_pointer (&self->context_menu, gtk_widget_unparent);
}
