/* tether-window-actions.c: the window's "win" actions, installed on the class so that buttons,
 * menus, shortcuts and tests name the same thing, and their keyboard shortcuts.
 *
 * Shortcuts: keys that must work whatever has focus (Ctrl+Shift+T and Ctrl+Shift+W, like the
 * app's Ctrl+Q) are accelerators in the application's one table (tether-application.c); GTK
 * matches those in the capture phase, before a focused terminal takes the key as input. Keys
 * that a terminal uses itself (Ctrl+N, Ctrl+F are readline's) are class bindings here: they
 * run in the bubble phase, after the focused widget, so the shell gets them first. The Keyboard
 * Shortcuts window (ui/gtk/help-overlay.ui) lists both; a test keeps it in step. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-application.h"
#include "tether-files-page.h"
#include "tether-forwards-panel.h"
#include "tether-host-list.h"
#include "tether-message-dialog.h"
#include "tether-terminal-page.h"
#include "tether-window-private.h"

static void
add_host_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_signal_emit_by_name (widget, "add-host-requested");
}

static void
search_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);

  /* When folded, the sidebar may be off screen: bring it in first. */
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* Folded, the side that goes away takes the keyboard focus with it: give it to the side that
 * comes in, the host list or the selected tab's terminal, so that keys keep working. */
static void
focus_visible_side (TetherWindow *self)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);
  GtkWidget *child = page != NULL ? adw_tab_page_get_child (page) : NULL;

  if (!adw_leaflet_get_folded (self->leaflet))
    return;

  if (adw_leaflet_get_visible_child (self->leaflet) == self->sidebar)
    gtk_widget_grab_focus (GTK_WIDGET (tether_host_list_get_list_box (self->host_list)));
  else if (TETHER_IS_TERMINAL_PAGE (child))
    gtk_widget_grab_focus (GTK_WIDGET (tether_terminal_page_get_terminal (
                                         TETHER_TERMINAL_PAGE (child))));
  else if (child != NULL)
    gtk_widget_grab_focus (child);
}

static void
show_sidebar_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
  focus_visible_side (self);
}

static void
show_content_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);

  _tether_window_show_content (self);
  focus_visible_side (self);
}

/* Alt+Left and Alt+Right move between the sides of a folded window (the HIG's back and
 * forward keys). Shells use those keys too, so only while folded are they the window's; the
 * leaflet's own run after the focused terminal has taken them. */
static gboolean
navigate_shortcut_cb (GtkWidget *widget,
                      GVariant  *args,
                      gpointer   user_data)
{
  TetherWindow *self = TETHER_WINDOW (widget);

  if (!adw_leaflet_get_folded (self->leaflet) ||
      !adw_leaflet_navigate (self->leaflet, GPOINTER_TO_INT (user_data)))
    return FALSE;

  focus_visible_side (self);
  return TRUE;
}

void
_tether_window_actions_init (TetherWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  GtkShortcutController *shortcuts = GTK_SHORTCUT_CONTROLLER (controller);

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (shortcuts,
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Left, GDK_ALT_MASK),
                      gtk_callback_action_new (navigate_shortcut_cb,
                                               GINT_TO_POINTER (ADW_NAVIGATION_DIRECTION_BACK),
                                               NULL)));
  gtk_shortcut_controller_add_shortcut (shortcuts,
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Right, GDK_ALT_MASK),
                      gtk_callback_action_new (navigate_shortcut_cb,
                                               GINT_TO_POINTER (ADW_NAVIGATION_DIRECTION_FORWARD),
                                               NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
close_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);

  if (page != NULL)
    adw_tab_view_close_page (self->tab_view, page);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static void
new_tab_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);
  AdwTabPage *page = adw_tab_view_get_selected_page (self->tab_view);
  GtkWidget *child = page != NULL ? adw_tab_page_get_child (page) : NULL;

  if (TETHER_IS_TERMINAL_PAGE (child))
    tether_window_open_host (self, tether_terminal_page_get_host (TETHER_TERMINAL_PAGE (child)));
}

static gboolean
host_has_key (TetherHost *host,
              const char *key)
{
  return g_strcmp0 (tether_host_get_id (host), key) == 0 ||
         g_strcmp0 (tether_host_get_alias (host), key) == 0;
}

/* The host @key names (its id, or its alias): a saved one, else one a tab shows (a host
 * typed as user@host:port is in no store). "" names the selected tab's host. */
