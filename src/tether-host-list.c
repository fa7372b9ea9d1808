/* tether-host-list.c: the sidebar's list of saved hosts.
 *
 * A GtkListBox bound to the host store through a sort model (by group, then name) and a
 * filter model (the search text). GTK 4.8 has no section model, so group headers are list box
 * headers. Each row carries a "host" action group (connect, edit, duplicate, copy command,
 * delete) that its menu button, a right click and the Menu key all open; activating a row
 * emits TetherHostList::host-activated. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-host-editor.h"
#include "tether-host-list.h"
#include "tether-host-state-indicator.h"

struct _TetherHostList
{
  AdwBin parent_instance;

  TetherHostStore *store;
  GtkSortListModel *sort_model;
  GtkFilterListModel *filter_model;
  GtkCustomFilter *filter;
  GtkCustomSorter *sorter;
  char *search_text;            /* casefolded */
  GHashTable *states;           /* host key -> TetherConnectionState */
  GHashTable *sessions;         /* host key -> TetherHostSession (owned) */

  /* Template children */
  GtkListBox *list_box;
  GtkStack *placeholder_stack;
  GMenuModel *host_menu;
};

G_DEFINE_FINAL_TYPE (TetherHostList, tether_host_list, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SEARCH_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_HOST_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Group headers line up with the rows' text inside .navigation-sidebar's row padding. */
#define HEADER_MARGIN_START 14
#define HEADER_MARGIN_END 14
#define HEADER_MARGIN_TOP 18
#define HEADER_MARGIN_BOTTOM 6

/* Rows keep what they show in object data. */
#define ROW_HOST_KEY "tether-host"
/* The host colour's dot: about the size of the state indicator's. */
#define COLOUR_DOT_SIZE 10
#define ROW_STATE_STACK_KEY "tether-state-stack"
#define ROW_MENU_BUTTON_KEY "tether-menu-button"

/* Hosts are looked up by id; the store may hand out a new object for an edited host. */
static const char *
host_key (TetherHost *host)
{
  const char *id = tether_host_get_id (host);

  return id != NULL ? id : tether_host_get_alias (host);
}

static TetherHost *
row_get_host (GtkListBoxRow *row)
{
  return g_object_get_data (G_OBJECT (row), ROW_HOST_KEY);
}

static gboolean
contains_casefolded (const char *haystack,
                     const char *needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;

  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle) != NULL;
}

static gboolean
filter_host (gpointer item,
             gpointer user_data)
{
  TetherHostList *self = user_data;
  TetherHost *host = item;

  if (self->search_text == NULL || *self->search_text == '\0')
    return TRUE;

  return contains_casefolded (tether_host_get_display_name (host), self->search_text) ||
         contains_casefolded (tether_host_get_alias (host), self->search_text) ||
         contains_casefolded (tether_host_get_hostname (host), self->search_text) ||
         contains_casefolded (tether_host_get_user (host), self->search_text) ||
         contains_casefolded (tether_host_get_group (host), self->search_text);
}

static int
compare_strings (const char *a,
                 const char *b)
{
  g_autofree char *a_key = g_utf8_collate_key (a != NULL ? a : "", -1);
  g_autofree char *b_key = g_utf8_collate_key (b != NULL ? b : "", -1);

  return strcmp (a_key, b_key);
}

/* Ungrouped hosts first, then each group; by name within a group. */
static int
sort_hosts (gconstpointer a,
            gconstpointer b,
            gpointer      user_data)
{
  TetherHost *host_a = TETHER_HOST ((gpointer) a);
  TetherHost *host_b = TETHER_HOST ((gpointer) b);
  int result;

  result = compare_strings (tether_host_get_group (host_a), tether_host_get_group (host_b));
  if (result != 0)
    return result;

  return compare_strings (tether_host_get_display_name (host_a),
                          tether_host_get_display_name (host_b));
}

