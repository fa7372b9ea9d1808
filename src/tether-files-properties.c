/* tether-files-properties.c: a file's or folder's properties on the server: name, size,
 * modification time, owner and group ids, and its permissions as nine checkboxes (owner,
 * group, others × read, write, execute).
 *
 * A change applies at once, as in a file manager's properties: the checkboxes' mode goes to
 * the server with SETSTAT. Changes made while one is on its way are sent after it. When the
 * server refuses (most often: the user does not own the file), the checkboxes return to
 * what the server has and the dialog says why, in the server's words. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-files-properties.h"

/* What chmod may change: the permissions, set-id and sticky bits, not the file type. */
#define MODE_BITS 07777
#define PERMISSION_BITS 0777

struct _TetherFilesProperties
{
  AdwWindow parent_instance;

  TetherSftpClient *client;
  char *path;
  char *name;
  GCancellable *cancellable;
  guint mode;              /* what the server has, as far as we know */
  guint sent_mode;         /* what is on its way */
  gboolean busy;
  gboolean pending;        /* the checkboxes changed while busy */
  gboolean updating;       /* the checkboxes are being set, not toggled by the user */
  char *error_message;
  GtkCheckButton *checks[9];  /* in the order of the bits, from 0400 down to 0001 */

  /* Template children */
  AdwActionRow *name_row;
  AdwActionRow *size_row;
  AdwActionRow *modified_row;
  AdwActionRow *owner_row;
  GtkGrid *permissions_grid;
  GtkLabel *error_label;
};

G_DEFINE_FINAL_TYPE (TetherFilesProperties, tether_files_properties, ADW_TYPE_WINDOW)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static guint
bit_of (guint index)
{
  return 1u << (8 - index);
}

static guint
checked_mode (TetherFilesProperties *self)
{
  guint mode = self->mode & MODE_BITS & ~PERMISSION_BITS;

  for (guint i = 0; i < G_N_ELEMENTS (self->checks); i++) {
    if (gtk_check_button_get_active (self->checks[i]))
      mode |= bit_of (i);
  }
  return mode;
}

static void
show_mode (TetherFilesProperties *self,
           guint                  mode)
{
  self->updating = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (self->checks); i++)
    gtk_check_button_set_active (self->checks[i], (mode & bit_of (i)) != 0);
  self->updating = FALSE;
}

static void
set_error (TetherFilesProperties *self,
           const char            *message)
{
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void apply (TetherFilesProperties *self);

static void
on_chmod_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(TetherFilesProperties) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  gboolean done;

  g_weak_ref_clear (weak);
  g_free (weak);
  done = tether_sftp_client_op_finish (TETHER_SFTP_CLIENT (source), result, &error);
  if (self == NULL)
    return;
  self->busy = FALSE;
  if (!done) {
    g_autofree char *message = NULL;

    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    /* Translators: %s is the file, then why (from the server) */
    message = g_strdup_printf (_("Could not change the permissions of “%s”: %s"), self->name,
                               error->message);
    self->pending = FALSE;
    set_error (self, message);
    show_mode (self, self->mode);
    return;
  }

  self->mode = self->sent_mode;
  set_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  if (self->pending) {
    self->pending = FALSE;
    apply (self);
  }
}

static void
apply (TetherFilesProperties *self)
{
  guint mode = checked_mode (self);
  GWeakRef *weak;

  if (self->busy) {
    self->pending = TRUE;
    return;
  }
  if (mode == (self->mode & MODE_BITS))
    return;
  self->busy = TRUE;
  self->sent_mode = mode;
  /* Weak: a window must not outlive its parent, which destroys it (destroy-with-parent). */
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  tether_sftp_client_chmod_async (self->client, self->path, mode, self->cancellable,
                                  on_chmod_done, weak);
}

static void
on_check_toggled (TetherFilesProperties *self)
{
  if (!self->updating)
    apply (self);
}

/* ------------------------------------------------------------------------- */
/* What the file is                                                          */

static void
show_info (TetherFilesProperties *self,
           GFileInfo             *info)
{
  g_autofree char *size = NULL;
  g_autofree char *modified = NULL;
  g_autofree char *owner = NULL;

  adw_action_row_set_subtitle (self->name_row, g_file_info_get_display_name (info));
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    size = g_strdup (_("Folder"));
  else if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE))
    size = g_format_size_full (g_file_info_get_size (info), G_FORMAT_SIZE_LONG_FORMAT);
  adw_action_row_set_subtitle (self->size_row, size != NULL ? size : _("Unknown"));

  if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_TIME_MODIFIED)) {
    g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (
      (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED));

    if (time != NULL)
      modified = g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
  }
  adw_action_row_set_subtitle (self->modified_row, modified != NULL ? modified : _("Unknown"));

  /* SFTP v3 gives the ids only; the names are the server's to know. */
  if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_UNIX_UID))
    /* Translators: the numeric user and group ids of a file's owner */
    owner = g_strdup_printf (_("User %u, group %u"),
                             g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_UID),
                             g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_GID));
  adw_action_row_set_subtitle (self->owner_row, owner != NULL ? owner : _("Unknown"));

  if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_UNIX_MODE)) {
    self->mode = g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE) & MODE_BITS;
    show_mode (self, self->mode);
  } else {
    gtk_widget_set_sensitive (GTK_WIDGET (self->permissions_grid), FALSE);
  }
}

