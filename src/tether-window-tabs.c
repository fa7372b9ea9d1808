/* tether-window-tabs.c: what a window does with its terminal tabs beyond holding them.
 *
 * - Broadcast input (win.broadcast): while on, what is typed into any terminal of the window
 *   also goes to the shells of all its other terminals. The end of the tab bar says so in
 *   warning colours, and the tab bar stays shown while it is on.
 * - The tab menu (AdwTabView's context menu): duplicate, rename, move to a new window and
 *   close, as actions in the "tab" group that act on the tab the menu was opened for.
 * - Closing a window while its shells run asks first, as closing one such tab does. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-terminal-page.h"
#include "tether-window-private.h"

#define BROADCAST_ICON "input-keyboard-symbolic"

struct _TetherWindowTabs
{
  TetherWindow *window;         /* unowned: it owns this */
  AdwTabView *tab_view;
  AdwTabBar *tab_bar;
  GSimpleAction *broadcast_action;
  GSimpleActionGroup *tab_actions;
  GtkWidget *broadcast_label;
  GtkWidget *broadcast_button;

  /* The tab the menu was last opened for. */
  AdwTabPage *menu_page;

  GtkWidget *close_dialog;
  gboolean close_confirmed;
};

static TetherTerminalPage *
page_terminal (AdwTabPage *page)
{
  GtkWidget *child = page != NULL ? adw_tab_page_get_child (page) : NULL;

  return TETHER_IS_TERMINAL_PAGE (child) ? TETHER_TERMINAL_PAGE (child) : NULL;
}

static guint
count_terminals (TetherWindowTabs    *tabs,
                 TetherTerminalState *state)
{
  guint n = 0;

  for (int i = 0; i < adw_tab_view_get_n_pages (tabs->tab_view); i++) {
    TetherTerminalPage *terminal = page_terminal (adw_tab_view_get_nth_page (tabs->tab_view, i));

    if (terminal != NULL && (state == NULL || tether_terminal_page_get_state (terminal) == *state))
      n++;
  }

  return n;
}

/* ------------------------------------------------------------------------- */
/* Broadcast input                                                           */

static gboolean
is_broadcasting (TetherWindowTabs *tabs)
{
  g_autoptr(GVariant) state = g_action_get_state (G_ACTION (tabs->broadcast_action));

  return g_variant_get_boolean (state);
}

static void
update_broadcast (TetherWindowTabs *tabs)
{
  gboolean on = is_broadcasting (tabs);
  guint n = count_terminals (tabs, NULL);
  g_autofree char *text = NULL;

  text = g_strdup_printf (ngettext ("Broadcasting to %u tab", "Broadcasting to %u tabs", n), n);
  gtk_label_set_text (GTK_LABEL (tabs->broadcast_label), text);
  gtk_widget_set_visible (tabs->broadcast_label, on);
  if (on)
    gtk_widget_add_css_class (tabs->broadcast_button, "destructive-action");
  else
    gtk_widget_remove_css_class (tabs->broadcast_button, "destructive-action");

  /* With one tab the bar hides itself, and with it the sign that input is broadcast. */
  adw_tab_bar_set_autohide (tabs->tab_bar, !on);
}

static void
broadcast_change_state (GSimpleAction *action,
                        GVariant      *state,
                        gpointer       user_data)
{
  g_simple_action_set_state (action, state);
  update_broadcast (user_data);
}

static void
on_terminal_commit (VteTerminal      *terminal,
                    const char       *text,
                    guint             size,
                    TetherWindowTabs *tabs)
{
  if (!is_broadcasting (tabs))
    return;

  /* The terminal typed into sends to its own shell itself. */
  for (int i = 0; i < adw_tab_view_get_n_pages (tabs->tab_view); i++) {
    TetherTerminalPage *other = page_terminal (adw_tab_view_get_nth_page (tabs->tab_view, i));

    if (other != NULL && tether_terminal_page_get_terminal (other) != terminal)
      tether_terminal_page_send_input (other, text, size);
  }
}