static void
update_header (GtkListBoxRow *row,
               GtkListBoxRow *before,
               gpointer       user_data)
{
  const char *group = tether_host_get_group (row_get_host (row));
  const char *before_group = before != NULL ? tether_host_get_group (row_get_host (before)) : NULL;
  GtkWidget *header = gtk_list_box_row_get_header (row);

  if (group == NULL || *group == '\0' || g_strcmp0 (group, before_group) == 0) {
    gtk_list_box_row_set_header (row, NULL);
    return;
  }

  if (!GTK_IS_LABEL (header)) {
    header = gtk_label_new (NULL);
    gtk_label_set_xalign (GTK_LABEL (header), 0);
    gtk_label_set_ellipsize (GTK_LABEL (header), PANGO_ELLIPSIZE_END);
    gtk_widget_set_margin_start (header, HEADER_MARGIN_START);
    gtk_widget_set_margin_end (header, HEADER_MARGIN_END);
    gtk_widget_set_margin_bottom (header, HEADER_MARGIN_BOTTOM);
    gtk_widget_add_css_class (header, "caption-heading");
    gtk_widget_add_css_class (header, "dim-label");
    gtk_list_box_row_set_header (row, header);
  }

  gtk_label_set_label (GTK_LABEL (header), group);
  /* Lined up with the rows' text, as sidebars in GNOME apps head their sections; the first
   * header needs no space above it. */
  gtk_widget_set_margin_top (header, before != NULL ? HEADER_MARGIN_TOP : HEADER_MARGIN_BOTTOM);
}

static void
update_placeholder (TetherHostList *self)
{
  gboolean empty = self->store == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0;

  gtk_stack_set_visible_child_name (self->placeholder_stack, empty ? "empty" : "no-results");
}

static char *
dup_subtitle (TetherHost *host)
{
  g_autofree char *user = tether_host_dup_effective_user (host);
  const char *hostname = tether_host_get_hostname (host);
  guint port = tether_host_get_port (host);
  GString *subtitle = g_string_new (NULL);

  if (hostname == NULL)
    hostname = tether_host_get_alias (host);
  if (user != NULL && *user != '\0')
    g_string_append_printf (subtitle, "%s@", user);
  g_string_append (subtitle, hostname != NULL ? hostname : "");
  if (port != 0 && port != TETHER_DEFAULT_PORT)
    g_string_append_printf (subtitle, ":%u", port);

  return g_string_free (subtitle, FALSE);
}

/* The host's colour, as its terminal tabs show it: a drawing area rather than CSS, so that
 * whatever the hosts file holds is drawn as parsed, never built into a style sheet. */
static void
draw_colour_dot (GtkDrawingArea *area,
                 cairo_t        *cr,
                 int             width,
                 int             height,
                 gpointer        user_data)
{
  TetherHost *host = row_get_host (GTK_LIST_BOX_ROW (user_data));
  const char *colour = host != NULL ? tether_host_get_colour (host) : NULL;
  GdkRGBA rgba;

  if (colour == NULL || !gdk_rgba_parse (&rgba, colour))
    return;

  gdk_cairo_set_source_rgba (cr, &rgba);
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.0, 0, 2 * G_PI);
  cairo_fill (cr);
}

static void
update_row_labels (GtkListBoxRow *row)
{
  TetherHost *host = row_get_host (row);
  GtkWidget *title = g_object_get_data (G_OBJECT (row), "tether-title");
  GtkWidget *subtitle = g_object_get_data (G_OBJECT (row), "tether-subtitle");
  GtkWidget *dot = g_object_get_data (G_OBJECT (row), "tether-colour-dot");
  const char *colour = tether_host_get_colour (host);
  g_autofree char *subtitle_text = dup_subtitle (host);
  GdkRGBA rgba;

  /* Transparent rather than hidden: the names of all rows stay lined up. */
  gtk_widget_set_opacity (dot, colour != NULL && gdk_rgba_parse (&rgba, colour) ? 1.0 : 0.0);
  gtk_widget_queue_draw (dot);

  gtk_label_set_label (GTK_LABEL (title), tether_host_get_display_name (host));
  gtk_label_set_label (GTK_LABEL (subtitle), subtitle_text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), subtitle_text);
}