/* ------------------------------------------------------------------------- */
/* GObject                                                                   */

static void
tether_files_properties_dispose (GObject *object)
{
  TetherFilesProperties *self = TETHER_FILES_PROPERTIES (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->client);
  gtk_widget_dispose_template (GTK_WIDGET (self), TETHER_TYPE_FILES_PROPERTIES);

  G_OBJECT_CLASS (tether_files_properties_parent_class)->dispose (object);
}

static void
tether_files_properties_finalize (GObject *object)
{
  TetherFilesProperties *self = TETHER_FILES_PROPERTIES (object);

  g_clear_object (&self->cancellable);
  g_free (self->path);
  g_free (self->name);
  g_free (self->error_message);

  G_OBJECT_CLASS (tether_files_properties_parent_class)->finalize (object);
}

static void
tether_files_properties_class_init (TetherFilesPropertiesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tether_files_properties_dispose;
  object_class->finalize = tether_files_properties_finalize;

  /**
   * TetherFilesProperties::changed:
   *
   * The server took new permissions.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/"
                                               "tether-files-properties.ui");
  gtk_widget_class_bind_template_child (widget_class, TetherFilesProperties, name_row);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesProperties, size_row);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesProperties, modified_row);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesProperties, owner_row);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesProperties,
                                        permissions_grid);
  gtk_widget_class_bind_template_child (widget_class, TetherFilesProperties, error_label);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
tether_files_properties_init (TetherFilesProperties *self)
{
  static const char * const whose[] = { "owner", "group", "others" };
  static const char * const what[] = { "read", "write", "execute" };
  const char *labels[] = {
    _("Owner can read"), _("Owner can write"), _("Owner can execute"),
    _("Group can read"), _("Group can write"), _("Group can execute"),
    _("Others can read"), _("Others can write"), _("Others can execute"),
  };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();

  for (guint i = 0; i < G_N_ELEMENTS (self->checks); i++) {
    GtkWidget *check = gtk_check_button_new ();
    g_autofree char *name = g_strdup_printf ("%s-%s", whose[i / 3], what[i % 3]);

    gtk_widget_set_name (check, name);
    gtk_widget_set_halign (check, GTK_ALIGN_CENTER);
    gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    labels[i], -1);
    gtk_widget_set_tooltip_text (check, labels[i]);
    g_signal_connect_swapped (check, "toggled", G_CALLBACK (on_check_toggled), self);
    gtk_grid_attach (self->permissions_grid, check, 1 + i % 3, 1 + i / 3, 1, 1);
    self->checks[i] = GTK_CHECK_BUTTON (check);
  }
}

/* ------------------------------------------------------------------------- */
/* Public API                                                                */

/**
 * tether_files_properties_new:
 * @parent: (nullable): the window it belongs to
 * @client: the SFTP client to change the permissions with
 * @path: the file on the server
 * @info: what a listing says of it
 *
 * Returns: (transfer none): a new properties window, not shown yet
 */
TetherFilesProperties *
tether_files_properties_new (GtkWindow        *parent,
                             TetherSftpClient *client,
                             const char       *path,
                             GFileInfo        *info)
{
  TetherFilesProperties *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (TETHER_IS_SFTP_CLIENT (client), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE_INFO (info), NULL);

  self = g_object_new (TETHER_TYPE_FILES_PROPERTIES, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->path = g_strdup (path);
  self->name = g_strdup (g_file_info_get_display_name (info));
  show_info (self, info);
  return self;
}

const char *
tether_files_properties_get_path (TetherFilesProperties *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PROPERTIES (self), NULL);

  return self->path;
}

/**
 * tether_files_properties_get_mode:
 * @self: a properties window
 *
 * Returns: the permission bits the server is known to have
 */
guint
tether_files_properties_get_mode (TetherFilesProperties *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PROPERTIES (self), 0);

  return self->mode;
}

/**
 * tether_files_properties_get_busy:
 * @self: a properties window
 *
 * Returns: whether a change is on its way to the server
 */
gboolean
tether_files_properties_get_busy (TetherFilesProperties *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PROPERTIES (self), FALSE);

  return self->busy;
}

/**
 * tether_files_properties_get_error_message:
 * @self: a properties window
 *
 * Returns: (nullable): why the last change failed, or %NULL
 */
const char *
tether_files_properties_get_error_message (TetherFilesProperties *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PROPERTIES (self), NULL);

  return self->error_message;
}
