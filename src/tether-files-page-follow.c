/* tether-files-page-follow.c: Follow Terminal Folder.
 *
 * While the toggle is on, the files page shows the folder the shell of the host's active
 * terminal tab (the one of this window most recently selected) is in, as the shell reports
 * it with OSC 7 (VTE's current-directory-uri). Shells that do not report it (bash does not by
 * itself) can be taught with a line in their start-up file, such as
 *
 *   PROMPT_COMMAND='printf "\033]7;file://%s%s\033\\" "$HOSTNAME" "$PWD"'
 *
 * The page says so in the toggle's tooltip when the terminal never reported a folder. */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <vte/vte.h>

#include "tether-files-page-private.h"
#include "tether-terminal-page.h"

/* Tabs of a window, stamped with when they were last selected: the most recent terminal of
 * the host is the one followed. One counter for all windows; it never wraps in practice. */
static guint64 selection_serial;

#define SERIAL_KEY "tether-files-follow-serial"
#define TRACKED_KEY "tether-files-follow-tracked"

/* ------------------------------------------------------------------------- */
/* OSC 7 URIs                                                                */

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/*
 * _tether_files_page_path_from_uri:
 * @uri: (nullable): what a shell reported with OSC 7, `file://HOST/PATH`
 *
 * The host part names the server itself (its own name for itself, which the client may not
 * know) and is skipped. The path's %XX escapes are decoded as bytes, as a server's file names
 * are bytes; one that would decode to NUL makes the URI unusable.
 *
 * Returns: (nullable): the absolute path on the server, or %NULL when @uri is none
 */
char *
_tether_files_page_path_from_uri (const char *uri)
{
  g_autoptr(GString) path = NULL;
  const char *p;

  if (uri == NULL || g_ascii_strncasecmp (uri, "file://", strlen ("file://")) != 0)
    return NULL;
  p = strchr (uri + strlen ("file://"), '/');
  if (p == NULL)
    return NULL;

  path = g_string_new (NULL);
  for (; *p != '\0'; p++) {
    if (*p == '%') {
      int high = hex_value (p[1]);
      int low = high < 0 ? -1 : hex_value (p[2]);

      if (low < 0 || (high == 0 && low == 0))
        return NULL;
      g_string_append_c (path, (char) (high * 16 + low));
      p += 2;
    } else {
      g_string_append_c (path, *p);
    }
  }
  return g_string_free (g_steal_pointer (&path), FALSE);
}

/* ------------------------------------------------------------------------- */
/* The most recently selected terminal                                       */

static void
stamp_selected (AdwTabView *tab_view)
{
  AdwTabPage *page = adw_tab_view_get_selected_page (tab_view);

  if (page == NULL)
    return;
  g_object_set_data (G_OBJECT (adw_tab_page_get_child (page)), SERIAL_KEY,
                     GSIZE_TO_POINTER ((gsize) ++selection_serial));
}

/*
 * tether_files_page_watch_tabs:
 * @tab_view: the tab view of a window
 *
 * Starts remembering which tab of @tab_view was selected when, with the one selected now; once
 * per tab view. The window calls it before it adds a files tab, so that the terminal the user
 * came from is the one followed.
 */
void
tether_files_page_watch_tabs (AdwTabView *tab_view)
{
  if (g_object_get_data (G_OBJECT (tab_view), TRACKED_KEY) != NULL)
    return;
  g_object_set_data (G_OBJECT (tab_view), TRACKED_KEY, GINT_TO_POINTER (TRUE));
  stamp_selected (tab_view);
  g_signal_connect (tab_view, "notify::selected-page", G_CALLBACK (stamp_selected), NULL);
}

static AdwTabView *
get_tab_view (TetherFilesPage *self)
{
  return ADW_TAB_VIEW (gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TAB_VIEW));
}

/* The host's terminal tab of this window selected last; the first one if none was. */
static TetherTerminalPage *
find_terminal (TetherFilesPage *self)
{
  AdwTabView *tab_view = get_tab_view (self);
  TetherTerminalPage *best = NULL;
  gsize best_serial = 0;
  int n_pages;

  if (tab_view == NULL)
    return NULL;
  n_pages = adw_tab_view_get_n_pages (tab_view);
  for (int i = 0; i < n_pages; i++) {
    GtkWidget *child = adw_tab_page_get_child (adw_tab_view_get_nth_page (tab_view, i));
    gsize serial;

    if (!TETHER_IS_TERMINAL_PAGE (child) ||
        tether_terminal_page_get_session (TETHER_TERMINAL_PAGE (child)) != self->session)
      continue;
    serial = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (child), SERIAL_KEY));
    if (best == NULL || serial > best_serial) {
      best = TETHER_TERMINAL_PAGE (child);
      best_serial = serial;
    }
  }
  return best;
}

/* ------------------------------------------------------------------------- */
/* Following                                                                 */

static void
set_status (TetherFilesPage *self,
            const char      *status)
{
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->follow_button), status);
}