static void
on_host_notify (TetherHost    *host,
                GParamSpec    *pspec,
                GtkListBoxRow *row)
{
  TetherHostList *self;

  update_row_labels (row);

  /* A changed name or group moves the host. */
  self = TETHER_HOST_LIST (gtk_widget_get_ancestor (GTK_WIDGET (row), TETHER_TYPE_HOST_LIST));
  if (self != NULL && (g_str_equal (pspec->name, "group") ||
                       g_str_equal (pspec->name, "display-name")))
    gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

static TetherHostList *
row_get_list (GtkWidget *row)
{
  return TETHER_HOST_LIST (gtk_widget_get_ancestor (row, TETHER_TYPE_HOST_LIST));
}

static void
show_toast (TetherHostList *self,
            AdwToast       *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
show_error_toast (TetherHostList *self,
                  const GError   *error)
{
  /* Toast titles are markup; the message may quote a host or a file name. */
  g_autofree char *markup = g_markup_escape_text (error->message, -1);
  AdwToast *toast = adw_toast_new (markup);

  adw_toast_set_timeout (toast, 0);
  show_toast (self, toast);
}

static void
connect_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  GtkListBoxRow *row = user_data;
  TetherHostList *self = row_get_list (GTK_WIDGET (row));

  if (self != NULL)
    g_signal_emit (self, signals[SIGNAL_HOST_ACTIVATED], 0, row_get_host (row));
}

/* The window opens them: the same action as its shortcut. */
static void
open_files_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  GtkListBoxRow *row = user_data;

  gtk_widget_activate_action (GTK_WIDGET (row), "win.open-files", "s",
                              host_key (row_get_host (row)));
}

static void
open_files_administrator_activated (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  GtkListBoxRow *row = user_data;

  gtk_widget_activate_action (GTK_WIDGET (row), "win.open-files-administrator", "s",
                              host_key (row_get_host (row)));
}

/* The window shows them: the same action its shortcut and the tab menu use. */
static void
forwards_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkListBoxRow *row = user_data;

  gtk_widget_activate_action (GTK_WIDGET (row), "win.show-forwards", "s",
                              host_key (row_get_host (row)));
}

static void
edit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkListBoxRow *row = user_data;
  TetherHostList *self = row_get_list (GTK_WIDGET (row));
  GtkWindow *parent;
  GtkWindow *editor;

  if (self == NULL || self->store == NULL)
    return;

  parent = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));
  editor = GTK_WINDOW (tether_host_editor_new (parent, self->store, row_get_host (row)));
  gtk_window_present (editor);
}

/* The list for a callback: it may be gone when the disk answers. */
typedef struct {
  GWeakRef ref;
} ListRef;

static ListRef *
list_ref_new (TetherHostList *list)
{
  ListRef *ref = g_new0 (ListRef, 1);

  g_weak_ref_init (&ref->ref, list);
  return ref;
}

static void
list_ref_free (ListRef *ref)
{
  g_weak_ref_clear (&ref->ref);
  g_free (ref);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ListRef, list_ref_free)

static void
on_duplicated (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ListRef) list_ref = user_data;
  g_autoptr(TetherHostList) self = g_weak_ref_get (&list_ref->ref);
  g_autoptr(TetherHost) copy = NULL;
  g_autoptr(GError) error = NULL;

  copy = tether_host_store_duplicate_finish (TETHER_HOST_STORE (source), result, &error);
  if (copy == NULL && self != NULL)
    show_error_toast (self, error);
}

static void
duplicate_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkListBoxRow *row = user_data;
  TetherHostList *self = row_get_list (GTK_WIDGET (row));

  if (self == NULL || self->store == NULL)
    return;

  tether_host_store_duplicate_async (self->store, row_get_host (row), NULL, on_duplicated,
                                     list_ref_new (self));
}

static void
copy_command_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  GtkListBoxRow *row = user_data;
  TetherHostList *self = row_get_list (GTK_WIDGET (row));
  g_autofree char *command = tether_host_dup_ssh_command (row_get_host (row));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (row)), command);
  if (self != NULL)
    show_toast (self, adw_toast_new (_("Command copied")));
}

typedef struct {
  TetherHostList *list;         /* weak */
  TetherHostStore *store;
  TetherHost *host;
  gboolean undone;
} UndoDelete;

/* What a pending deletion needs for its Undo toast. */
typedef struct {
  GWeakRef list;
  TetherHost *host;
} UndoDeleteRequest;

static void
undo_delete_request_free (UndoDeleteRequest *request)
{
  g_weak_ref_clear (&request->list);
  g_clear_object (&request->host);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UndoDeleteRequest, undo_delete_request_free)

