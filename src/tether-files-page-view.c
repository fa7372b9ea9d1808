/* tether-files-page-view.c: how the files page's list is ordered and found in: sorting by a
 * column's header (name, size, modified, permissions; folders stay first either way),
 * type-ahead (typing a name's first letters selects its row) and the Properties action. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-files-page-private.h"
#include "tether-files-properties.h"

/* Letters typed within this time of each other make one prefix; after it, a new one. */
#define TYPE_AHEAD_RESET_USEC (G_USEC_PER_SEC)
#define COLLATE_KEY_DATA "tether-collate-key"

/* ------------------------------------------------------------------------- */
/* Sorting                                                                   */

static int
compare_folders_first (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  gboolean folder_a = _tether_files_page_info_is_folder ((GFileInfo *) a);
  gboolean folder_b = _tether_files_page_info_is_folder ((GFileInfo *) b);

  if (folder_a == folder_b)
    return GTK_ORDERING_EQUAL;
  return folder_a ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
}

/* Collation keys are slow to make: one per entry, kept with it. */
static const char *
collate_key (GFileInfo *info)
{
  const char *key = g_object_get_data (G_OBJECT (info), COLLATE_KEY_DATA);

  if (key == NULL) {
    char *made = g_utf8_collate_key_for_filename (g_file_info_get_display_name (info), -1);

    g_object_set_data_full (G_OBJECT (info), COLLATE_KEY_DATA, made, g_free);
    key = made;
  }
  return key;
}

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return gtk_ordering_from_cmpfunc (strcmp (collate_key ((GFileInfo *) a),
                                            collate_key ((GFileInfo *) b)));
}