/* Pages come and go (and move between windows): each window listens to its own. */
static void
on_page_attached (AdwTabView       *tab_view,
                  AdwTabPage       *page,
                  int               position,
                  TetherWindowTabs *tabs)
{
  TetherTerminalPage *terminal = page_terminal (page);

  if (terminal != NULL)
    g_signal_connect (tether_terminal_page_get_terminal (terminal), "commit",
                      G_CALLBACK (on_terminal_commit), tabs);
  update_broadcast (tabs);
}

static void
on_page_detached (AdwTabView       *tab_view,
                  AdwTabPage       *page,
                  int               position,
                  TetherWindowTabs *tabs)
{
  TetherTerminalPage *terminal = page_terminal (page);

  if (terminal != NULL)
    g_signal_handlers_disconnect_by_func (tether_terminal_page_get_terminal (terminal),
                                          on_terminal_commit, tabs);
  if (tabs->menu_page == page)
    g_clear_object (&tabs->menu_page);
  update_broadcast (tabs);
}

/* ------------------------------------------------------------------------- */
/* The tab menu                                                              */

static GMenuModel *
new_tab_menu (void)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) tab_section = g_menu_new ();
  g_autoptr(GMenu) close_section = g_menu_new ();

  g_menu_append (tab_section, _("_Duplicate"), "tab.duplicate");
  g_menu_append (tab_section, _("_Rename…"), "tab.rename");
  g_menu_append (tab_section, _("_Move to New Window"), "tab.move-to-new-window");
  g_menu_append (close_section, _("_Close"), "tab.close");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (tab_section));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (close_section));

  return G_MENU_MODEL (menu);
}

static void
set_tab_action_enabled (TetherWindowTabs *tabs,
                        const char       *name,
                        gboolean          enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (tabs->tab_actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* The tab view emits it with the tab before showing the menu, and with %NULL after: the
 * menu's actions may run after that, so keep the last tab. */
static void
on_setup_menu (AdwTabView       *tab_view,
               AdwTabPage       *page,
               TetherWindowTabs *tabs)
{
  gboolean is_terminal;

  if (page == NULL)
    return;

  g_set_object (&tabs->menu_page, page);
  is_terminal = page_terminal (page) != NULL;
  set_tab_action_enabled (tabs, "duplicate", is_terminal);
  set_tab_action_enabled (tabs, "rename", is_terminal);
  /* A window's only tab moving out would leave an empty window behind. */
  set_tab_action_enabled (tabs, "move-to-new-window", adw_tab_view_get_n_pages (tab_view) > 1);
}

/* The tab the menu is for; the selected one when the actions run from elsewhere. */
static AdwTabPage *
get_action_page (TetherWindowTabs *tabs)
{
  if (tabs->menu_page != NULL)
    return tabs->menu_page;

  return adw_tab_view_get_selected_page (tabs->tab_view);
}

static void
duplicate_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  TetherWindowTabs *tabs = user_data;
  AdwTabPage *page = get_action_page (tabs);
  TetherTerminalPage *terminal = page_terminal (page);
  AdwTabPage *copy;

  if (terminal == NULL)
    return;

  copy = tether_window_open_host (tabs->window, tether_terminal_page_get_host (terminal));
  adw_tab_view_reorder_page (tabs->tab_view, copy,
                             adw_tab_view_get_page_position (tabs->tab_view, page) + 1);
}

static void
on_rename_response (AdwMessageDialog   *dialog,
                    const char         *response,
                    TetherTerminalPage *terminal)
{
  GtkWidget *entry = adw_message_dialog_get_extra_child (dialog);

  if (g_str_equal (response, "rename"))
    tether_terminal_page_set_custom_title (terminal, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
unref_closure_data (gpointer  data,
                    GClosure *closure)
{
  g_object_unref (data);
}

static void
rename_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  TetherWindowTabs *tabs = user_data;
  AdwTabPage *page = get_action_page (tabs);
  TetherTerminalPage *terminal = page_terminal (page);
  GtkWidget *dialog;
  GtkWidget *entry;

  if (terminal == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (tabs->window), _("Rename Tab"),
                                   _("Programs on the server no longer change a renamed tab’s "
                                     "title. Leave the name empty to let them again."));
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), adw_tab_page_get_title (page));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "rename", _("_Rename"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "rename",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "rename");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_rename_response),
                         g_object_ref (terminal), unref_closure_data, G_CONNECT_DEFAULT);

  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static TetherWindow *