static void
undo_delete_free (gpointer data,
                  GClosure *closure)
{
  UndoDelete *undo = data;

  g_clear_weak_pointer (&undo->list);
  g_clear_object (&undo->store);
  g_clear_object (&undo->host);
  g_free (undo);
}

static void
on_restored (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(ListRef) list_ref = user_data;
  g_autoptr(TetherHostList) self = g_weak_ref_get (&list_ref->ref);
  g_autoptr(GError) error = NULL;

  if (!tether_host_store_restore_finish (TETHER_HOST_STORE (source), result, &error) &&
      self != NULL)
    show_error_toast (self, error);
}

static void
on_undo_delete (AdwToast   *toast,
                UndoDelete *undo)
{
  undo->undone = TRUE;
  tether_host_store_restore_async (undo->store, undo->host, NULL, on_restored,
                                   list_ref_new (undo->list));
}

static void
on_secrets_cleared (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!tether_secrets_clear_finish (result, &error))
    g_debug ("Could not forget the secrets of a deleted host: %s", error->message);
}

/* Once the deletion can no longer be undone, the host's passwords go too. */
static void
on_delete_toast_dismissed (AdwToast   *toast,
                           UndoDelete *undo)
{
  const char *id = tether_host_get_id (undo->host);

  if (!undo->undone && id != NULL)
    tether_secrets_clear_async (id, NULL, on_secrets_cleared, NULL);
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(UndoDeleteRequest) request = user_data;
  g_autoptr(TetherHostList) self = g_weak_ref_get (&request->list);
  TetherHostStore *store = TETHER_HOST_STORE (source);
  g_autoptr(GError) error = NULL;
  UndoDelete *undo;
  AdwToast *toast;

  if (!tether_host_store_remove_finish (store, result, &error)) {
    if (self != NULL)
      show_error_toast (self, error);
    return;
  }
  if (self == NULL)
    return;

  undo = g_new0 (UndoDelete, 1);
  g_set_weak_pointer (&undo->list, self);
  undo->store = g_object_ref (store);
  undo->host = g_steal_pointer (&request->host);

  toast = adw_toast_new (_("Host deleted"));
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (on_undo_delete), undo);
  g_signal_connect_data (toast, "dismissed", G_CALLBACK (on_delete_toast_dismissed), undo,
                         undo_delete_free, G_CONNECT_DEFAULT);
  show_toast (self, toast);
}

static void
delete_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  GtkListBoxRow *row = user_data;
  TetherHostList *self = row_get_list (GTK_WIDGET (row));
  UndoDeleteRequest *request;

  if (self == NULL || self->store == NULL)
    return;

  /* The row goes away with the host: take what the toast needs first. */
  request = g_new0 (UndoDeleteRequest, 1);
  g_weak_ref_init (&request->list, self);
  request->host = g_object_ref (row_get_host (row));
  tether_host_store_remove_async (self->store, request->host, NULL, on_removed, request);
}

static const GActionEntry host_actions[] = {
  { .name = "connect", .activate = connect_activated },
  { .name = "open-files", .activate = open_files_activated },
  { .name = "open-files-administrator", .activate = open_files_administrator_activated },
  { .name = "forwards", .activate = forwards_activated },
  { .name = "edit", .activate = edit_activated },
  { .name = "duplicate", .activate = duplicate_activated },
  { .name = "copy-command", .activate = copy_command_activated },
  { .name = "delete", .activate = delete_activated },
};

static void
set_action_enabled (GActionMap *group,
                    const char *name,
                    gboolean    enabled)
{
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (group, name)),
                               enabled);
}