static TetherHost *
find_host (TetherWindow *self,
           const char   *key)
{
  AdwTabPage *selected = adw_tab_view_get_selected_page (self->tab_view);
  guint n_pages = adw_tab_view_get_n_pages (self->tab_view);

  if (*key == '\0') {
    GtkWidget *child = selected != NULL ? adw_tab_page_get_child (selected) : NULL;

    if (TETHER_IS_FILES_PAGE (child))
      return tether_files_page_get_host (TETHER_FILES_PAGE (child));
    return TETHER_IS_TERMINAL_PAGE (child) ?
           tether_terminal_page_get_host (TETHER_TERMINAL_PAGE (child)) : NULL;
  }

  if (self->host_store != NULL) {
    GListModel *hosts = G_LIST_MODEL (self->host_store);

    for (guint i = 0; i < g_list_model_get_n_items (hosts); i++) {
      g_autoptr(TetherHost) host = g_list_model_get_item (hosts, i);

      if (host_has_key (host, key))
        return host;  /* the store holds it */
    }
  }

  for (guint i = 0; i < n_pages; i++) {
    GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (self->tab_view, i));

    if (TETHER_IS_TERMINAL_PAGE (child) &&
        host_has_key (tether_terminal_page_get_host (TETHER_TERMINAL_PAGE (child)), key))
      return tether_terminal_page_get_host (TETHER_TERMINAL_PAGE (child));
  }

  return NULL;
}

/* The port forwards of a host, named by its id (see find_host ()), in their own window. */
static void
show_forwards_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  TetherHost *host = find_host (self, g_variant_get_string (parameter, NULL));
  TetherHostSession *session;

  if (!TETHER_IS_APPLICATION (app))
    return;
  if (host == NULL) {
    /* The shortcut with no terminal tab: say where else to find them. */
    tether_window_add_toast (self, adw_toast_new (_("Open a terminal of the host first, or "
                                                   "choose Port Forwards in its menu")));
    return;
  }

  session = tether_session_manager_lookup_or_create (
              tether_application_get_session_manager (TETHER_APPLICATION (app)), host);
  tether_forwards_panel_present (GTK_WINDOW (self), session);
}

/* The files of a host, named as for win.show-forwards, in a new tab of this window. */
static void
open_files_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);
  TetherHost *host = find_host (self, g_variant_get_string (parameter, NULL));

  if (!TETHER_IS_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))))
    return;
  if (host == NULL) {
    tether_window_add_toast (self, adw_toast_new (_("Open a terminal of the host first, or "
                                                   "choose Open Files in its menu")));
    return;
  }
  tether_window_open_files (self, host);
}

/* The same, with the files tab's SFTP server run as root through sudo. */
static void
open_files_administrator_activated (GtkWidget  *widget,
                                   const char *action_name,
                                   GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);
  TetherHost *host = find_host (self, g_variant_get_string (parameter, NULL));

  if (!TETHER_IS_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))) || host == NULL)
    return;
  tether_window_open_files_administrator (self, host);
}

/* Offering the Include line: only when the user asks, and only while it is missing. */
void
_tether_window_update_share_action (TetherWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.share-hosts-with-ssh",
                                 self->host_store != NULL &&
                                 tether_host_store_offer_include_line (self->host_store));
}

static void
add_include_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TetherWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *markup = NULL;

  if (tether_host_store_add_include_finish (TETHER_HOST_STORE (source), result, &error))
    message = g_strdup (_("Plain ssh now knows your saved hosts"));
  else
    message = g_strdup (error->message);  /* it names the file and what went wrong */
  /* Toast titles are markup. */
  markup = g_markup_escape_text (message, -1);
  tether_window_add_toast (self, adw_toast_new (markup));
  _tether_window_update_share_action (self);
}

static void
on_share_chosen (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TetherWindow) self = user_data;
  g_autofree char *response = NULL;

  response = tether_message_dialog_choose_finish (ADW_MESSAGE_DIALOG (source), result, NULL);
  if (g_strcmp0 (response, "add") == 0 && self->host_store != NULL)
    tether_host_store_add_include_async (self->host_store, NULL, add_include_cb,
                                         g_object_ref (self));
}

static void
share_hosts_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);
  g_autofree char *line = tether_host_store_dup_include_line (self->host_store);
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Use Saved Hosts with ssh?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("Tether adds the line “%s” at the top of ~/.ssh/config, so "
                                    "that ssh, scp and other tools know the hosts you save "
                                    "here. Nothing else in the file changes."),
                                  line);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "add", _("_Add Line"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  tether_message_dialog_choose_async (dialog, NULL, on_share_chosen, g_object_ref (self));
}

void
_tether_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.add-host", NULL, add_host_activated);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL,
                                   show_sidebar_activated);
  gtk_widget_class_install_action (widget_class, "win.show-content", NULL,
                                   show_content_activated);
  gtk_widget_class_install_action (widget_class, "win.close", NULL, close_activated);
  gtk_widget_class_install_action (widget_class, "win.new-tab", NULL, new_tab_activated);
  gtk_widget_class_install_action (widget_class, "win.share-hosts-with-ssh", NULL,
                                   share_hosts_activated);
  gtk_widget_class_install_action (widget_class, "win.show-forwards", "s",
                                   show_forwards_activated);
  gtk_widget_class_install_action (widget_class, "win.open-files", "s", open_files_activated);
  gtk_widget_class_install_action (widget_class, "win.open-files-administrator", "s",
                                   open_files_administrator_activated);

  /* The keys a focused terminal gets first (see the top of this file). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.add-host", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK,
                                       "win.search", NULL);
}
