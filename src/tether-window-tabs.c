/* tether-window-tabs.c: what a window does with its terminal tabs beyond holding them.
 *
 * - Broadcast input (win.broadcast, the window's "broadcast" property): while on, what is
 *   typed into any terminal of the window also goes to the shells of all its other terminals.
 *   The end of the tab bar says so in warning colours, and the tab bar stays shown while it is
 *   on.
 * - The tab menu (AdwTabView's context menu): duplicate, rename, move to a new window and
 *   close, as actions in the "tab" group that act on the tab the menu was opened for.
 * - Closing a tab or the window while its shells run asks first (TetherCloseDialog). */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-forwards-panel.h"
#include "tether-message-dialog.h"
#include "tether-terminal-page.h"
#include "tether-window-private.h"

static TetherTerminalPage *
page_terminal (AdwTabPage *page)
{
  GtkWidget *child = page != NULL ? adw_tab_page_get_child (page) : NULL;

  return TETHER_IS_TERMINAL_PAGE (child) ? TETHER_TERMINAL_PAGE (child) : NULL;
}

static guint
count_terminals (TetherWindow        *self,
                 TetherTerminalState *state)
{
  guint n = 0;

  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++) {
    TetherTerminalPage *terminal = page_terminal (adw_tab_view_get_nth_page (self->tab_view, i));

    if (terminal != NULL && (state == NULL || tether_terminal_page_get_state (terminal) == *state))
      n++;
  }

  return n;
}

/* ------------------------------------------------------------------------- */
/* Broadcast input                                                           */

static void
update_broadcast (TetherWindow *self)
{
  guint n = count_terminals (self, NULL);
  g_autofree char *text = NULL;

  text = g_strdup_printf (ngettext ("Broadcasting to %u tab", "Broadcasting to %u tabs", n), n);
  gtk_label_set_text (GTK_LABEL (self->broadcast_label), text);
  gtk_widget_set_visible (self->broadcast_label, self->broadcast);

  /* With one tab the bar hides itself, and with it the sign that input is broadcast. */
  adw_tab_bar_set_autohide (self->tab_bar, !self->broadcast);
}

void
_tether_window_set_broadcast (TetherWindow *self,
                              gboolean      broadcast)
{
  self->broadcast = broadcast;
  update_broadcast (self);
}

static void
on_terminal_commit (VteTerminal  *terminal,
                    const char   *text,
                    guint         size,
                    TetherWindow *self)
{
  if (!self->broadcast)
    return;

  /* The terminal typed into sends to its own shell itself. */
  for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++) {
    TetherTerminalPage *other = page_terminal (adw_tab_view_get_nth_page (self->tab_view, i));

    if (other != NULL && tether_terminal_page_get_terminal (other) != terminal)
      tether_terminal_page_send_input (other, text, size);
  }
}

/* Pages come and go (and move between windows): each window listens to its own. */
static void
on_page_attached (AdwTabView   *tab_view,
                  AdwTabPage   *page,
                  int           position,
                  TetherWindow *self)
{
  TetherTerminalPage *terminal = page_terminal (page);

  if (terminal != NULL)
    g_signal_connect (tether_terminal_page_get_terminal (terminal), "commit",
                      G_CALLBACK (on_terminal_commit), self);
  _tether_window_adopt_page_host (self, page);
  update_broadcast (self);
}

static void
on_page_detached (AdwTabView   *tab_view,
                  AdwTabPage   *page,
                  int           position,
                  TetherWindow *self)
{
  TetherTerminalPage *terminal = page_terminal (page);

  if (terminal != NULL)
    g_signal_handlers_disconnect_by_func (tether_terminal_page_get_terminal (terminal),
                                          on_terminal_commit, self);
  if (self->menu_page == page)
    g_clear_object (&self->menu_page);
  _tether_window_forget_page_host (self, page);
  update_broadcast (self);
}

/* ------------------------------------------------------------------------- */
/* The tab menu                                                              */

/* The tab view emits it with the tab before showing the menu, and with %NULL after: the
 * menu's actions may run after that, so keep the last tab. */
void
_tether_window_setup_tab_menu (TetherWindow *self,
                               AdwTabPage   *page)
{
  gboolean is_terminal;

  if (page == NULL)
    return;

  g_set_object (&self->menu_page, page);
  is_terminal = page_terminal (page) != NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tab.duplicate", is_terminal);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tab.rename", is_terminal);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tab.forwards", is_terminal);
  /* A window's only tab moving out would leave an empty window behind. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tab.move-to-new-window",
                                 adw_tab_view_get_n_pages (self->tab_view) > 1);
}

static void
on_setup_menu (AdwTabView   *tab_view,
               AdwTabPage   *page,
               TetherWindow *self)
{
  _tether_window_setup_tab_menu (self, page);
}

/* The tab the menu is for; the selected one when the actions run from elsewhere. */
static AdwTabPage *
get_action_page (TetherWindow *self)
{
  if (self->menu_page != NULL)
    return self->menu_page;

  return adw_tab_view_get_selected_page (self->tab_view);
}