static gboolean
popup_row_menu (GtkWidget *row,
                GVariant  *args,
                gpointer   user_data)
{
  GtkMenuButton *button = g_object_get_data (G_OBJECT (row), ROW_MENU_BUTTON_KEY);

  gtk_menu_button_popup (button);
  return TRUE;
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  TetherHostList *self = user_data;
  TetherHost *host = item;
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  gboolean editable = tether_host_get_source (host) != TETHER_HOST_SOURCE_SSH_CONFIG;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *labels = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *subtitle = gtk_label_new (NULL);
  GtkWidget *subtitle_line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *source = gtk_label_new (_("ssh_config"));
  GtkWidget *dot = gtk_drawing_area_new ();
  GtkWidget *state = tether_host_state_indicator_new ();
  GtkWidget *menu_button = gtk_menu_button_new ();
  GtkEventController *shortcuts = gtk_shortcut_controller_new ();
  gpointer state_value;

  g_object_set_data_full (G_OBJECT (row), ROW_HOST_KEY, g_object_ref (host), g_object_unref);
  g_object_set_data (G_OBJECT (row), "tether-title", title);
  g_object_set_data (G_OBJECT (row), "tether-subtitle", subtitle);
  g_object_set_data (G_OBJECT (row), "tether-colour-dot", dot);
  g_object_set_data (G_OBJECT (row), ROW_STATE_STACK_KEY, state);
  g_object_set_data (G_OBJECT (row), ROW_MENU_BUTTON_KEY, menu_button);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "caption");
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_widget_set_hexpand (labels, TRUE);
  gtk_widget_set_valign (labels, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (labels), title);
  gtk_box_append (GTK_BOX (labels), subtitle_line);
  gtk_box_append (GTK_BOX (subtitle_line), subtitle);

  /* Hosts from ~/.ssh/config are read-only here: say where they come from. */
  gtk_widget_set_name (source, "source-label");
  gtk_widget_add_css_class (source, "caption");
  gtk_widget_add_css_class (source, "dim-label");
  gtk_widget_set_tooltip_text (source, _("From ~/.ssh/config: edit it there"));
  gtk_widget_set_visible (source, !editable);
  gtk_box_append (GTK_BOX (subtitle_line), source);

  gtk_widget_set_name (dot, "colour-dot");
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (dot), COLOUR_DOT_SIZE);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (dot), COLOUR_DOT_SIZE);
  gtk_widget_set_valign (dot, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (dot), draw_colour_dot, row, NULL);

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (menu_button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (menu_button), self->host_menu);
  gtk_widget_set_tooltip_text (menu_button, _("Host Menu"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Host Menu"), -1);
  gtk_widget_set_valign (menu_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (menu_button, "flat");

  gtk_box_append (GTK_BOX (box), dot);
  gtk_box_append (GTK_BOX (box), labels);
  gtk_box_append (GTK_BOX (box), state);
  gtk_box_append (GTK_BOX (box), menu_button);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  g_action_map_add_action_entries (G_ACTION_MAP (group), host_actions,
                                   G_N_ELEMENTS (host_actions), row);
  /* ~/.ssh/config is the user's: Tether reads it, but changes only its own file. */
  set_action_enabled (G_ACTION_MAP (group), "edit", editable);
  set_action_enabled (G_ACTION_MAP (group), "duplicate", editable);
  set_action_enabled (G_ACTION_MAP (group), "delete", editable);
  gtk_widget_insert_action_group (row, "host", G_ACTION_GROUP (group));

  /* The keyboard's way to the context menu. */
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
    gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                                   gtk_keyval_trigger_new (GDK_KEY_F10,
                                                                           GDK_SHIFT_MASK)),
                      gtk_callback_action_new (popup_row_menu, NULL, NULL)));
  gtk_widget_add_controller (row, shortcuts);

  update_row_labels (GTK_LIST_BOX_ROW (row));
  state_value = g_hash_table_lookup (self->states, host_key (host));
  tether_host_state_indicator_update (state,
                                      state_value != NULL ? GPOINTER_TO_INT (state_value) :
                                                            TETHER_CONNECTION_STATE_DISCONNECTED,
                                      g_hash_table_lookup (self->sessions, host_key (host)));
  g_signal_connect_object (host, "notify", G_CALLBACK (on_host_notify), row, G_CONNECT_DEFAULT);

  return row;
}

static void
on_right_click (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                TetherHostList  *self)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_y (self->list_box, y);

  if (row == NULL)
    return;

  gtk_list_box_select_row (self->list_box, row);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  popup_row_menu (GTK_WIDGET (row), NULL, NULL);
}

static void
on_row_activated (GtkListBox     *list_box,
                  GtkListBoxRow  *row,
                  TetherHostList *self)
{
  g_signal_emit (self, signals[SIGNAL_HOST_ACTIVATED], 0, row_get_host (row));
}