static int
compare_uint64 (GFileInfo  *a,
                GFileInfo  *b,
                const char *attribute)
{
  guint64 value_a = g_file_info_get_attribute_uint64 (a, attribute);
  guint64 value_b = g_file_info_get_attribute_uint64 (b, attribute);

  return value_a < value_b ? GTK_ORDERING_SMALLER :
         value_a > value_b ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

static int
compare_sizes (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return compare_uint64 ((GFileInfo *) a, (GFileInfo *) b, G_FILE_ATTRIBUTE_STANDARD_SIZE);
}

static int
compare_modified (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  return compare_uint64 ((GFileInfo *) a, (GFileInfo *) b, G_FILE_ATTRIBUTE_TIME_MODIFIED);
}

static int
compare_permissions (gconstpointer a,
                     gconstpointer b,
                     gpointer      user_data)
{
  guint32 mode_a = g_file_info_get_attribute_uint32 ((GFileInfo *) a,
                                                     G_FILE_ATTRIBUTE_UNIX_MODE) & 07777;
  guint32 mode_b = g_file_info_get_attribute_uint32 ((GFileInfo *) b,
                                                     G_FILE_ATTRIBUTE_UNIX_MODE) & 07777;

  return mode_a < mode_b ? GTK_ORDERING_SMALLER :
         mode_a > mode_b ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

/* Folders first, then the column the user chose (by name at first), then by name. */
static void
init_sorting (TetherFilesPage *self)
{
  static const GCompareDataFunc by_column[] = {
    compare_names, compare_sizes, compare_modified, compare_permissions,
  };
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  g_autoptr(GtkColumnViewColumn) name_column = g_list_model_get_item (columns, 0);
  GtkMultiSorter *sorter = gtk_multi_sorter_new ();

  for (guint i = 0; i < G_N_ELEMENTS (by_column) && i < g_list_model_get_n_items (columns);
       i++) {
    g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
    g_autoptr(GtkCustomSorter) column_sorter = gtk_custom_sorter_new (by_column[i], NULL, NULL);

    gtk_column_view_column_set_sorter (column, GTK_SORTER (column_sorter));
  }
  gtk_multi_sorter_append (sorter, GTK_SORTER (gtk_custom_sorter_new (compare_folders_first,
                                                                      NULL, NULL)));
  gtk_multi_sorter_append (sorter, g_object_ref (gtk_column_view_get_sorter (
                                                   self->column_view)));
  gtk_multi_sorter_append (sorter, GTK_SORTER (gtk_custom_sorter_new (compare_names, NULL,
                                                                      NULL)));
  gtk_sort_list_model_set_sorter (self->sorted, GTK_SORTER (sorter));
  g_object_unref (sorter);
  gtk_column_view_sort_by_column (self->column_view, name_column, GTK_SORT_ASCENDING);
}

/* ------------------------------------------------------------------------- */
/* Type-ahead                                                                */

typedef struct {
  GString *typed;
  gint64 last_time;
} TypeAhead;

static void
type_ahead_free (TypeAhead *type_ahead)
{
  g_string_free (type_ahead->typed, TRUE);
  g_free (type_ahead);
}

/* Selects the first row whose name starts with @prefix, ignoring case, and shows it. */
static void
select_prefix (TetherFilesPage *self,
               const char      *prefix)
{
  GListModel *model = G_LIST_MODEL (self->sorted);
  g_autofree char *folded_prefix = g_utf8_casefold (prefix, -1);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++) {
    g_autoptr(GFileInfo) info = g_list_model_get_item (model, i);
    g_autofree char *folded = g_utf8_casefold (g_file_info_get_display_name (info), -1);

    if (g_str_has_prefix (folded, folded_prefix)) {
      GtkWidget *child;

      gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
      /* The column view's rows are in a list view of its own, which knows how to scroll. */
      for (child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
           child != NULL; child = gtk_widget_get_next_sibling (child)) {
        if (GTK_IS_LIST_VIEW (child))
          gtk_widget_activate_action (child, "list.scroll-to-item", "u", i);
      }
      return;
    }
  }
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                TetherFilesPage       *self)
{
  TypeAhead *type_ahead = g_object_get_data (G_OBJECT (controller), "tether-type-ahead");
  gunichar c = gdk_keyval_to_unicode (keyval);
  gint64 now = g_get_monotonic_time ();

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0 || c == 0 ||
      !g_unichar_isprint (c))
    return FALSE;
  if (now - type_ahead->last_time > TYPE_AHEAD_RESET_USEC)
    g_string_truncate (type_ahead->typed, 0);
  /* A space alone is the list's own (it selects the focused row). */
  if (type_ahead->typed->len == 0 && g_unichar_isspace (c))
    return FALSE;
  type_ahead->last_time = now;
  g_string_append_unichar (type_ahead->typed, c);
  select_prefix (self, type_ahead->typed->str);
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Properties                                                                */

static void
on_properties_changed (TetherFilesPage *self)
{
  _tether_files_page_start_listing (self);
}

static void
properties_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (widget);
  GFileInfo *info = _tether_files_page_get_single_selected (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *path = NULL;
  TetherFilesProperties *properties;

  if (info == NULL || self->client == NULL || self->path == NULL)
    return;
  path = _tether_files_page_child_path (self->path, g_file_info_get_name (info));
  properties = tether_files_properties_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                            self->client, path, info);
  g_signal_connect_object (properties, "changed", G_CALLBACK (on_properties_changed), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (properties));
}

static void
on_selected (TetherFilesPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "files.properties",
                                 _tether_files_page_get_single_selected (self) != NULL);
}

void
_tether_files_page_class_view_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "files.properties", NULL,
                                   properties_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_ALT_MASK,
                                       "files.properties", NULL);
}

void
_tether_files_page_init_view (TetherFilesPage *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();
  TypeAhead *type_ahead = g_new0 (TypeAhead, 1);

  init_sorting (self);

  type_ahead->typed = g_string_new (NULL);
  g_object_set_data_full (G_OBJECT (keys), "tether-type-ahead", type_ahead,
                          (GDestroyNotify) type_ahead_free);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), keys);

  g_signal_connect_object (self->selection, "selection-changed", G_CALLBACK (on_selected),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed", G_CALLBACK (on_selected), self,
                           G_CONNECT_SWAPPED);
  on_selected (self);
}