new_window (TetherWindowTabs *tabs)
{
  TetherWindow *window = g_object_new (TETHER_TYPE_WINDOW,
                                       "application",
                                       gtk_window_get_application (GTK_WINDOW (tabs->window)),
                                       NULL);

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
move_to_new_window_activated (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  TetherWindowTabs *tabs = user_data;
  AdwTabPage *page = get_action_page (tabs);
  TetherWindow *window;

  if (page == NULL)
    return;

  /* The page, its session and its bindings move; nothing reconnects. */
  window = new_window (tabs);
  adw_tab_view_transfer_page (tabs->tab_view, page, tether_window_get_tab_view (window), 0);
}

/* A tab dragged out of the tab bar onto no window opens in a new one. */
static AdwTabView *
on_create_window (AdwTabView       *tab_view,
                  TetherWindowTabs *tabs)
{
  return tether_window_get_tab_view (new_window (tabs));
}

static void
close_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  TetherWindowTabs *tabs = user_data;
  AdwTabPage *page = get_action_page (tabs);

  /* The tab view asks first when the tab's shell still runs. */
  if (page != NULL)
    adw_tab_view_close_page (tabs->tab_view, page);
}

static const GActionEntry tab_actions[] = {
  { .name = "duplicate", .activate = duplicate_activated },
  { .name = "rename", .activate = rename_activated },
  { .name = "move-to-new-window", .activate = move_to_new_window_activated },
  { .name = "close", .activate = close_activated },
};

/* ------------------------------------------------------------------------- */
/* Closing the window                                                        */

static gboolean
close_window_cb (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_close_window_response (AdwMessageDialog *dialog,
                          const char       *response,
                          TetherWindowTabs *tabs)
{
  tabs->close_dialog = NULL;
  if (!g_str_equal (response, "close"))
    return;

  /* Not while the dialog, which goes with its window, is still answering. */
  tabs->close_confirmed = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_window_cb, g_object_ref (tabs->window),
                   g_object_unref);
}