static void
on_store_items_changed (GListModel     *model,
                        guint           position,
                        guint           removed,
                        guint           added,
                        TetherHostList *self)
{
  update_placeholder (self);
}

static void on_session_notify (TetherHostSession *session,
                               GParamSpec        *pspec,
                               TetherHostList    *self);

static void
tether_host_list_dispose (GObject *object)
{
  TetherHostList *self = TETHER_HOST_LIST (object);

  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  if (self->sessions != NULL) {
    GHashTableIter iter;
    gpointer session;

    g_hash_table_iter_init (&iter, self->sessions);
    while (g_hash_table_iter_next (&iter, NULL, &session))
      g_signal_handlers_disconnect_by_func (session, on_session_notify, self);
    g_hash_table_remove_all (self->sessions);
  }
  gtk_widget_dispose_template (GTK_WIDGET (self), TETHER_TYPE_HOST_LIST);

  g_clear_object (&self->filter_model);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (tether_host_list_parent_class)->dispose (object);
}

static void
tether_host_list_finalize (GObject *object)
{
  TetherHostList *self = TETHER_HOST_LIST (object);

  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->states, g_hash_table_unref);
  g_clear_pointer (&self->sessions, g_hash_table_unref);

  G_OBJECT_CLASS (tether_host_list_parent_class)->finalize (object);
}

static void
tether_host_list_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  TetherHostList *self = TETHER_HOST_LIST (object);

  switch (prop_id) {
  case PROP_STORE:
    g_value_set_object (value, self->store);
    break;
  case PROP_SEARCH_TEXT:
    g_value_set_string (value, self->search_text);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_host_list_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  TetherHostList *self = TETHER_HOST_LIST (object);

  switch (prop_id) {
  case PROP_STORE:
    tether_host_list_set_store (self, g_value_get_object (value));
    break;
  case PROP_SEARCH_TEXT:
    tether_host_list_set_search_text (self, g_value_get_string (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_host_list_class_init (TetherHostListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tether_host_list_dispose;
  object_class->finalize = tether_host_list_finalize;
  object_class->get_property = tether_host_list_get_property;
  object_class->set_property = tether_host_list_set_property;

  /**
   * TetherHostList:store:
   *
   * The saved hosts the list shows.
   */
  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, TETHER_TYPE_HOST_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TetherHostList:search-text:
   *
   * Only hosts whose name, host name, user or group contain this are shown.
   */
  properties[PROP_SEARCH_TEXT] =
    g_param_spec_string ("search-text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TetherHostList::host-activated:
   * @self: the list
   * @host: the host
   *
   * The user activated a host's row (click, Enter) or chose Connect in its menu.
   */
  signals[SIGNAL_HOST_ACTIVATED] =
    g_signal_new ("host-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, TETHER_TYPE_HOST);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/tether-host-list.ui");
  gtk_widget_class_bind_template_child (widget_class, TetherHostList, list_box);
  gtk_widget_class_bind_template_child (widget_class, TetherHostList, placeholder_stack);
  gtk_widget_class_bind_template_child (widget_class, TetherHostList, host_menu);
}

static void
tether_host_list_init (TetherHostList *self)
{
  GtkGesture *right_click;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  self->sorter = gtk_custom_sorter_new (sort_hosts, NULL, NULL);
  self->sort_model = gtk_sort_list_model_new (NULL, GTK_SORTER (self->sorter));
  self->filter = gtk_custom_filter_new (filter_host, self, NULL);
  self->filter_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->sort_model)),
                                                  GTK_FILTER (self->filter));

  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->filter_model),
                           create_row, self, NULL);
  gtk_list_box_set_header_func (self->list_box, update_header, NULL, NULL);
  g_signal_connect_object (self->list_box, "row-activated", G_CALLBACK (on_row_activated), self,
                           G_CONNECT_DEFAULT);

  right_click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (right_click), GDK_BUTTON_SECONDARY);
  g_signal_connect_object (right_click, "pressed", G_CALLBACK (on_right_click), self,
                           G_CONNECT_DEFAULT);
  gtk_widget_add_controller (GTK_WIDGET (self->list_box), GTK_EVENT_CONTROLLER (right_click));

  update_placeholder (self);
}