static void
apply_folder (TetherFilesPage *self)
{
  VteTerminal *terminal;
  g_autofree char *path = NULL;

  if (!gtk_toggle_button_get_active (self->follow_button)) {
    set_status (self, _("Follow Terminal Folder"));
    return;
  }
  if (self->followed == NULL) {
    set_status (self, _("No terminal of this host in this window"));
    return;
  }
  terminal = tether_terminal_page_get_terminal (TETHER_TERMINAL_PAGE (self->followed));
  path = _tether_files_page_path_from_uri (vte_terminal_get_current_directory_uri (terminal));
  if (path == NULL) {
    set_status (self, _("The shell does not report its folder"));
    return;
  }
  set_status (self, _("Following the terminal’s folder"));
  if (g_strcmp0 (path, self->path) != 0)
    tether_files_page_navigate (self, path);
}

static void
set_followed (TetherFilesPage *self,
              GtkWidget       *terminal_page)
{
  VteTerminal *terminal;

  if (self->followed == terminal_page)
    return;
  if (self->followed != NULL) {
    g_signal_handlers_disconnect_by_data (
      tether_terminal_page_get_terminal (TETHER_TERMINAL_PAGE (self->followed)), self);
    g_object_remove_weak_pointer (G_OBJECT (self->followed), (gpointer *) &self->followed);
  }
  self->followed = terminal_page;
  if (self->followed == NULL)
    return;
  g_object_add_weak_pointer (G_OBJECT (self->followed), (gpointer *) &self->followed);
  terminal = tether_terminal_page_get_terminal (TETHER_TERMINAL_PAGE (terminal_page));
  g_signal_connect_object (terminal, "notify::current-directory-uri", G_CALLBACK (apply_folder),
                           self, G_CONNECT_SWAPPED);
}

/* Which terminal to follow may change with the tabs: look again, then at its folder. */
static void
refresh (TetherFilesPage *self)
{
  gboolean follow = gtk_toggle_button_get_active (self->follow_button);

  set_followed (self, follow ? GTK_WIDGET (find_terminal (self)) : NULL);
  apply_folder (self);
}

/* Watches the tab view the page is in (again after a move to another window). */
static void
watch_tab_view (TetherFilesPage *self,
                GtkWidget       *tab_view)
{
  if (self->tab_view == tab_view)
    return;
  if (self->tab_view != NULL) {
    g_signal_handlers_disconnect_by_data (self->tab_view, self);
    g_object_remove_weak_pointer (G_OBJECT (self->tab_view), (gpointer *) &self->tab_view);
  }
  self->tab_view = tab_view;
  if (tab_view == NULL)
    return;
  g_object_add_weak_pointer (G_OBJECT (tab_view), (gpointer *) &self->tab_view);
  tether_files_page_watch_tabs (ADW_TAB_VIEW (tab_view));
  g_signal_connect_object (tab_view, "notify::selected-page", G_CALLBACK (refresh), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (tab_view, "notify::n-pages", G_CALLBACK (refresh), self,
                           G_CONNECT_SWAPPED);
}

static void
on_mapped (TetherFilesPage *self)
{
  watch_tab_view (self, GTK_WIDGET (get_tab_view (self)));
  refresh (self);
}

void
_tether_files_page_follow_init (TetherFilesPage *self)
{
  GtkWidget *button = gtk_toggle_button_new ();

  gtk_button_set_icon_name (GTK_BUTTON (button), "utilities-terminal-symbolic");
  gtk_widget_set_tooltip_text (button, _("Follow Terminal Folder"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Follow Terminal Folder"),
                                  -1);
  gtk_widget_set_name (button, "follow-button");
  gtk_box_insert_child_after (GTK_BOX (self->toolbar), button,
                              GTK_WIDGET (self->hidden_button));
  self->follow_button = GTK_TOGGLE_BUTTON (button);

  g_signal_connect_swapped (button, "toggled", G_CALLBACK (refresh), self);
  g_signal_connect (self, "map", G_CALLBACK (on_mapped), NULL);
}

void
_tether_files_page_follow_dispose (TetherFilesPage *self)
{
  set_followed (self, NULL);
  watch_tab_view (self, NULL);
}

/* ------------------------------------------------------------------------- */
/* Public API                                                                */

gboolean
tether_files_page_get_follow_terminal (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), FALSE);

  return gtk_toggle_button_get_active (self->follow_button);
}

/**
 * tether_files_page_set_follow_terminal:
 * @self: a files page
 * @follow: whether to show the folder of the host's active terminal tab
 *
 * The Follow Terminal Folder toggle.
 */
void
tether_files_page_set_follow_terminal (TetherFilesPage *self,
                                       gboolean         follow)
{
  g_return_if_fail (TETHER_IS_FILES_PAGE (self));

  gtk_toggle_button_set_active (self->follow_button, follow);
}

/**
 * tether_files_page_get_followed_terminal:
 * @self: a files page
 *
 * Returns: (transfer none) (nullable): the #TetherTerminalPage followed, or %NULL
 */
GtkWidget *
tether_files_page_get_followed_terminal (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);

  return self->followed;
}

/**
 * tether_files_page_get_follow_status:
 * @self: a files page
 *
 * Returns: what the Follow Terminal Folder toggle says about itself (its tooltip), such as
 *   that the shell does not report its folder
 */
const char *
tether_files_page_get_follow_status (TetherFilesPage *self)
{
  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);

  return gtk_widget_get_tooltip_text (GTK_WIDGET (self->follow_button));
}