static gboolean
on_close_request (GtkWindow        *window,
                  TetherWindowTabs *tabs)
{
  TetherTerminalState connected = TETHER_TERMINAL_STATE_CONNECTED;
  guint n = count_terminals (tabs, &connected);

  if (n == 0 || tabs->close_confirmed)
    return GDK_EVENT_PROPAGATE;

  if (tabs->close_dialog != NULL) {
    gtk_window_present (GTK_WINDOW (tabs->close_dialog));
    return GDK_EVENT_STOP;
  }

  tabs->close_dialog = adw_message_dialog_new (window, _("Close Window?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (tabs->close_dialog),
                                  ngettext ("%u terminal in this window is still connected. "
                                            "Closing the window ends its shell and any program "
                                            "running in it.",
                                            "%u terminals in this window are still connected. "
                                            "Closing the window ends their shells and any "
                                            "programs running in them.", n),
                                  n);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (tabs->close_dialog),
                                    "cancel", _("_Cancel"),
                                    "close", _("C_lose Window"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (tabs->close_dialog), "close",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (tabs->close_dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (tabs->close_dialog), "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (tabs->close_dialog), TRUE);
  g_signal_connect (tabs->close_dialog, "response", G_CALLBACK (on_close_window_response), tabs);
  gtk_window_present (GTK_WINDOW (tabs->close_dialog));

  return GDK_EVENT_STOP;
}

/* ------------------------------------------------------------------------- */

/* The window's template has the tab bar; look it up by what it shows. */
static AdwTabBar *
find_tab_bar (GtkWidget  *widget,
              AdwTabView *tab_view)
{
  if (ADW_IS_TAB_BAR (widget) && adw_tab_bar_get_view (ADW_TAB_BAR (widget)) == tab_view)
    return ADW_TAB_BAR (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child)) {
    AdwTabBar *found = find_tab_bar (child, tab_view);

    if (found != NULL)
      return found;
  }

  return NULL;
}

TetherWindowTabs *
tether_window_tabs_new (TetherWindow *window)
{
  TetherWindowTabs *tabs = g_new0 (TetherWindowTabs, 1);
  g_autoptr(GMenuModel) menu = new_tab_menu ();
  GtkWidget *box;

  tabs->window = window;
  tabs->tab_view = tether_window_get_tab_view (window);
  tabs->tab_bar = find_tab_bar (GTK_WIDGET (window), tabs->tab_view);
  g_assert (tabs->tab_bar != NULL);

  tabs->broadcast_action = g_simple_action_new_stateful ("broadcast", NULL,
                                                         g_variant_new_boolean (FALSE));
  g_signal_connect (tabs->broadcast_action, "change-state", G_CALLBACK (broadcast_change_state),
                    tabs);
  g_action_map_add_action (G_ACTION_MAP (window), G_ACTION (tabs->broadcast_action));

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  tabs->broadcast_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (tabs->broadcast_label, "warning");
  gtk_widget_add_css_class (tabs->broadcast_label, "heading");
  gtk_box_append (GTK_BOX (box), tabs->broadcast_label);
  tabs->broadcast_button = gtk_toggle_button_new ();
  gtk_button_set_icon_name (GTK_BUTTON (tabs->broadcast_button), BROADCAST_ICON);
  gtk_widget_add_css_class (tabs->broadcast_button, "flat");
  gtk_widget_set_tooltip_text (tabs->broadcast_button,
                               _("Broadcast Input: send what is typed to every tab of this "
                                 "window"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (tabs->broadcast_button), "win.broadcast");
  gtk_box_append (GTK_BOX (box), tabs->broadcast_button);
  adw_tab_bar_set_end_action_widget (tabs->tab_bar, box);

  tabs->tab_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (tabs->tab_actions), tab_actions,
                                   G_N_ELEMENTS (tab_actions), tabs);
  gtk_widget_insert_action_group (GTK_WIDGET (window), "tab", G_ACTION_GROUP (tabs->tab_actions));
  adw_tab_view_set_menu_model (tabs->tab_view, menu);

  g_signal_connect (tabs->tab_view, "page-attached", G_CALLBACK (on_page_attached), tabs);
  g_signal_connect (tabs->tab_view, "page-detached", G_CALLBACK (on_page_detached), tabs);
  g_signal_connect (tabs->tab_view, "setup-menu", G_CALLBACK (on_setup_menu), tabs);
  g_signal_connect (tabs->tab_view, "create-window", G_CALLBACK (on_create_window), tabs);
  g_signal_connect (window, "close-request", G_CALLBACK (on_close_request), tabs);

  update_broadcast (tabs);

  return tabs;
}

void
tether_window_tabs_free (TetherWindowTabs *tabs)
{
  for (int i = 0; i < adw_tab_view_get_n_pages (tabs->tab_view); i++) {
    TetherTerminalPage *terminal = page_terminal (adw_tab_view_get_nth_page (tabs->tab_view, i));

    if (terminal != NULL)
      g_signal_handlers_disconnect_by_data (tether_terminal_page_get_terminal (terminal), tabs);
  }
  g_signal_handlers_disconnect_by_data (tabs->tab_view, tabs);
  g_signal_handlers_disconnect_by_data (tabs->window, tabs);
  if (tabs->close_dialog != NULL) {
    g_signal_handlers_disconnect_by_data (tabs->close_dialog, tabs);
    gtk_window_destroy (GTK_WINDOW (tabs->close_dialog));
  }

  g_action_map_remove_action (G_ACTION_MAP (tabs->window), "broadcast");
  g_signal_handlers_disconnect_by_data (tabs->broadcast_action, tabs);
  g_clear_object (&tabs->broadcast_action);
  gtk_widget_insert_action_group (GTK_WIDGET (tabs->window), "tab", NULL);
  g_clear_object (&tabs->tab_actions);
  g_clear_object (&tabs->menu_page);

  g_free (tabs);
}