/**
 * tether_host_list_new:
 *
 * Returns: (transfer floating): a new, empty host list
 */
GtkWidget *
tether_host_list_new (void)
{
  return g_object_new (TETHER_TYPE_HOST_LIST, NULL);
}

/**
 * tether_host_list_get_store:
 * @self: a host list
 *
 * Returns: (transfer none) (nullable): the hosts shown
 */
TetherHostStore *
tether_host_list_get_store (TetherHostList *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_LIST (self), NULL);

  return self->store;
}

/**
 * tether_host_list_set_store:
 * @self: a host list
 * @store: (nullable): the hosts to show
 */
void
tether_host_list_set_store (TetherHostList  *self,
                            TetherHostStore *store)
{
  g_return_if_fail (TETHER_IS_HOST_LIST (self));
  g_return_if_fail (store == NULL || TETHER_IS_HOST_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_func (self->store, on_store_items_changed, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "items-changed", G_CALLBACK (on_store_items_changed), self,
                             G_CONNECT_DEFAULT);

  gtk_sort_list_model_set_model (self->sort_model, G_LIST_MODEL (store));
  update_placeholder (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/**
 * tether_host_list_get_search_text:
 * @self: a host list
 *
 * Returns: (nullable): the search text, casefolded
 */
const char *
tether_host_list_get_search_text (TetherHostList *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_LIST (self), NULL);

  return self->search_text;
}

/**
 * tether_host_list_set_search_text:
 * @self: a host list
 * @text: (nullable): what to look for; %NULL or "" shows every host
 */
void
tether_host_list_set_search_text (TetherHostList *self,
                                  const char     *text)
{
  g_autofree char *folded = NULL;
  GtkFilterChange change = GTK_FILTER_CHANGE_DIFFERENT;

  g_return_if_fail (TETHER_IS_HOST_LIST (self));

  if (text != NULL)
    folded = g_strstrip (g_utf8_casefold (text, -1));
  if (folded != NULL && *folded == '\0')
    g_clear_pointer (&folded, g_free);
  if (g_strcmp0 (folded, self->search_text) == 0)
    return;

  /* Typing more only hides hosts; deleting only shows them. */
  if (self->search_text == NULL ||
      (folded != NULL && strstr (folded, self->search_text) != NULL))
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (folded == NULL || strstr (self->search_text, folded) != NULL)
    change = GTK_FILTER_CHANGE_LESS_STRICT;

  g_free (self->search_text);
  self->search_text = g_steal_pointer (&folded);
  gtk_filter_changed (GTK_FILTER (self->filter), change);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
}

/**
 * tether_host_list_get_list_box:
 * @self: a host list
 *
 * Returns: (transfer none): the list box that shows the rows
 */
GtkListBox *
tether_host_list_get_list_box (TetherHostList *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_LIST (self), NULL);

  return self->list_box;
}

/**
 * tether_host_list_get_model:
 * @self: a host list
 *
 * Returns: (transfer none): the hosts shown, sorted and filtered, in row order
 */
GListModel *
tether_host_list_get_model (TetherHostList *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_LIST (self), NULL);

  return G_LIST_MODEL (self->filter_model);
}

/* Shows the state of the host with @key (its tabs' and its session's) in its rows. */
static void
refresh_rows (TetherHostList *self,
              const char     *key)
{
  gpointer state = g_hash_table_lookup (self->states, key);
  TetherHostSession *session = g_hash_table_lookup (self->sessions, key);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    TetherHost *row_host;

    if (!GTK_IS_LIST_BOX_ROW (child))
      continue;
    row_host = row_get_host (GTK_LIST_BOX_ROW (child));
    if (row_host != NULL && g_strcmp0 (host_key (row_host), key) == 0)
      tether_host_state_indicator_update (g_object_get_data (G_OBJECT (child),
                                                             ROW_STATE_STACK_KEY),
                                          state != NULL ? GPOINTER_TO_INT (state)
                                                        : TETHER_CONNECTION_STATE_DISCONNECTED,
                                          session);
  }
}