static void
duplicate_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);
  AdwTabPage *page = get_action_page (self);
  TetherTerminalPage *terminal = page_terminal (page);
  AdwTabPage *copy;

  if (terminal == NULL)
    return;

  copy = tether_window_open_host (self, tether_terminal_page_get_host (terminal));
  adw_tab_view_reorder_page (self->tab_view, copy,
                             adw_tab_view_get_page_position (self->tab_view, page) + 1);
}

/* After a dialog about @terminal, typing goes on in it: its window is active again and the
 * terminal has the focus. */
static void
focus_terminal (TetherTerminalPage *terminal)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (terminal));

  if (GTK_IS_WINDOW (root))
    gtk_window_present (GTK_WINDOW (root));
  gtk_widget_grab_focus (GTK_WIDGET (terminal));
}

static void
on_rename_chosen (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TetherTerminalPage) terminal = user_data;
  g_autofree char *response = NULL;

  response = tether_message_dialog_choose_finish (ADW_MESSAGE_DIALOG (source), result, NULL);
  if (g_strcmp0 (response, "rename") == 0)
    tether_terminal_page_set_custom_title (terminal,
                                           g_object_get_data (source, "tether-new-title"));
  focus_terminal (terminal);
}

/* The entry goes with the dialog: keep what it says as it changes. */
static void
on_rename_entry_changed (GtkEditable *entry,
                         GtkWidget   *dialog)
{
  g_object_set_data_full (G_OBJECT (dialog), "tether-new-title",
                          g_strdup (gtk_editable_get_text (entry)), g_free);
}

static void
rename_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);
  AdwTabPage *page = get_action_page (self);
  TetherTerminalPage *terminal = page_terminal (page);
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  if (terminal == NULL)
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Rename Tab"),
                                                       _("Programs on the server no longer "
                                                         "change a renamed tab’s title. Leave "
                                                         "the name empty to let them again.")));
  entry = gtk_entry_new ();
  g_signal_connect_object (entry, "changed", G_CALLBACK (on_rename_entry_changed), dialog,
                           G_CONNECT_DEFAULT);
  gtk_editable_set_text (GTK_EDITABLE (entry), adw_tab_page_get_title (page));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "rename", _("_Rename"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "rename", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "rename");
  adw_message_dialog_set_close_response (dialog, "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);

  tether_message_dialog_choose_async (dialog, NULL, on_rename_chosen, g_object_ref (terminal));
  gtk_widget_grab_focus (entry);
}

static TetherWindow *
new_window (TetherWindow *self)
{
  TetherWindow *window = g_object_new (TETHER_TYPE_WINDOW,
                                       "application",
                                       gtk_window_get_application (GTK_WINDOW (self)),
                                       NULL);

  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
move_to_new_window_activated (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);
  AdwTabPage *page = get_action_page (self);
  TetherWindow *window;

  if (page == NULL)
    return;

  /* The page, its session and its bindings move; nothing reconnects. */
  window = new_window (self);
  adw_tab_view_transfer_page (self->tab_view, page, tether_window_get_tab_view (window), 0);
}

/* A tab dragged out of the tab bar onto no window opens in a new one. */
static AdwTabView *
on_create_window (AdwTabView   *tab_view,
                  TetherWindow *self)
{
  return tether_window_get_tab_view (new_window (self));
}

static void
tab_close_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);
  AdwTabPage *page = get_action_page (self);

  /* The tab view asks first when the tab's shell still runs. */
  if (page != NULL)
    adw_tab_view_close_page (self->tab_view, page);
}

/* ------------------------------------------------------------------------- */
/* Closing a tab or the window                                               */

static void
on_close_tab_decided (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(AdwTabPage) page = user_data;
  gboolean confirmed = tether_close_dialog_run_finish (TETHER_CLOSE_DIALOG (source), result,
                                                       NULL);
  GtkWidget *child = adw_tab_page_get_child (page);
  AdwTabView *tab_view = NULL;

  if (child != NULL)
    tab_view = ADW_TAB_VIEW (gtk_widget_get_ancestor (child, ADW_TYPE_TAB_VIEW));

  /* The page may have moved to another window meanwhile, or gone with this one. */
  if (tab_view != NULL)
    adw_tab_view_close_page_finish (tab_view, page, confirmed);
  if (tab_view != NULL && !confirmed && TETHER_IS_TERMINAL_PAGE (child))
    focus_terminal (TETHER_TERMINAL_PAGE (child));
}