static void
on_session_notify (TetherHostSession *session,
                   GParamSpec        *pspec,
                   TetherHostList    *self)
{
  TetherHost *host = tether_host_session_get_host (session);
  const char *key = host_key (host);

  if (key != NULL && g_hash_table_lookup (self->sessions, key) == session)
    refresh_rows (self, key);
}

/**
 * tether_host_list_get_host_state:
 * @self: a host list
 * @host: a host
 *
 * Returns: the state last set for @host
 */
TetherConnectionState
tether_host_list_get_host_state (TetherHostList *self,
                                 TetherHost     *host)
{
  gpointer state;

  g_return_val_if_fail (TETHER_IS_HOST_LIST (self), TETHER_CONNECTION_STATE_DISCONNECTED);
  g_return_val_if_fail (TETHER_IS_HOST (host), TETHER_CONNECTION_STATE_DISCONNECTED);

  state = g_hash_table_lookup (self->states, host_key (host));
  return state != NULL ? GPOINTER_TO_INT (state) : TETHER_CONNECTION_STATE_DISCONNECTED;
}

/**
 * tether_host_list_set_host_state:
 * @self: a host list
 * @host: a host
 * @state: the state of its connection
 *
 * Shows @state next to @host: a spinner while connecting or logging in, a dot when connected.
 */
void
tether_host_list_set_host_state (TetherHostList        *self,
                                 TetherHost            *host,
                                 TetherConnectionState  state)
{
  const char *key;

  g_return_if_fail (TETHER_IS_HOST_LIST (self));
  g_return_if_fail (TETHER_IS_HOST (host));

  key = host_key (host);
  if (key == NULL)
    return;

  /* DISCONNECTED is 0, which reads back as "no entry": only other states are kept. */
  if (state == TETHER_CONNECTION_STATE_DISCONNECTED)
    g_hash_table_remove (self->states, key);
  else
    g_hash_table_insert (self->states, g_strdup (key), GINT_TO_POINTER (state));

  refresh_rows (self, key);
}

/**
 * tether_host_list_set_host_session:
 * @self: a host list
 * @host: a host
 * @session: (nullable): the host's session, or %NULL
 *
 * Shows the state of @session next to @host while its connection is lost (reconnecting,
 * with the attempt and the next retry in the tooltip) or its login failed (with the error),
 * as every tab of the host does.
 */
void
tether_host_list_set_host_session (TetherHostList    *self,
                                   TetherHost        *host,
                                   TetherHostSession *session)
{
  TetherHostSession *old;
  const char *key;

  g_return_if_fail (TETHER_IS_HOST_LIST (self));
  g_return_if_fail (TETHER_IS_HOST (host));
  g_return_if_fail (session == NULL || TETHER_IS_HOST_SESSION (session));

  key = host_key (host);
  if (key == NULL)
    return;

  old = g_hash_table_lookup (self->sessions, key);
  if (old == session)
    return;
  if (old != NULL)
    g_signal_handlers_disconnect_by_func (old, on_session_notify, self);
  if (session != NULL) {
    g_hash_table_insert (self->sessions, g_strdup (key), g_object_ref (session));
    g_signal_connect_object (session, "notify", G_CALLBACK (on_session_notify), self,
                             G_CONNECT_DEFAULT);
  } else {
    g_hash_table_remove (self->sessions, key);
  }
  refresh_rows (self, key);
}

/**
 * tether_host_list_dup_host_status:
 * @self: a host list
 * @host: a host
 *
 * Returns: (transfer full) (nullable): what the row of @host says about its state (the
 *   tooltip of its indicator), or %NULL when it shows none
 */
char *
tether_host_list_dup_host_status (TetherHostList *self,
                                  TetherHost     *host)
{
  g_return_val_if_fail (TETHER_IS_HOST_LIST (self), NULL);
  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    TetherHost *row_host;
    GtkWidget *stack;

    if (!GTK_IS_LIST_BOX_ROW (child))
      continue;
    row_host = row_get_host (GTK_LIST_BOX_ROW (child));
    if (row_host == NULL || g_strcmp0 (host_key (row_host), host_key (host)) != 0)
      continue;
    stack = g_object_get_data (G_OBJECT (child), ROW_STATE_STACK_KEY);
    return tether_host_state_indicator_dup_text (stack);
  }

  return NULL;
}