/* Closing a tab whose shell still runs ends whatever runs in it: ask first. */
static gboolean
on_close_page (AdwTabView   *tab_view,
               AdwTabPage   *page,
               TetherWindow *self)
{
  TetherTerminalPage *terminal = page_terminal (page);
  g_autofree char *destination = NULL;
  TetherCloseDialog *dialog;

  if (terminal == NULL ||
      tether_terminal_page_get_state (terminal) != TETHER_TERMINAL_STATE_CONNECTED)
    return GDK_EVENT_PROPAGATE;

  destination = tether_host_dup_destination (tether_terminal_page_get_host (terminal));
  dialog = tether_close_dialog_new_for_tab (GTK_WINDOW (self), destination);
  tether_close_dialog_run_async (dialog, NULL, on_close_tab_decided, g_object_ref (page));

  return GDK_EVENT_STOP;
}

static gboolean
close_window_cb (gpointer user_data)
{
  gtk_window_close (GTK_WINDOW (user_data));
  return G_SOURCE_REMOVE;
}

static void
on_close_window_decided (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(TetherWindow) self = user_data;

  g_clear_weak_pointer (&self->close_dialog);
  if (!tether_close_dialog_run_finish (TETHER_CLOSE_DIALOG (source), result, NULL))
    return;

  /* Not while the dialog is still answering. */
  self->close_confirmed = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_window_cb, g_object_ref (self),
                   g_object_unref);
}

/* Whether the window may close now; if not, it asks, and closes again when told to. */
gboolean
_tether_window_may_close (TetherWindow *self)
{
  TetherTerminalState connected = TETHER_TERMINAL_STATE_CONNECTED;
  guint n = count_terminals (self, &connected);

  if (n == 0 || self->close_confirmed)
    return TRUE;

  if (self->close_dialog != NULL) {
    gtk_window_present (GTK_WINDOW (self->close_dialog));
    return FALSE;
  }

  self->close_dialog = tether_close_dialog_new_for_window (GTK_WINDOW (self), n);
  g_object_add_weak_pointer (G_OBJECT (self->close_dialog), (gpointer *) &self->close_dialog);
  tether_close_dialog_run_async (self->close_dialog, NULL, on_close_window_decided,
                                 g_object_ref (self));

  return FALSE;
}

/* The forwards of the tab's host. */
static void
forwards_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TetherWindow *self = TETHER_WINDOW (widget);
  TetherTerminalPage *terminal = page_terminal (get_action_page (self));

  if (terminal != NULL)
    tether_forwards_panel_present (GTK_WINDOW (self),
                                   tether_terminal_page_get_session (terminal));
}

/* ------------------------------------------------------------------------- */

void
_tether_window_class_tabs_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_property_action (widget_class, "win.broadcast", "broadcast");

  gtk_widget_class_install_action (widget_class, "tab.duplicate", NULL, duplicate_activated);
  gtk_widget_class_install_action (widget_class, "tab.rename", NULL, rename_activated);
  gtk_widget_class_install_action (widget_class, "tab.move-to-new-window", NULL,
                                   move_to_new_window_activated);
  gtk_widget_class_install_action (widget_class, "tab.close", NULL, tab_close_activated);
  gtk_widget_class_install_action (widget_class, "tab.forwards", NULL, forwards_activated);

  gtk_widget_class_bind_template_callback (widget_class, on_page_attached);
  gtk_widget_class_bind_template_callback (widget_class, on_page_detached);
  gtk_widget_class_bind_template_callback (widget_class, on_setup_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_create_window);
  gtk_widget_class_bind_template_callback (widget_class, on_close_page);
}

void
_tether_window_tabs_init (TetherWindow *self)
{
  update_broadcast (self);
}

void
_tether_window_tabs_dispose (TetherWindow *self)
{
  if (self->tab_view != NULL) {
    for (int i = 0; i < adw_tab_view_get_n_pages (self->tab_view); i++) {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->tab_view, i);
      TetherTerminalPage *terminal = page_terminal (page);

      if (terminal != NULL)
        g_signal_handlers_disconnect_by_data (tether_terminal_page_get_terminal (terminal),
                                              self);
    }
    /* The tab view detaches its pages as it goes: the window's half-gone widgets must not
     * hear of it. */
    g_signal_handlers_disconnect_by_data (self->tab_view, self);
  }
  /* "Close Window?" goes with its window. */
  if (self->close_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->close_dialog));
  g_clear_weak_pointer (&self->close_dialog);
  g_clear_object (&self->menu_page);
}
